"""The middleware finds the user as the API does (DRF's authentication classes), so a key is honoured
for every credential the API accepts, and a request the API refuses records nothing."""

import uuid
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from children.models import Child
from idempotency.middleware import REPLAYED_HEADER
from idempotency.models import IdempotencyRecord
from testsupport.tokens import token_for
from tracking.models import TrackingEvent

pytestmark = pytest.mark.django_db
CSRF_SECRET = "a" * 32  # a well-formed CSRF secret; Django accepts it unmasked as the token
PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's


@pytest.fixture
def key() -> str:
    return str(uuid.uuid4())


def activation_url(child) -> str:
    return reverse("child-activate", args=[child.pk])


def token_client(parent, keyword: str) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token_for(parent)}")
    return client


@pytest.fixture
def browser(parent) -> APIClient:
    """Signed in by the session cookie, checked for CSRF as a browser is, holding a CSRF cookie."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(parent)
    client.cookies["csrftoken"] = CSRF_SECRET
    return client


def assert_activated_once(child, first, second) -> None:
    assert first.status_code == second.status_code == 200, first.content
    assert second.content == first.content
    assert (first[REPLAYED_HEADER], second[REPLAYED_HEADER]) == ("false", "true")
    assert Child.objects.get(pk=child.pk).points == 10
    assert TrackingEvent.objects.filter(child_id=child.pk).count() == 1


@pytest.mark.parametrize("keyword", ["Token", "token", "TOKEN", "tOkEn"])
def test_the_token_keyword_in_any_case_gets_one_effect_per_key(parent, child, chore, key, keyword):
    client = token_client(parent, keyword)

    def activate():
        return client.post(
            activation_url(child), {"task_id": chore.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key
        )

    first = activate()
    second = activate()

    assert_activated_once(child, first, second)
    assert IdempotencyRecord.objects.filter(user=parent, key=key).count() == 1


@pytest.mark.parametrize("keyword", ["Token", "token", "TOKEN"])
def test_a_bad_token_is_a_401_that_records_nothing(parent, child, chore, key, keyword):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {'0' * 40}")

    response = client.post(
        activation_url(child), {"task_id": chore.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()
    assert Child.objects.get(pk=child.pk).points == 0
    # The key is not used up: the real user's request with it runs.
    real = token_client(parent, "Token").post(
        activation_url(child), {"task_id": chore.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert (real.status_code, real[REPLAYED_HEADER]) == (200, "false")


def test_a_bad_token_beside_a_valid_session_is_a_401_that_records_nothing(
    browser, child, chore, key
):
    browser.credentials(HTTP_AUTHORIZATION="token " + "0" * 40)

    response = browser.post(
        activation_url(child),
        {"task_id": chore.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )

    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()
    assert Child.objects.get(pk=child.pk).points == 0


def test_a_session_write_with_the_csrf_header_gets_one_effect_per_key(browser, child, chore, key):
    def activate():
        return browser.post(
            activation_url(child),
            {"task_id": chore.pk},
            format="json",
            HTTP_IDEMPOTENCY_KEY=key,
            HTTP_X_CSRFTOKEN=CSRF_SECRET,
        )

    assert_activated_once(child, activate(), activate())


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_signing_in_with_a_key_is_never_recorded_a_token_is_not_kept(
    parent, browser, key, encoding
):
    """Credential routes are not idempotent: their answers hold a token (kept by the store in
    plain text for a day, were it recorded) and their bodies a password. The CSRF check still
    finds its token in the form body, and the view still reads that body: each sign-in works."""
    fields = {
        "username": parent.username,
        "password": PASSWORD,
        "csrfmiddlewaretoken": CSRF_SECRET,
    }

    def sign_in():
        if encoding == "multipart":
            return browser.post(
                reverse("auth-token"), fields, format="multipart", HTTP_IDEMPOTENCY_KEY=key
            )
        return browser.post(
            reverse("auth-token"),
            urlencode(fields),
            content_type="application/x-www-form-urlencoded",
            HTTP_IDEMPOTENCY_KEY=key,
        )

    first = sign_in()
    second = sign_in()

    assert first.status_code == second.status_code == 200, first.content
    assert set(first.json()) == {"token", "expiry"}
    assert first.json()["token"] != second.json()["token"]
    for response in (first, second):
        signed_in = APIClient()
        signed_in.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert signed_in.get(reverse("auth-me")).json()["id"] == parent.pk
    assert REPLAYED_HEADER not in second
    assert not IdempotencyRecord.objects.exists()


def test_changing_the_password_with_a_key_is_never_recorded(parent, parent_client, key):
    response = parent_client.post(
        reverse("auth-password"),
        {"old_password": PASSWORD, "new_password": "another-long-passphrase-42"},
        HTTP_IDEMPOTENCY_KEY=key,
    )

    assert response.status_code == 204, response.content
    assert not IdempotencyRecord.objects.exists()


def test_a_session_write_without_the_csrf_token_is_a_403_that_records_nothing(
    browser, child, chore, key
):
    response = browser.post(
        activation_url(child), {"task_id": chore.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not IdempotencyRecord.objects.exists()
    assert Child.objects.get(pk=child.pk).points == 0
    # The key is not used up by the refusal.
    again = browser.post(
        activation_url(child),
        {"task_id": chore.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )
    assert (again.status_code, again[REPLAYED_HEADER]) == (200, "false")
