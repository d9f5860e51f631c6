"""The cap on request bodies under /api/ for the WSGI application (`chorehub.wsgi`), as
`kernel.body_limit.ApiBodyLimit` is for the ASGI one: a JSON 413, the same message.

Django's WSGI request reads a body without a `Content-Length` (chunked; gunicorn marks its input
`wsgi.input_terminated`) whole into memory, whatever DATA_UPLOAD_MAX_MEMORY_SIZE says, since that
check only looks at the declared length. So a declared length over the cap is refused without
reading the body, and a chunked body is read up to one byte past the cap, refused if it gets
there, and otherwise handed to Django whole, with its length.

Plain WSGI, no Django import.
"""

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from kernel.body_limit import BODY_TOO_LARGE

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class WsgiApiBodyLimit:
    """WSGI middleware: requests whose path starts with `prefix` get a JSON 413 when their body
    is larger than `max_bytes`; other requests pass untouched."""

    def __init__(self, app: WsgiApp, *, max_bytes: int, prefix: str = "/api/") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if not environ.get("PATH_INFO", "").startswith(self.prefix):
            return self.app(environ, start_response)
        declared = declared_length(environ)
        if declared is not None:
            if declared > self.max_bytes:
                return self.refuse(start_response)
            return self.app(environ, start_response)
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked or not environ.get("wsgi.input_terminated"):
            return self.app(environ, start_response)  # no body (or none Django would read)
        body = environ["wsgi.input"].read(self.max_bytes + 1)
        if len(body) > self.max_bytes:
            return self.refuse(start_response)
        replayed = {
            **environ,
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input_terminated": False,
        }
        replayed.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(replayed, start_response)

    def refuse(self, start_response: StartResponse) -> list[bytes]:
        body = json.dumps({"detail": BODY_TOO_LARGE.format(limit=self.max_bytes)}).encode()
        start_response(
            "413 Request Entity Too Large",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                # The rest of the body is never read: the connection cannot carry another request.
                ("Connection", "close"),
            ],
        )
        return [body]


def declared_length(environ: Environ) -> int | None:
    """The `Content-Length` the client declared, or None if there is none or it is not a number."""
    try:
        return int(environ["CONTENT_LENGTH"])
    except (KeyError, ValueError):
        return None
