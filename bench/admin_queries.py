"""How fast administrators' reads are on a big history (PostgreSQL).

Seeds the database up to --events tracking events across --children children when it has fewer
(`seed_demo --events`), then times, over --runs runs each (after a few warm-up runs): the staff
API filtered by child and date range, the staff API unfiltered at offset 0 and at offset 10,000,
the admin changelist filtered by child and unfiltered, and the raw SQL of the filtered API query
(the floor: its page and its count, through a bare cursor). A few more admin lists follow, for
information. Prints median and p95 of each, its ratio to the floor, and the targets.

Requests go through Django's whole stack in this process (URL routing, middleware, session or
token authentication, filters, serializers or templates) with Django's test client: no network
and no ASGI server, whose cost does not depend on the number of events.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chorehub_bench \\
        .venv/bin/python bench/admin_queries.py --events 1000000 --children 1000 --runs 50

Use a database of its own: it adds demo parents, children and events to it.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorehub.settings")
# Development settings (they allow the test client's host); DEBUG is turned off below so that
# no query is recorded and templates are not compiled in debug mode.
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("AXES_ENABLED", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from children.models import Child  # noqa: E402
from testsupport.tokens import token_for  # noqa: E402
from tracking.models import TrackingEvent  # noqa: E402

settings.DEBUG = False

API = "/api/admin/tracking/"
ADMIN = reverse("admin:tracking_trackingevent_changelist")
TARGETS = {"api_filtered": 25.0, "admin_child": 200.0, "admin_all": 200.0}
WARMUP = 5

FLOOR_PAGE = """
    SELECT id, user_id, child_id, entity_type, entity_id, action, points_before, points_after,
           delta, occurred_at, created_at, metadata, reverses
    FROM tracking_trackingevent
    WHERE child_id = %s AND occurred_at >= %s AND occurred_at < %s
    ORDER BY occurred_at, created_at, id
    LIMIT 50
"""
FLOOR_COUNT = """
    SELECT COUNT(*) FROM tracking_trackingevent
    WHERE child_id = %s AND occurred_at >= %s AND occurred_at < %s
"""


def interleaved_milliseconds(
    cases: list[tuple[str, str, Callable[[], None]]], runs: int
) -> dict[str, list[float]]:
    """Each case once per round, `runs` rounds (after WARMUP): a burst of load from elsewhere on
    the machine then lands on every case alike, not on whichever ran at that moment."""
    times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for round_number in range(WARMUP + runs):
        for name, _, run in cases:
            started = time.perf_counter()
            run()
            if round_number >= WARMUP:
                times[name].append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def get_ok(client: Client, url: str, query: dict, **headers) -> Callable[[], None]:
    def run() -> None:
        response = client.get(url, query, **headers)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} {query} answered {response.status_code}")
        response.content  # noqa: B018 (render it all)

    return run


def ensure_history(events: int, children: int) -> None:
    call_command("migrate", verbosity=0)
    have = TrackingEvent.objects.count()
    if have < events:
        print(f"Seeding {events - have:,} events (the database has {have:,})...", flush=True)
        call_command(
            "seed_demo",
            events=events - have,
            children=min(children, events - have),
            no_progress=not sys.stderr.isatty(),
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tracking_trackingevent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")

    ensure_history(args.events, args.children)
    total = TrackingEvent.objects.count()
    child_count = TrackingEvent.objects.values("child_id").order_by().distinct().count()
    seeded = Child.objects.filter(
        household__memberships__user__username__startswith="bulk-"
    ).order_by("pk")
    child = seeded[seeded.count() // 2]
    end = timezone.now() - timedelta(days=150)
    start = end - timedelta(days=30)
    in_range = {"start": start.isoformat(), "end": end.isoformat()}

    User = get_user_model()
    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"is_staff": True})
    token = token_for(staff)
    api_client, admin_client = Client(), Client()
    admin_client.force_login(staff)
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_PAGE, [child.pk, start, end])
            cursor.fetchall()
            cursor.execute(FLOOR_COUNT, [child.pk, start, end])
            cursor.fetchone()

    cases: list[tuple[str, str, Callable[[], None]]] = [
        ("floor", "raw SQL: child + date range, page and count", floor),
        (
            "api_filtered",
            "API ?child_id&start&end",
            get_ok(api_client, API, {"child_id": child.pk, **in_range}, **auth),
        ),
        ("api_offset_0", "API unfiltered, offset 0", get_ok(api_client, API, {}, **auth)),
        (
            "api_offset_10000",
            "API unfiltered, offset 10,000",
            get_ok(api_client, API, {"offset": 10_000}, **auth),
        ),
        (
            "admin_child",
            "admin changelist ?child_id",
            get_ok(admin_client, ADMIN, {"child_id": child.pk}),
        ),
        ("admin_all", "admin changelist unfiltered", get_ok(admin_client, ADMIN, {})),
        # For information: broader filters and the search.
        (
            "admin_child_dates",
            "admin changelist ?child_id + date range",
            get_ok(
                admin_client,
                ADMIN,
                {
                    "child_id": child.pk,
                    "occurred_at__range__gte": f"{start:%Y-%m-%d}",
                    "occurred_at__range__lte": f"{end:%Y-%m-%d}",
                },
            ),
        ),
        (
            "admin_type",
            "admin changelist ?entity_type=task (half the rows)",
            get_ok(admin_client, ADMIN, {"entity_type__exact": "task"}),
        ),
        (
            "admin_search",
            "admin search for a child's name",
            get_ok(admin_client, ADMIN, {"q": child.name}),
        ),
        (
            "admin_search_none",
            "admin search matching nothing",
            get_ok(admin_client, ADMIN, {"q": "xyzzy"}),
        ),
        (
            "admin_page_100",
            "admin changelist unfiltered, page 100",
            get_ok(admin_client, ADMIN, {"p": 100}),
        ),
    ]

    print(
        f"\n{total:,} tracking events of {child_count:,} children; PostgreSQL "
        f"{connection.pg_version // 10000}.{connection.pg_version % 100}; Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs; {args.runs} interleaved runs each after {WARMUP} warm-up rounds."
    )
    print(
        f"Filtered queries: child {child.pk} ({child.name}), {start:%Y-%m-%d} to {end:%Y-%m-%d}.\n"
    )
    results = interleaved_milliseconds(cases, args.runs)
    floor_median, floor_p95 = statistics.median(results["floor"]), p95(results["floor"])
    print(f"{'':52} {'median':>9} {'p95':>9} {'x floor':>16} {'target':>12}")
    for name, label, _ in cases:
        median, high = statistics.median(results[name]), p95(results[name])
        ratios = f"{median / floor_median:.1f}x / {high / floor_p95:.1f}x"
        target = TARGETS.get(name)
        verdict = f"p95<{target:.0f} {'ok' if high < target else 'MISSED'}" if target else ""
        print(f"{label:52} {median:7.2f}ms {high:7.2f}ms {ratios:>16} {verdict:>12}")
    print(
        f"\n(x floor: median / p95 over the floor's median / p95.) Load average: {os.getloadavg()}"
    )
    print(
        "Reproduce: DATABASE_URL=<a PostgreSQL database of its own> .venv/bin/python "
        f"bench/admin_queries.py --events {args.events} --children {args.children} --runs {args.runs}"
    )


if __name__ == "__main__":
    main()
