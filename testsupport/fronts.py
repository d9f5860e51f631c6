"""Who answers a test's requests: one uvicorn process on its own ("direct", as `make run`), or
gunicorn processes (WSGI) behind a real Pushpin that holds the streams ("pushpin", issue 16, as
`make run-pushpin`). Both have `url`, where clients connect, so that a stream test runs unchanged
through either."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

from deploy.pushpin import Pushpin
from testsupport.asgi_server import AsgiServer
from testsupport.wsgi_server import WsgiServer

FRONTS = ["direct", "pushpin"]


class ServedThroughPushpin:
    """Pushpin instances in front of `servers`: clients use `url` (the first instance's) or any
    instance's `url`; each server is also reachable directly."""

    def __init__(self, pushpins: list[Pushpin], servers: list[WsgiServer]):
        self.pushpins = pushpins
        self.servers = servers
        self.url = pushpins[0].url

    def stop(self) -> None:
        for pushpin in self.pushpins:
            pushpin.stop()
        for server in self.servers:
            server.stop()


@contextlib.contextmanager
def serving(
    front: str, logs: Path, *, processes: int = 1, pushpins: int = 1, **env: str
) -> Iterator:
    """Start `front` ("direct" or "pushpin": `pushpins` instances in front of `processes` servers)
    with `env` for the servers, logging into `logs`."""
    if front == "direct":
        server = AsgiServer(
            env={"CHOREHUB_LOG_DIR": str(logs), **env}, log_path=logs / "server.log"
        )
        with server:
            yield server
        return
    proxies = [Pushpin([], folder=logs / f"pushpin-{number}") for number in range(pushpins)]
    grip_url = ",".join(pushpin.grip_url for pushpin in proxies)
    servers = [
        WsgiServer(
            env={
                "CHOREHUB_LOG_DIR": str(logs),
                "GRIP_URL": grip_url,
                "FORWARDED_ALLOW_IPS": "127.0.0.1",  # Pushpin, on this machine
                **env,
            },
            log_path=logs / f"server-{number}.log",
        )
        for number in range(processes)
    ]
    for pushpin in proxies:
        pushpin.upstreams = [f"127.0.0.1:{server.port}" for server in servers]
    front_door = ServedThroughPushpin(proxies, servers)
    try:
        for server in servers:
            server.start()
        for pushpin in proxies:
            pushpin.start()
        yield front_door
    finally:
        front_door.stop()
