"""Who holds a stream in the stream tests: a parent with an API token, or signed in through the
running server with a browser session."""

import contextlib
from collections.abc import Iterator

import httpx
from django.apps import apps

from testsupport.asgi_server import AsgiServer
from testsupport.factories import ChildFactory, TaskFactory, UserFactory
from testsupport.tokens import token_for

PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's


def stream_url(server: AsgiServer) -> str:
    return f"{server.url}/api/events/"


def token_models() -> list:
    """The API token models installed: django-rest-knox's, DRF's authtoken, or both."""
    models = []
    if apps.is_installed("knox"):
        models.append(apps.get_model("knox", "AuthToken"))
    if apps.is_installed("rest_framework.authtoken"):
        models.append(apps.get_model("authtoken", "Token"))
    return models


def tokens_of(user) -> list:
    return [token for model in token_models() for token in model.objects.filter(user=user)]


def revoke_tokens_of(user) -> None:
    """Delete every API token of `user` (revoking is deleting the row, in either library)."""
    for model in token_models():
        model.objects.filter(user=user).delete()


@contextlib.contextmanager
def browser_session(server: AsgiServer, user) -> Iterator[httpx.Client]:
    """A client signed in at /accounts/login/ (a session cookie), as a browser is."""
    with httpx.Client(base_url=server.url) as browser:
        browser.get("/accounts/login/")
        login = browser.post(
            "/accounts/login/",
            data={
                "username": user.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
        )
        assert login.status_code == 302, login.text
        yield browser


def sign_out(browser: httpx.Client) -> None:
    response = browser.post(
        "/accounts/logout/", headers={"X-CSRFToken": browser.cookies["csrftoken"]}
    )
    assert response.status_code == 302, response.text


def stream_status(
    server: AsgiServer,
    *,
    token: str | None = None,
    cookies: httpx.Cookies | None = None,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | list[tuple[str, str]] | None = None,
) -> httpx.Response:
    """Ask for a stream and return the answer without reading an open stream's body (its headers
    and status only); a refusal's body is read."""
    headers = {"Accept": "text/event-stream", **(headers or {})}
    if token:
        headers["Authorization"] = f"Token {token}"
    with (
        httpx.Client(timeout=10, cookies=cookies) as client,
        client.stream("GET", stream_url(server), headers=headers, params=params) as response,
    ):
        if response.status_code != 200:
            response.read()
        return response


class StreamFamily:
    """A parent with one child and an assigned chore, committed for the server to see, and an API
    token."""

    def __init__(self, server: AsgiServer, points: int = 10):
        self.server = server
        self.parent = UserFactory()
        self.child = ChildFactory(owner=self.parent)
        self.chore = TaskFactory(owner=self.parent, points=points)
        self.child.tasks.add(self.chore)
        self.token = token_for(self.parent)

    def activate(self, token: str | None = None) -> None:
        response = httpx.post(
            f"{self.server.url}/api/children/{self.child.pk}/activate/",
            json={"task_id": self.chore.pk},
            headers={"Authorization": f"Token {token or self.token}"},
        )
        assert response.status_code == 200, response.text
