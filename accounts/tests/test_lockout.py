"""Failed sign-ins are limited per username whatever the address, and per address across usernames,
besides per (username, address) pair (chorehub/tests/test_sign_in_lockout.py); a success clears only
its own pair. Addresses here are REMOTE_ADDR, what the server sets (test_forwarded_headers.py shows
that a client cannot choose it)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.views import LOCKED_OUT
from testsupport.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's


def sign_in(username: str, password: str, address: str):
    return APIClient(REMOTE_ADDR=address).post(
        reverse("auth-token"), {"username": username, "password": password}
    )


def assert_locked_out(response) -> None:
    assert response.status_code == 429, response.content
    assert response.json() == {"detail": LOCKED_OUT.format(minutes=15)}
    assert response["Retry-After"] == "900"


def test_guesses_at_one_username_from_40_addresses_are_locked_out(parent, settings):
    answers = [sign_in(parent.username, "wrong", f"10.1.0.{n}").status_code for n in range(40)]

    limit = settings.AXES_USERNAME_FAILURE_LIMIT
    assert answers == [400] * (limit - 1) + [429] * (40 - limit + 1)
    # Locked out for everyone, even with the right password from an address never seen.
    assert_locked_out(sign_in(parent.username, PASSWORD, "10.2.0.1"))


def test_one_address_trying_30_usernames_is_stopped(settings):
    usernames = [UserFactory().username for _ in range(30)]

    answers = [sign_in(username, "wrong", "10.3.0.1").status_code for username in usernames]

    limit = settings.AXES_IP_FAILURE_LIMIT
    assert answers == [400] * (limit - 1) + [429] * (30 - limit + 1)
    assert_locked_out(sign_in(usernames[0], PASSWORD, "10.3.0.1"))
    # Other addresses are not concerned.
    assert sign_in(usernames[0], PASSWORD, "10.3.0.2").status_code == 200


def test_signing_in_to_ones_own_account_does_not_clear_the_addresses_guesses(parent, settings):
    others = [UserFactory().username for _ in range(settings.AXES_IP_FAILURE_LIMIT - 1)]
    for username in others:
        assert sign_in(username, "wrong", "10.4.0.1").status_code == 400

    assert sign_in(parent.username, PASSWORD, "10.4.0.1").status_code == 200

    assert_locked_out(sign_in(others[0], "wrong", "10.4.0.1"))


def test_a_success_does_not_clear_the_usernames_failures_from_other_addresses(parent, settings):
    for n in range(settings.AXES_USERNAME_FAILURE_LIMIT - 1):
        sign_in(parent.username, "wrong", f"10.5.0.{n}")

    assert sign_in(parent.username, PASSWORD, "10.6.0.1").status_code == 200

    assert_locked_out(sign_in(parent.username, "wrong", "10.6.0.2"))


def test_the_limits_come_from_the_settings(parent, settings):
    settings.AXES_USERNAME_FAILURE_LIMIT = 3

    answers = [sign_in(parent.username, "wrong", f"10.7.0.{n}").status_code for n in range(3)]

    assert answers == [400, 400, 429]
