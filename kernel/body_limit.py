"""A cap on request bodies under /api/, enforced in front of Django before anything is buffered.

Django's ASGI handler reads a whole body into a temporary file (on disk past
FILE_UPLOAD_MAX_MEMORY_SIZE) before any middleware or view can look at it, so a chunked 600 MB POST
was written whole to the server's temporary folder before its 400. `ApiBodyLimit` wraps the Django
application: a `Content-Length` over the cap is refused without reading the body; a body without
one (chunked) is held in memory as it arrives and refused as soon as it passes the cap. Django only
ever sees a body that is complete and within the cap, replayed as one message with its length.

Plain ASGI, no Django import: `chorehub.asgi` wraps the application with it.
"""

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_TOO_LARGE = "Request body too large: at most {limit} bytes."


class ApiBodyLimit:
    """ASGI middleware: HTTP requests whose path starts with `prefix` get a JSON 413 when their body
    is larger than `max_bytes`; other requests (the admin, the live page) pass untouched."""

    def __init__(self, app: AsgiApp, *, max_bytes: int, prefix: str = "/api/") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not request_path(scope).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self.refuse(send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                # http.disconnect: the client is gone before its body was complete; nobody to answer.
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self.refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        await self.app(with_length(scope, len(body)), replay(body, receive), send)

    async def refuse(self, send: Send) -> None:
        body = json.dumps({"detail": BODY_TOO_LARGE.format(limit=self.max_bytes)}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    # The rest of the body is never read: the connection cannot carry another request.
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the whole body once, then whatever the connection says next (Django
    listens for `http.disconnect` while it answers)."""
    given = False

    async def receive_replayed() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_replayed


def with_length(scope: Scope, length: int) -> Scope:
    """The scope with the body's real `Content-Length`: a chunked request has none, and DRF reads
    no body without one."""
    headers = [
        (name, value)
        for name, value in scope.get("headers", ())
        if name.lower() not in (b"content-length", b"transfer-encoding")
    ]
    return {**scope, "headers": [*headers, (b"content-length", str(length).encode())]}


def request_path(scope: Scope) -> str:
    """The path as the application routes it: without the `root_path` a proxy mounts it under."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def declared_length(scope: Scope) -> int | None:
    """The `Content-Length` the client declared, or None if there is none (chunked) or it is not a
    number (the server refuses that itself)."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
