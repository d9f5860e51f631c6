"""Text longer than the column that would keep it is a 400 naming the field, never a 500: a sign-in's
username (django-axes records a failure's username in a varchar(255)), a new account's email."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.fields import CharField

from accounts.serializers import USERNAME_MAX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
STRONG_PASSWORD = "violet-harbour-lantern-42"
TOO_LONG = CharField.default_error_messages["max_length"]
# A well-formed address of 260 characters: the column keeps 254.
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".com"


@pytest.mark.parametrize("length", [USERNAME_MAX + 1, 256, 10_000])
def test_signing_in_with_a_username_longer_than_any_is_a_400_naming_it(anon_client, length):
    response = anon_client.post(
        reverse("auth-token"), {"username": "u" * length, "password": STRONG_PASSWORD}
    )

    assert response.status_code == 400
    assert response.json() == {"username": [TOO_LONG.format(max_length=USERNAME_MAX)]}
    assert not AccessAttempt.objects.exists()  # never reached authenticate, nothing recorded


def test_signing_in_with_a_username_of_the_longest_length_is_checked_as_usual(anon_client):
    response = anon_client.post(
        reverse("auth-token"), {"username": "u" * USERNAME_MAX, "password": STRONG_PASSWORD}
    )

    assert response.status_code == 400
    assert "username" not in response.json()
    assert AccessAttempt.objects.get().username == "u" * USERNAME_MAX


def test_registering_with_an_email_longer_than_its_column_is_a_400_naming_it(anon_client):
    response = anon_client.post(
        reverse("auth-register"),
        {"username": "longmail", "password": STRONG_PASSWORD, "email": LONG_EMAIL},
    )

    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert not get_user_model().objects.filter(username="longmail").exists()
