"""CSRF holds for the browser: a write authenticated by the session cookie needs the CSRF token
(cookie `csrftoken`, sent back as `X-CSRFToken`), or it is a 403 that changes nothing. A write
authenticated by `Authorization: Token` needs none: no browser sends that header by itself."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from chorehub.tests.test_ownership import database_state
from testsupport.factories import ChildFactory, RewardFactory, TaskFactory
from testsupport.tokens import token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's


@pytest.fixture
def family(parent):
    child = ChildFactory(owner=parent, points=50)
    chore = TaskFactory(owner=parent, points=10)
    child.tasks.add(chore)
    return SimpleNamespace(child=child, chore=chore, reward=RewardFactory(owner=parent))


@pytest.fixture
def browser(parent) -> APIClient:
    """A client that checks CSRF as a browser's requests are checked, signed in through the login
    page (which itself needs the token from its form's cookie)."""
    client = APIClient(enforce_csrf_checks=True)
    client.get(reverse("login"))
    response = client.post(
        reverse("login"),
        {
            "username": parent.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
        format="multipart",
    )
    assert response.status_code == 302, response.content  # to LOGIN_REDIRECT_URL
    assert "sessionid" in client.cookies
    return client


def csrf_token(client: APIClient) -> str:
    return client.cookies["csrftoken"].value


# (method, route name, the family object in the path or None, body built from the family)
WRITES = [
    ("post", "child-list", None, lambda f: {"name": "Alice"}),
    ("patch", "child-detail", "child", lambda f: {"name": "Renamed"}),
    ("put", "child-detail", "child", lambda f: {"name": "Renamed", "age": 9}),
    ("delete", "child-detail", "child", None),
    ("post", "child-activate", "child", lambda f: {"task_id": f.chore.pk}),
    ("put", "child-tasks", "child", lambda f: {"task_ids": []}),
    ("post", "task-list", None, lambda f: {"name": "Dishes", "points": 5}),
    ("delete", "reward-detail", "reward", None),
    ("delete", "auth-me", None, None),
]
WRITE_IDS = [f"{method.upper()} {name}" for method, name, _, _ in WRITES]


def send(client: APIClient, family: SimpleNamespace, write: tuple, **headers):
    method, name, target, build = write
    url = reverse(name, args=[getattr(family, target).pk] if target else [])
    return getattr(client, method)(url, build(family) if build else None, **headers)


@pytest.mark.parametrize("write", WRITES, ids=WRITE_IDS)
def test_a_session_write_without_the_csrf_token_is_a_403_and_changes_nothing(
    browser, family, write
):
    before = database_state()

    response = send(browser, family, write)

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert database_state() == before


@pytest.mark.parametrize("write", WRITES, ids=WRITE_IDS)
def test_a_session_write_with_a_wrong_csrf_token_is_a_403_and_changes_nothing(
    browser, family, write
):
    before = database_state()

    response = send(browser, family, write, HTTP_X_CSRFTOKEN="x" * 32)

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert database_state() == before


@pytest.mark.parametrize("write", WRITES, ids=WRITE_IDS)
def test_a_session_write_with_the_csrf_token_succeeds(browser, family, write):
    response = send(browser, family, write, HTTP_X_CSRFTOKEN=csrf_token(browser))

    assert 200 <= response.status_code < 300, response.content


def test_a_session_read_needs_no_csrf_token(browser, family):
    response = browser.get(reverse("child-detail", args=[family.child.pk]))

    assert response.status_code == 200


def test_the_token_from_before_sign_in_no_longer_works(parent, family):
    client = APIClient(enforce_csrf_checks=True)
    client.get(reverse("login"))
    token_before = csrf_token(client)
    client.post(
        reverse("login"),
        {"username": parent.username, "password": PASSWORD, "csrfmiddlewaretoken": token_before},
        format="multipart",
    )

    response = client.post(reverse("child-list"), {"name": "Alice"}, HTTP_X_CSRFTOKEN=token_before)

    assert csrf_token(client) != token_before  # Django rotates it on sign-in
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@pytest.mark.parametrize("write", WRITES, ids=WRITE_IDS)
def test_a_token_authenticated_write_needs_no_csrf_token(parent, family, write):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(parent)}")

    response = send(client, family, write)

    assert 200 <= response.status_code < 300, response.content
