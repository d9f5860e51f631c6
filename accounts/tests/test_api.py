"""The accounts API through APIClient, as a frontend calls it: register, sign in, me."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.views import USERNAME_TAKEN
from children.models import Child, Task
from kernel.api import UNKNOWN_FIELD
from rewards.models import Reward
from testsupport.factories import (
    ChildFactory,
    RewardFactory,
    TaskFactory,
    UserFactory,
    household_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
User = get_user_model()
STRONG_PASSWORD = "violet-harbour-lantern-42"


def test_register_creates_a_parent_and_returns_a_working_token(anon_client):
    response = anon_client.post(
        reverse("auth-register"),
        {"username": "maria", "password": STRONG_PASSWORD, "email": "maria@example.com"},
    )

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get(username="maria")
    assert body["id"] == user.pk
    assert body["username"] == "maria"
    assert body["email"] == "maria@example.com"
    assert body["is_staff"] is False
    assert "password" not in body
    assert body["expiry"] is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get(reverse("auth-me")).json()["username"] == "maria"


def test_register_without_email_is_accepted(anon_client):
    response = anon_client.post(
        reverse("auth-register"), {"username": "noemail", "password": STRONG_PASSWORD}
    )

    assert response.status_code == 201


@pytest.mark.parametrize("username", ["taken", "TAKEN"])
def test_register_refuses_a_username_already_taken(anon_client, username):
    UserFactory(username="taken")

    response = anon_client.post(
        reverse("auth-register"), {"username": username, "password": STRONG_PASSWORD}
    )

    assert response.status_code == 400
    assert response.json() == {"username": [USERNAME_TAKEN]}
    assert User.objects.filter(username__iexact="taken").count() == 1


# Fullwidth letters (U+FF21..U+FF5A), which Django's NFKC normalization saves as ASCII.
@pytest.mark.parametrize("username", ["\uff34AKEN", "t\uff41ken", "\uff54\uff41\uff4b\uff45\uff4e"])
def test_register_refuses_a_taken_username_written_with_compatibility_characters(
    anon_client, username
):
    UserFactory(username="taken")

    response = anon_client.post(
        reverse("auth-register"), {"username": username, "password": STRONG_PASSWORD}
    )

    assert response.status_code == 400
    assert response.json() == {"username": [USERNAME_TAKEN]}
    assert User.objects.filter(username__iexact="taken").count() == 1


def test_register_saves_and_answers_the_username_as_normalized(anon_client):
    response = anon_client.post(
        reverse("auth-register"), {"username": "\uff2dax", "password": STRONG_PASSWORD}
    )

    assert response.status_code == 201
    assert response.json()["username"] == "Max"
    assert User.objects.get(pk=response.json()["id"]).username == "Max"


def test_register_applies_the_username_rules_to_the_normalized_username(anon_client):
    # "½" is a letter or digit to the rule, but NFKC saves it as "1", U+2044 (a fraction slash), "2".
    response = anon_client.post(
        reverse("auth-register"), {"username": "half\u00bd", "password": STRONG_PASSWORD}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["username"]
    assert not User.objects.filter(username__startswith="half").exists()


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "weakuser1"])
def test_register_refuses_a_weak_password(anon_client, password):
    response = anon_client.post(
        reverse("auth-register"), {"username": "weakuser1", "password": password}
    )

    assert response.status_code == 400
    assert response.json()["password"]
    assert not User.objects.filter(username="weakuser1").exists()


def test_register_refuses_to_make_a_staff_user(anon_client):
    response = anon_client.post(
        reverse("auth-register"),
        {"username": "sneaky", "password": STRONG_PASSWORD, "is_staff": True},
    )

    assert response.status_code == 400
    assert response.json() == {"is_staff": [UNKNOWN_FIELD]}
    assert not User.objects.filter(username="sneaky").exists()


def test_token_endpoint_returns_the_token_for_valid_credentials(anon_client, parent):
    response = anon_client.post(
        reverse("auth-token"), {"username": parent.username, "password": "correct-horse-battery"}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get(reverse("auth-me")).json()["id"] == parent.pk


def test_token_endpoint_refuses_a_wrong_password(anon_client, parent):
    response = anon_client.post(
        reverse("auth-token"), {"username": parent.username, "password": "wrong-password"}
    )

    assert response.status_code == 400
    assert "token" not in response.json()


def test_me_returns_the_signed_in_parent(parent_client, parent):
    response = parent_client.get(reverse("auth-me"))

    assert response.status_code == 200
    assert response.json() == {
        "id": parent.pk,
        "username": parent.username,
        "email": parent.email,
        "is_staff": False,
        "date_joined": response.json()["date_joined"],
    }


def test_me_works_with_a_session_too(parent):
    client = APIClient()
    signed_in = client.post(
        reverse("login"),
        {"username": parent.username, "password": "correct-horse-battery"},
        format="multipart",
    )
    assert signed_in.status_code == 302

    response = client.get(reverse("auth-me"))

    assert response.status_code == 200
    assert response.json()["id"] == parent.pk


def test_deleting_me_removes_the_account_and_everything_it_owns(
    parent_client, parent, child, chore, penalty, reward, other_parent
):
    others_child = ChildFactory(owner=other_parent)
    others_task = TaskFactory(owner=other_parent)
    others_reward = RewardFactory(owner=other_parent)
    household = household_of(parent)

    response = parent_client.delete(reverse("auth-me"))

    assert response.status_code == 204
    assert not User.objects.filter(pk=parent.pk).exists()
    assert not Child.objects.filter(household=household).exists()
    assert not Task.objects.filter(household=household).exists()
    assert not Reward.objects.filter(household=household).exists()
    assert list(Child.objects.all()) == [others_child]
    assert list(Task.objects.all()) == [others_task]
    assert list(Reward.objects.all()) == [others_reward]


def test_a_deleted_parents_token_no_longer_works(parent_client):
    parent_client.delete(reverse("auth-me"))

    assert parent_client.get(reverse("auth-me")).status_code == 401
