"""A real ASGI server (uvicorn) in a subprocess, on a free loopback port, for tests and benchmarks
that need one: the event stream, the browser tests."""

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
from django.db import connection

from deploy.ports import free_port

BASE_DIR = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The URL of the database this process uses now (the test database inside tests)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class AsgiServer:
    """One uvicorn process (no workers, no reload) serving `app` on a free loopback port; on the
    database this process uses unless `env` names one. `options` are more uvicorn options (those
    of `make run`'s command, for instance)."""

    def __init__(
        self,
        *,
        app: str = "chorehub.asgi:application",
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        options: Sequence[str] = (),
    ):
        self.app = app
        self.options = list(options)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = env or {}
        if "DATABASE_URL" not in env:
            env = {"DATABASE_URL": database_url(), **env}
        self.env = {**os.environ, "DEBUG": "1", **env}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def command(self) -> str:
        return f"uvicorn {self.app} --host 127.0.0.1 --port {self.port} --log-level warning"

    def start(self, timeout: float = 30) -> "AsgiServer":
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", *self.command.split(), *self.options],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                httpx.get(f"{self.url}/api/schema/", timeout=2)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer on {self.url} within {timeout}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def serving_pids(self) -> list[int]:
        """The processes that answer requests (uvicorn without workers: the one started)."""
        return [self.process.pid]

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown, no cleanup, transactions cut mid-flight."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "AsgiServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
