"""Who answers a test's requests: one uvicorn process on its own ("direct"), or uvicorn processes
behind a real Pushpin that holds the streams ("pushpin", issue 16). Both have `url`, where clients
connect, so that a stream test runs unchanged through either."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

from deploy.pushpin import Pushpin
from testsupport.asgi_server import AsgiServer

FRONTS = ["direct", "pushpin"]


class ServedThroughPushpin:
    """Pushpin in front of `servers`: clients use `url`; each server is also reachable directly."""

    def __init__(self, pushpin: Pushpin, servers: list[AsgiServer]):
        self.pushpin = pushpin
        self.servers = servers
        self.url = pushpin.url

    def stop(self) -> None:
        self.pushpin.stop()
        for server in self.servers:
            server.stop()


@contextlib.contextmanager
def serving(front: str, logs: Path, *, processes: int = 1, **env: str) -> Iterator:
    """Start `front` ("direct" or "pushpin") with `env` for the servers, logging into `logs`."""
    if front == "direct":
        server = AsgiServer(
            env={"CHOREHUB_LOG_DIR": str(logs), **env}, log_path=logs / "server.log"
        )
        with server:
            yield server
        return
    pushpin = Pushpin([], folder=logs / "pushpin")
    servers = [
        AsgiServer(
            env={"CHOREHUB_LOG_DIR": str(logs), "GRIP_URL": pushpin.grip_url, **env},
            log_path=logs / f"server-{number}.log",
        )
        for number in range(processes)
    ]
    pushpin.upstreams = [f"127.0.0.1:{server.port}" for server in servers]
    front_door = ServedThroughPushpin(pushpin, servers)
    try:
        for server in servers:
            server.start()
        pushpin.start()
        yield front_door
    finally:
        front_door.stop()
