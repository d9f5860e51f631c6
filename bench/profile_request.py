"""Where a tracked activation's CPU goes (PostgreSQL): `POST /api/children/{id}/activate/` profiled
in this process, its own time grouped by what it belongs to, and the cost of the ASGI path beside
the plain handler's.

Creates (and drops) a database of its own on the server DATABASE_URL names, migrates it and makes
one family (an owner with a token, a child, a chore). Then:

1. times --requests activations through Django's WSGI handler (Django's test client) and the
   same through the ASGI application (`chorehub.asgi`, driven in-process: the request crosses
   from the event loop to a worker thread and back, as under uvicorn, without the network);
2. profiles --requests more through the WSGI handler with cProfile, and prints each group's share
   of the own time (tottime): the database driver and the wait for PostgreSQL, the ORM's query
   building and compilation, DRF, authentication, middleware and the request/response
   machinery, the project's own code, and the rest.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/profile_request.py \\
        --requests 1000
"""

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    bench_database,
    machine,
    migrate,
    other_load,
    percentile,
    server_env,
    setup_django,
)

DATABASE_NAME = "chorehub_bench_profile"
PROJECT_APPS = (
    "accounts", "achievements", "children", "chorehub", "devices", "households", "idempotency",
    "insights", "kernel", "rewards", "tracking",
)  # fmt: skip
# (group, path fragment), first match wins: the order puts the narrow fragments first.
GROUPS = (
    ("PostgreSQL driver and wait", "/psycopg"),
    ("ORM: query building and compilation", "/django/db/models/"),
    ("ORM: backend and cursor wrappers", "/django/db/"),
    ("DRF: serializers and fields", "/rest_framework/serializers"),
    ("DRF: serializers and fields", "/rest_framework/fields"),
    ("authentication (knox, DRF, axes)", "/knox/"),
    ("authentication (knox, DRF, axes)", "/rest_framework/authentication"),
    ("authentication (knox, DRF, axes)", "/axes/"),
    ("DRF: views, parsers, renderers, throttles", "/rest_framework/"),
    ("middleware and request/response", "/django/middleware/"),
    ("middleware and request/response", "/django/core/handlers/"),
    ("middleware and request/response", "/django/http/"),
    ("middleware and request/response", "/django/contrib/"),
    ("URL resolving", "/django/urls/"),
    ("signals and transactions", "/django/dispatch/"),
    ("test client (not in production)", "/django/test/"),
    ("logging and the audit file", "/logging/"),
    ("logging and the audit file", "/concurrent_log_handler/"),
    ("JSON", "/json/"),
    ("Django, other", "/django/"),
)


def group_of(filename: str) -> str:
    for group, fragment in GROUPS:
        if fragment in filename:
            return group
    parts = Path(filename).parts
    if "site-packages" not in parts and any(part in PROJECT_APPS for part in parts):
        return "ChoreHub's own code"
    return "Python and other libraries"


def make_family():
    from testsupport.factories import ChildFactory, TaskFactory, UserFactory
    from testsupport.tokens import token_for

    owner = UserFactory(username="profiled")
    child = ChildFactory(owner=owner, name="Profiled child")
    chore = TaskFactory(owner=owner, points=5)
    child.tasks.add(chore)
    return token_for(owner), child.pk, chore.pk


def wsgi_caller(token: str, child_id: int, chore_id: int):
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="localhost")
    url = f"/api/children/{child_id}/activate/"
    body = f'{{"task_id": {chore_id}}}'

    def call() -> None:
        response = client.post(url, body, content_type="application/json")
        if response.status_code != 200:
            raise SystemExit(f"WSGI: {response.status_code} {response.content[:300]!r}")

    return call


def asgi_caller(token: str, child_id: int, chore_id: int):
    from chorehub.asgi import application

    body = f'{{"task_id": {chore_id}}}'.encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/api/children/{child_id}/activate/",
        "raw_path": f"/api/children/{child_id}/activate/".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"localhost"),
            (b"authorization", f"Token {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    loop = asyncio.new_event_loop()

    async def once() -> int:
        sent = False
        status = 0

        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await application(dict(scope), receive, send)
        return status

    def call() -> None:
        status = loop.run_until_complete(once())
        if status != 200:
            raise SystemExit(f"ASGI: {status}")

    return call


def timed(call, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgres"):
        raise SystemExit(
            "bench/profile_request.py needs PostgreSQL: set DATABASE_URL=postgres://..."
        )
    before = other_load()
    with (
        tempfile.TemporaryDirectory(prefix="bench-profile-") as folder,
        bench_database(args.database_url, DATABASE_NAME) as url,
    ):
        env = server_env(url, Path(folder) / "logs")
        os.environ["CHOREHUB_LOG_DIR"] = env["CHOREHUB_LOG_DIR"]
        migrate(env)
        setup_django(env)
        family = make_family()
        wsgi, asgi = wsgi_caller(*family), asgi_caller(*family)
        for call in (wsgi, asgi):
            timed(call, 100)  # warm-up
        wsgi_times, asgi_times = [], []
        for _ in range(4):  # interleaved, so that other load weighs on both alike
            wsgi_times += timed(wsgi, args.requests // 4)
            asgi_times += timed(asgi, args.requests // 4)
        profile = cProfile.Profile()
        profile.enable()
        timed(wsgi, args.requests)
        profile.disable()
        after = other_load()
        report(args, wsgi_times, asgi_times, profile, before, after)
        from django.db import connections

        connections.close_all()


def report(args, wsgi_times, asgi_times, profile, before: str, after: str) -> None:
    print()
    print("=== Where a tracked activation's CPU goes (POST /api/children/{id}/activate/) ===")
    print(
        "reproduce:  DATABASE_URL=<a PostgreSQL server> .venv/bin/python "
        f"bench/profile_request.py --requests {args.requests}"
    )
    print(f"machine:    {machine()}")
    print(f"other load: before the run {before}; after it {after}")
    print()
    for name, values in (("WSGI handler", wsgi_times), ("ASGI application", asgi_times)):
        print(
            f"  {name:<18} p50 {percentile(values, 50):7.3f} ms   "
            f"p95 {percentile(values, 95):7.3f} ms"
        )
    extra = percentile(asgi_times, 50) - percentile(wsgi_times, 50)
    print(f"  the ASGI path's own cost (thread hop, ASGI request): {extra:+.3f} ms at p50")
    totals: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, own, _, _) in pstats.Stats(profile).stats.items():
        totals[group_of(filename)] += own
    whole = sum(totals.values())
    print()
    print(
        f"  own time under cProfile, {args.requests} requests (profiling inflates Python's share):"
    )
    for group, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {group:<46} {seconds / whole:6.1%}   {seconds / args.requests * 1000:6.3f} ms")


if __name__ == "__main__":
    main()
