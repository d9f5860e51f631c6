"""A body over API_MAX_BODY_BYTES under /api/ is refused with a JSON 413 before anything is buffered
(issue 13, item 5): with a `Content-Length` at once, chunked as soon as the count passes the cap.

First the middleware alone, with a fake application and pure asyncio; then a real uvicorn serving
`chorehub.asgi:application` and a real gunicorn serving `chorehub.wsgi:application` (its own
middleware, `kernel.wsgi_body_limit`, is tested alone in `test_wsgi_front.py`). There a 64 MiB
chunked POST is answered before the client could send it (the server stopped reading), as
Django's ASGI handler, which writes every body whole to a temporary file first, never could.
"""

import asyncio
import json

import httpx
import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator

from kernel.body_limit import BODY_TOO_LARGE, ApiBodyLimit
from testsupport.asgi_server import AsgiServer
from testsupport.wsgi_server import WsgiServer

CAP = 1000


class FakeApp:
    """An ASGI app that reads its whole body and answers 200 with its length."""

    def __init__(self) -> None:
        self.called = False
        self.body = b""

    async def __call__(self, scope, receive, send) -> None:
        self.called = True
        while True:
            message = await receive()
            self.body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(len(self.body)).encode()})


class Client:
    """The server side of one request: the messages a client would send, counted as read."""

    def __init__(self, chunks: list[bytes], *, disconnect: bool = False) -> None:
        self.messages = [
            {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
            for index, chunk in enumerate(chunks)
        ]
        if disconnect:
            self.messages[-1]["more_body"] = True
            self.messages.append({"type": "http.disconnect"})
        self.read = 0
        self.sent: list[dict] = []

    async def receive(self) -> dict:
        if self.read < len(self.messages):
            self.read += 1
            return self.messages[self.read - 1]
        await asyncio.sleep(3600)  # a real connection waits for the client's next move
        raise AssertionError("unreachable")

    async def send(self, message: dict) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return self.sent[0]["status"]

    @property
    def headers(self) -> dict[bytes, bytes]:
        return dict(self.sent[0]["headers"])

    @property
    def body(self) -> bytes:
        return b"".join(message.get("body", b"") for message in self.sent[1:])


def scope(path: str = "/api/auth/register/", *, content_length: int | None = None) -> dict:
    headers = [(b"content-type", b"application/json")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    return {"type": "http", "method": "POST", "path": path, "root_path": "", "headers": headers}


def run(app, request_scope: dict, client: Client) -> None:
    asyncio.run(asyncio.wait_for(app(request_scope, client.receive, client.send), timeout=5))


def assert_refused(client: Client) -> None:
    assert client.status == 413
    assert client.headers[b"content-type"] == b"application/json"
    assert json.loads(client.body) == {"detail": BODY_TOO_LARGE.format(limit=CAP)}


def test_a_declared_length_over_the_cap_is_refused_without_reading_the_body():
    app, client = FakeApp(), Client([b"x" * 600, b"x" * 600])

    run(ApiBodyLimit(app, max_bytes=CAP), scope(content_length=1200), client)

    assert_refused(client)
    assert client.read == 0
    assert not app.called


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_cap():
    app, client = FakeApp(), Client([b"x" * 400, b"x" * 400, b"x" * 400, b"x" * 400, b"x" * 400])

    run(ApiBodyLimit(app, max_bytes=CAP), scope(), client)

    assert_refused(client)
    assert client.read == 3  # 1200 bytes: the third chunk passed the cap; no more was read
    assert not app.called


def test_a_body_at_the_cap_reaches_the_app_whole_in_one_message():
    app, client = FakeApp(), Client([b"a" * 400, b"b" * 400, b"c" * 200])

    run(ApiBodyLimit(app, max_bytes=CAP), scope(), client)

    assert client.status == 200
    assert app.body == b"a" * 400 + b"b" * 400 + b"c" * 200


def test_a_chunked_body_reaches_the_app_with_its_length():
    # DRF reads no body without a Content-Length; once the body is whole, its length is known.
    seen = {}

    async def app(scope, receive, send):
        seen.update(scope)

    chunked = scope()
    chunked["headers"].append((b"transfer-encoding", b"chunked"))

    run(ApiBodyLimit(app, max_bytes=CAP), chunked, Client([b"a" * 400, b"b" * 300]))

    assert dict(seen["headers"])[b"content-length"] == b"700"
    assert b"transfer-encoding" not in dict(seen["headers"])


def test_a_declared_length_within_the_cap_is_still_counted():
    # The declared length is the client's word; the bytes that arrive are what count.
    app, client = FakeApp(), Client([b"x" * 800, b"x" * 800])

    run(ApiBodyLimit(app, max_bytes=CAP), scope(content_length=900), client)

    assert_refused(client)
    assert not app.called


def test_after_the_body_the_app_still_hears_the_client_disconnect():
    received = []

    async def app(scope, receive, send):
        received.append(await receive())
        received.append(await receive())

    client = Client([b"{}"])
    client.messages.append({"type": "http.disconnect"})

    run(ApiBodyLimit(app, max_bytes=CAP), scope(), client)

    assert [message["type"] for message in received] == ["http.request", "http.disconnect"]


def test_a_client_gone_before_its_body_ended_reaches_nothing():
    app, client = FakeApp(), Client([b"x" * 100], disconnect=True)

    run(ApiBodyLimit(app, max_bytes=CAP), scope(), client)

    assert not app.called
    assert client.sent == []


@pytest.mark.parametrize("path", ["/admin/login/", "/accounts/login/", "/", "/apis/"])
def test_other_paths_pass_untouched(path):
    app, client = FakeApp(), Client([b"x" * 3000])

    run(ApiBodyLimit(app, max_bytes=CAP), scope(path, content_length=3000), client)

    assert client.status == 200
    assert app.body == b"x" * 3000


def test_under_a_root_path_the_api_prefix_is_found_after_it():
    app, client = FakeApp(), Client([b"x" * 3000])
    mounted = {**scope("/chorehub/api/auth/register/"), "root_path": "/chorehub"}

    run(ApiBodyLimit(app, max_bytes=CAP), mounted, client)

    assert_refused(client)


def test_lifespan_and_websocket_scopes_pass_untouched():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    for kind in ["lifespan", "websocket"]:
        asyncio.run(ApiBodyLimit(app, max_bytes=CAP)({"type": kind, "path": "/api/"}, None, None))

    assert seen == ["lifespan", "websocket"]


def test_the_cap_defaults_to_one_mebibyte():
    assert settings.API_MAX_BODY_BYTES == 1024 * 1024


# --- A real server -------------------------------------------------------------------------------

MIB = 1024 * 1024
HUGE_BODY = 64 * MIB


@pytest.fixture(scope="module", params=[AsgiServer, WsgiServer], ids=["uvicorn", "gunicorn"])
def server(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """`make run`'s server (ASGI) and `make run-pushpin`'s (WSGI): each has the cap."""
    logs = tmp_path_factory.mktemp("server-logs")
    with (
        django_db_blocker.unblock(),
        request.param(env={"CHOREHUB_LOG_DIR": str(logs)}, log_path=logs / "server.log") as running,
    ):
        yield running


class CountedBody:
    """A chunked request body (no Content-Length) of `total` bytes, counting what the client got
    to send."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total, self.chunk, self.sent = total, chunk, 0

    def __iter__(self):
        data = b"x" * self.chunk
        while self.sent < self.total:
            self.sent += self.chunk
            yield data


def assert_413(response: httpx.Response) -> None:
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": BODY_TOO_LARGE.format(limit=MIB)}


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_chunked_post_over_the_cap_is_a_413_before_it_is_all_sent(server):
    body = CountedBody(HUGE_BODY)

    response = httpx.post(
        f"{server.url}/api/auth/register/",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )

    assert_413(response)
    assert "content-length" not in response.request.headers  # chunked
    # The server stopped reading past the cap: the client could not send more than the cap plus
    # what the sockets' buffers hold (a few MiB on loopback), far from the 64 MiB.
    assert body.sent < HUGE_BODY / 4


@pytest.mark.django_db(transaction=True)
def test_a_post_declaring_a_length_over_the_cap_is_a_413(server):
    response = httpx.post(
        f"{server.url}/api/auth/register/",
        content=b"x" * (5 * MIB),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )

    assert_413(response)
    assert response.request.headers["content-length"] == str(5 * MIB)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_under_the_cap_reaches_the_api_whole(server, chunked):
    # Just under 1 MiB, with a field the API does not take: its 400 names the field, so the body
    # was read to its end.
    payload = {"username": "maria", "password": "violet-harbour-42", "padding": "x" * (MIB - 200)}
    encoded = json.dumps(payload).encode()
    assert len(encoded) < MIB

    response = httpx.post(
        f"{server.url}/api/auth/register/",
        content=iter([encoded[: MIB // 2], encoded[MIB // 2 :]]) if chunked else encoded,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )

    assert response.status_code == 400
    assert list(response.json()) == ["padding"]


@pytest.mark.django_db(transaction=True)
def test_a_small_post_still_registers(server):
    response = httpx.post(
        f"{server.url}/api/auth/register/",
        json={"username": "maria", "password": "violet-harbour-42"},
        timeout=30,
    )

    assert response.status_code == 201, response.text


@pytest.mark.django_db(transaction=True)
def test_the_admin_is_not_held_to_the_api_cap(server):
    response = httpx.post(
        f"{server.url}/admin/login/",
        content=b"x" * (2 * MIB),
        headers={"Content-Type": "application/octet-stream"},
        timeout=30,
    )

    assert response.status_code != 413


def test_the_schema_documents_the_413_on_every_operation_with_a_body():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [
        operation
        for path_item in schema["paths"].values()
        for operation in path_item.values()
        if isinstance(operation, dict) and "requestBody" in operation
    ]

    assert operations
    assert all("413" in operation["responses"] for operation in operations)
