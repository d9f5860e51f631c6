"""Every saved password change revokes the account's API tokens, however it is made: the admin's
password forms and `manage.py changepassword` as well as `POST /api/auth/password/`."""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from testsupport.factories import UserFactory
from testsupport.tokens import token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's
NEW_PASSWORD = "violet-harbour-lantern-42"


def works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    status = client.get(reverse("auth-me")).status_code
    assert status in (200, 401), status
    return status == 200


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_password_set_in_the_admin_revokes_every_token_of_that_account(parent, other_parent):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    first_device, second_device, someone_elses = (
        token_for(parent),
        token_for(parent),
        token_for(other_parent),
    )

    response = admin_client(superuser).post(
        reverse("admin:auth_user_password_change", args=[parent.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.check_password(NEW_PASSWORD)
    assert not works(first_device)
    assert not works(second_device)
    assert works(someone_elses)


def test_staff_changing_their_own_password_in_the_admin_revokes_their_tokens(other_parent):
    staff = UserFactory(is_staff=True)
    key, someone_elses = token_for(staff), token_for(other_parent)

    response = admin_client(staff).post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert not works(key)
    assert works(someone_elses)


def test_manage_py_changepassword_revokes_every_token_of_that_account(parent, other_parent):
    key, someone_elses = token_for(parent), token_for(other_parent)

    # The command reads the password twice from the terminal.
    with mock.patch(
        "django.contrib.auth.management.commands.changepassword.getpass.getpass",
        return_value=NEW_PASSWORD,
    ):
        call_command("changepassword", parent.username, stdout=mock.Mock())

    assert not works(key)
    assert works(someone_elses)


def test_a_password_set_and_saved_in_code_revokes_every_token_of_that_account(parent):
    key = token_for(parent)

    parent.set_password(NEW_PASSWORD)
    parent.save()

    assert not works(key)


def test_saving_an_account_without_a_new_password_keeps_its_tokens(parent):
    key = token_for(parent)

    parent.email = "new@example.com"
    parent.save()

    assert works(key)


def test_creating_an_account_keeps_every_other_accounts_tokens(parent):
    key = token_for(parent)

    created = get_user_model().objects.create_user(username="newcomer", password=NEW_PASSWORD)

    assert works(key)
    assert works(token_for(created))


def test_the_api_password_change_keeps_the_callers_token_after_the_save_revoked_the_others(
    parent,
):
    mine, other_device = token_for(parent), token_for(parent)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {mine}")

    response = client.post(
        reverse("auth-password"), {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    assert list(AuthToken.objects.filter(user=parent)) == [
        AuthToken.objects.get(token_key=mine[:15])
    ]
    assert works(mine)
    assert not works(other_device)
    # The kept token is this call's only: a later change elsewhere revokes it.
    parent.refresh_from_db()
    parent.set_password(PASSWORD)
    parent.save()
    assert not works(mine)
