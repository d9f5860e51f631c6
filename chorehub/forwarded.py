"""The client's address behind a proxy, for the WSGI application: gunicorn leaves `REMOTE_ADDR` as
the proxy's (it reads `X-Forwarded-For` for nothing), and the sign-in lockouts and the throttles
count by that address, so behind Pushpin every client would be one. Werkzeug's ProxyFix takes
the address from the last `X-Forwarded-For` entry (the one the proxy appended), but only for a
request whose peer is one of the proxies named, as uvicorn's `--forwarded-allow-ips` does."""

from collections.abc import Collection, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix


class TrustedProxies:
    """WSGI middleware: `X-Forwarded-For` and `X-Forwarded-Proto` believed from `trusted` peers
    (addresses; `*` for any), one proxy deep; from any other peer, ignored."""

    def __init__(self, app: Any, trusted: Collection[str]) -> None:
        self.app = app
        self.trusted = frozenset(trusted)
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        peer = environ.get("REMOTE_ADDR")
        if "*" in self.trusted or peer in self.trusted:
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)


def trusted_proxies(setting: str) -> list[str]:
    """`FORWARDED_ALLOW_IPS` (comma-separated, as uvicorn and gunicorn read it) as a list."""
    return [address.strip() for address in setting.split(",") if address.strip()]
