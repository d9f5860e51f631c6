"""Signing in, registering and pairing a device are authenticated by their body: whatever the
`Authorization` header still carries (an expired or revoked token, garbage) is ignored."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from testsupport.tokens import token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's
STRONG_PASSWORD = "violet-harbour-lantern-42"


def expired_token_of(user) -> str:
    key = token_for(user)
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - timedelta(seconds=1))
    return key


def revoked_token_of(user) -> str:
    key = token_for(user)
    AuthToken.objects.filter(user=user).delete()
    return key


STALE = {
    "expired": expired_token_of,
    "revoked": revoked_token_of,
    "garbage": lambda user: "not-a-token",
}


def client_sending(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


@pytest.mark.parametrize("stale", STALE)
def test_signing_in_with_a_stale_token_in_the_header_issues_a_new_token(parent, stale):
    client = client_sending(f"Token {STALE[stale](parent)}")

    response = client.post(
        reverse("auth-token"), {"username": parent.username, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert (
        client_sending(f"Token {response.json()['token']}").get(reverse("auth-me")).json()["id"]
        == parent.pk
    )


def test_a_stale_token_in_the_header_does_not_stand_in_for_wrong_credentials(parent):
    response = client_sending(f"Token {expired_token_of(parent)}").post(
        reverse("auth-token"), {"username": parent.username, "password": "wrong"}
    )

    assert response.status_code == 400


def test_signing_out_still_needs_a_valid_token(parent):
    response = client_sending(f"Token {revoked_token_of(parent)}").delete(reverse("auth-token"))

    assert response.status_code == 401


@pytest.mark.parametrize("stale", STALE)
def test_registering_with_a_stale_token_in_the_header_works(parent, stale):
    response = client_sending(f"Token {STALE[stale](parent)}").post(
        reverse("auth-register"), {"username": "newparent", "password": STRONG_PASSWORD}
    )

    assert response.status_code == 201
