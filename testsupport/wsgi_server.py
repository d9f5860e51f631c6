"""A real WSGI server (gunicorn, gthread) in a subprocess, on a free loopback port: what serves the
API behind Pushpin (`make run-pushpin`). Started, waited for and stopped as `AsgiServer` is."""

from pathlib import Path

from testsupport.asgi_server import AsgiServer

THREADS = 8


class WsgiServer(AsgiServer):
    """One gunicorn worker with `THREADS` threads serving `app`; `options` are more gunicorn
    options. A short graceful timeout: Pushpin keeps its connections to the server open."""

    def __init__(self, *, app: str = "chorehub.wsgi:application", **kwargs) -> None:
        super().__init__(app=app, **kwargs)

    @property
    def command(self) -> str:
        return (
            f"gunicorn {self.app} --bind 127.0.0.1:{self.port} --worker-class gthread "
            f"--workers 1 --threads {THREADS} --graceful-timeout 5 --log-level warning"
        )

    def serving_pids(self) -> list[int]:
        """gunicorn's workers (the master only watches them)."""
        pid = self.process.pid
        return [
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
