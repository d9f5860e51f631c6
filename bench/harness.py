"""What the HTTP benchmarks share: a database of their own, migrated; Django set up on it in the
benchmark process; a uvicorn server on it in a subprocess; the server's memory, threads and CPU
read from /proc; percentiles.

The benchmarks never touch the project's db.sqlite3 or its logs/: SQLite runs on a file in a
temporary folder, PostgreSQL on a database the benchmark creates and drops on the server that
DATABASE_URL names.
"""

import argparse
import contextlib
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
# Benchmarks run as scripts (`python bench/load.py`): make the project importable.
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from testsupport.asgi_server import AsgiServer  # noqa: E402

# Production settings (DEBUG off: no query log, no debug pages), served over plain HTTP on loopback.
SERVER_SETTINGS = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "LOG_LEVEL": "WARNING",
    # Closed-loop clients go far over a person's rate: count (the throttle's cost stays measured)
    # but never refuse.
    "THROTTLE_USER": "1000000/min",
    "THROTTLE_ANON": "1000000/min",
    # The fan-out benchmark opens hundreds of streams for one parent.
    "EVENTSTREAM_MAX_PER_USER": "100000",
}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the two nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def against_base(
    timings: dict[str, list[float]], base: str
) -> dict[str, tuple[float, float, float]]:
    """Each variant's p50, p95 and p50 ratio to the `base` variant's p50."""
    reference = percentile(timings[base], 50)
    return {
        variant: (
            percentile(values, 50),
            percentile(values, 95),
            percentile(values, 50) / reference,
        )
        for variant, values in timings.items()
    }


def raise_open_files_limit(wanted: int) -> int:
    """Raise this process's soft limit on open files (the server subprocess inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        cpu = next(
            (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
            cpu,
        )
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"
    )


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def other_load() -> str:
    """How busy the machine is before the benchmark starts anything (one second's sample)."""
    busy, total = machine_busy_ticks()
    time.sleep(1)
    busy2, total2 = machine_busy_ticks()
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{(busy2 - busy) / max(total2 - total, 1):.0%} busy, load average {load}"


@contextlib.contextmanager
def bench_database(url: str | None, name: str, *, keep: bool = False) -> Iterator[str]:
    """Yield the URL of a fresh, empty database of the benchmark's own.

    No URL: SQLite in a temporary folder (removed afterwards). A postgres:// URL: the database
    `name` on that server, dropped first if a previous run left it, and dropped afterwards
    unless `keep`.
    """
    if not url:
        folder = Path(tempfile.mkdtemp(prefix=f"{name}-"))
        try:
            yield f"sqlite:///{folder / 'bench.sqlite3'}"
        finally:
            if not keep:
                shutil.rmtree(folder, ignore_errors=True)
        return
    import psycopg

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
        raise SystemExit(f"DATABASE_URL must be SQLite (unset) or PostgreSQL, not {parts.scheme}")
    admin = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password) if parts.password else None,
        "dbname": "postgres",
        "autocommit": True,
    }

    def run(sql: str) -> None:
        with psycopg.connect(**admin) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        if not keep:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def in_process_arguments(description: str, script: str) -> argparse.Namespace:
    """The arguments of the in-process benchmarks (calls interleaved in blocks, on PostgreSQL)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--calls", type=int, default=3000, help="measured, per variant")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured, per variant")
    parser.add_argument("--block", type=int, default=50, help="calls in a row per variant")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgres"):
        raise SystemExit(f"bench/{script} needs PostgreSQL: set DATABASE_URL=postgres://...")
    return args


def server_env(database_url: str, log_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        **SERVER_SETTINGS,
        "DATABASE_URL": database_url,
        "CHOREHUB_LOG_DIR": str(log_dir),
        "DJANGO_SETTINGS_MODULE": "chorehub.settings",
    }


def migrate(env: dict[str, str]) -> None:
    """`manage.py migrate` on the benchmark's database."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


def setup_django(env: dict[str, str]) -> None:
    """Set Django up in this process on the benchmark's database (for its data and its checks)."""
    os.environ.update({key: env[key] for key in (*SERVER_SETTINGS, "DATABASE_URL")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "chorehub.settings"
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


class UvicornServer(AsgiServer):
    """The tests' real server, plus readings of its process from /proc."""

    def __init__(self, app: str, *, env: dict[str, str], log_path: Path, workers: int = 1):
        options = ["--workers", str(workers)] if workers > 1 else []
        super().__init__(app=app, env=env, log_path=log_path, options=options)

    def status(self, field: str) -> int:
        """A number from /proc/<pid>/status, e.g. VmRSS (kB) or Threads."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
        raise KeyError(field)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far: its process and, with --workers,
        the worker processes it started (their time reaches its own only when they exit)."""
        ticks = 0
        for stat_path in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat_path.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended while we looked
                continue
            if stat_path.parent.name == str(self.process.pid) or fields[1] == str(self.process.pid):
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


class GunicornServer(UvicornServer):
    """The WSGI application (`chorehub.wsgi`) under gunicorn instead: a master and `workers`
    worker processes, each with `threads` threads (gthread) that live as long as the server."""

    def __init__(
        self, app: str, *, env: dict[str, str], log_path: Path, workers: int = 1, threads: int = 16
    ):
        super().__init__(app, env=env, log_path=log_path)
        self.options = ["--workers", str(workers), "--threads", str(threads)]

    @property
    def command(self) -> str:
        return (
            f"gunicorn {self.app} --bind 127.0.0.1:{self.port} --worker-class gthread "
            "--log-level warning"
        )
