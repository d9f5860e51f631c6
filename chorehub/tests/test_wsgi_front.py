"""The WSGI application's own front (`chorehub.wsgi`, what serves the API behind Pushpin): the
body cap under /api/ (`kernel.wsgi_body_limit`) and the client's address from a trusted proxy
(`chorehub.forwarded`), each alone with a fake application; `test_body_limits.py` and
`accounts/tests/test_forwarded_headers.py` run them in a real gunicorn."""

import io
import json

import pytest

from chorehub.forwarded import TrustedProxies, trusted_proxies
from kernel.body_limit import BODY_TOO_LARGE
from kernel.wsgi_body_limit import WsgiApiBodyLimit

CAP = 1000


class FakeApp:
    """A WSGI app that reads its body as Django would (by CONTENT_LENGTH, or to the end of a
    terminated input) and answers 200 with its length; keeps the environ it was given."""

    def __init__(self) -> None:
        self.environ: dict | None = None

    def __call__(self, environ, start_response):
        self.environ = environ
        length = environ.get("CONTENT_LENGTH")
        stream = environ["wsgi.input"]
        if length:
            body = stream.read(int(length))
        elif environ.get("wsgi.input_terminated"):
            body = stream.read()
        else:
            body = b""
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(len(body)).encode()]


class CountingInput(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        self.read_bytes += len(data)
        return data


def call(app, *, path="/api/auth/register/", body=b"", length=None, chunked=False, **extra):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "wsgi.input": CountingInput(body),
        "wsgi.input_terminated": True,  # as gunicorn sets it
        "REMOTE_ADDR": "127.0.0.1",
        **extra,
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = str(length)
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    answered = {}

    def start_response(status, headers):
        answered["status"], answered["headers"] = status, dict(headers)

    answered["body"] = b"".join(app(environ, start_response))
    answered["read"] = environ["wsgi.input"].read_bytes
    return answered


def test_a_declared_length_over_the_cap_is_refused_without_reading_the_body():
    inner = FakeApp()
    answer = call(WsgiApiBodyLimit(inner, max_bytes=CAP), body=b"x" * 5000, length=5000)
    assert answer["status"].startswith("413")
    assert json.loads(answer["body"]) == {"detail": BODY_TOO_LARGE.format(limit=CAP)}
    assert answer["headers"]["Connection"] == "close"
    assert answer["read"] == 0
    assert inner.environ is None


def test_a_chunked_body_over_the_cap_is_refused_after_one_byte_past_it():
    inner = FakeApp()
    answer = call(WsgiApiBodyLimit(inner, max_bytes=CAP), body=b"x" * 50_000, chunked=True)
    assert answer["status"].startswith("413")
    assert answer["read"] == CAP + 1
    assert inner.environ is None


@pytest.mark.parametrize("size", [0, 1, CAP])
def test_a_chunked_body_within_the_cap_reaches_the_app_whole_with_its_length(size):
    inner = FakeApp()
    answer = call(WsgiApiBodyLimit(inner, max_bytes=CAP), body=b"y" * size, chunked=True)
    assert (answer["status"], answer["body"]) == ("200 OK", str(size).encode())
    assert inner.environ["CONTENT_LENGTH"] == str(size)
    assert "HTTP_TRANSFER_ENCODING" not in inner.environ


def test_a_declared_length_within_the_cap_passes_as_it_came():
    inner = FakeApp()
    answer = call(WsgiApiBodyLimit(inner, max_bytes=CAP), body=b"z" * CAP, length=CAP)
    assert answer["body"] == str(CAP).encode()


@pytest.mark.parametrize("path", ["/admin/login/", "/kid/", "/apis/"])
def test_other_paths_pass_untouched(path):
    inner = FakeApp()
    answer = call(WsgiApiBodyLimit(inner, max_bytes=CAP), path=path, body=b"x" * 5000, length=5000)
    assert answer["body"] == b"5000"


def test_a_request_without_a_body_is_not_read():
    inner = FakeApp()
    answer = call(WsgiApiBodyLimit(inner, max_bytes=CAP), body=b"")
    assert answer["status"] == "200 OK"
    assert "CONTENT_LENGTH" not in inner.environ


# --- The client's address ----------------------------------------------------------------------


def test_a_trusted_proxys_forwarded_address_becomes_the_client_address():
    inner = FakeApp()
    app = TrustedProxies(inner, ["127.0.0.1"])
    call(app, HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https")
    assert inner.environ["REMOTE_ADDR"] == "198.51.100.7"
    assert inner.environ["wsgi.url_scheme"] == "https"


def test_only_the_entry_the_proxy_appended_is_believed():
    """A client's own `X-Forwarded-For` comes before what the proxy appends: it is not taken."""
    inner = FakeApp()
    call(TrustedProxies(inner, ["127.0.0.1"]), HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7")
    assert inner.environ["REMOTE_ADDR"] == "198.51.100.7"


def test_from_any_other_peer_the_header_is_ignored():
    inner = FakeApp()
    app = TrustedProxies(inner, ["127.0.0.1"])
    call(app, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert inner.environ["REMOTE_ADDR"] == "203.0.113.5"


def test_the_setting_is_a_comma_separated_list():
    assert trusted_proxies("") == []
    assert trusted_proxies(" 127.0.0.1, 10.0.0.5 ,") == ["127.0.0.1", "10.0.0.5"]
