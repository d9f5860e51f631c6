"""django-axes counts failed sign-ins by the client's address only when `REMOTE_ADDR` is one: a
trusted proxy may forward what is no address, which the server passes on as `REMOTE_ADDR`
(accounts/tests/test_forwarded_headers.py does it through real servers)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.client_address import client_ip_address

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's
NOT_ADDRESSES = ["unknown", "garbage", "1.2.3.4, garbage", "", "1.2.3.4%x"]


def sign_in(username: str, password: str, remote_addr: str):
    return APIClient().post(
        reverse("auth-token"),
        {"username": username, "password": password},
        REMOTE_ADDR=remote_addr,
    )


@pytest.mark.parametrize("remote_addr", NOT_ADDRESSES)
def test_a_failed_sign_in_from_no_address_is_a_400_counted_under_no_address(parent, remote_addr):
    response = sign_in(parent.username, "wrong", remote_addr)

    assert response.status_code == 400
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == (parent.username, None)


@pytest.mark.parametrize("remote_addr", NOT_ADDRESSES)
def test_signing_in_from_no_address_works(parent, remote_addr):
    assert sign_in(parent.username, PASSWORD, remote_addr).status_code == 200


def test_failures_from_no_address_still_lock_the_username_out(parent):
    answers = [
        sign_in(parent.username, "wrong", "unknown").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert answers == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert sign_in(parent.username, PASSWORD, "garbage").status_code == 429


@pytest.mark.parametrize(
    ("remote_addr", "counted_as"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0::1", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("garbage", None),
    ],
)
def test_the_address_counted_is_remote_addr_when_it_is_an_address(remote_addr, counted_as):
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR="9.9.9.9")

    assert client_ip_address(request) == counted_as
