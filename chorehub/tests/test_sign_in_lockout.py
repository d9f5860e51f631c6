"""Repeated failed sign-ins are locked out (django-axes), on the token endpoint and the login page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.views import LOCKED_OUT

pytestmark = pytest.mark.django_db

RIGHT = "correct-horse-battery"


def get_token(client: APIClient, username: str, password: str):
    return client.post(
        reverse("auth-token"), {"username": username, "password": password}, format="json"
    )


def test_the_token_endpoint_locks_out_after_repeated_failures(parent, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert get_token(client, parent.username, "wrong").status_code == 400
    locked = get_token(client, parent.username, "wrong")
    assert locked.status_code == 429
    assert locked.json() == {"detail": LOCKED_OUT.format(minutes=15)}
    assert locked["Retry-After"] == "900"
    # Even the right password is refused while locked out.
    assert get_token(client, parent.username, RIGHT).status_code == 429


def test_a_success_before_the_limit_resets_the_count(parent, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        get_token(client, parent.username, "wrong")
    assert get_token(client, parent.username, RIGHT).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert get_token(client, parent.username, "wrong").status_code == 400


def test_a_lockout_is_per_username_and_address(parent, other_parent, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        get_token(client, parent.username, "wrong")
    assert get_token(client, other_parent.username, RIGHT).status_code == 200
    elsewhere = APIClient(REMOTE_ADDR="10.0.0.7")
    assert get_token(elsewhere, parent.username, RIGHT).status_code == 200


def test_the_login_page_locks_out_too(parent, settings):
    client = APIClient()
    form = {"username": parent.username, "password": "wrong"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("login"), form, format="multipart").status_code == 200
    assert client.post(reverse("login"), form, format="multipart").status_code == 429
