"""How fast a child's figures, streak and series answer on a long history (PostgreSQL).

Creates (and drops afterwards) a database of its own on the server DATABASE_URL names, seeds one
child with --events tracking events over the last year through the bulk path
(`demo.bulk_history`, which sends no signal), fills the projections with `insights.rebuild`
(timed), then times, over --runs interleaved rounds (after a few warm-up rounds):

- `GET /api/children/{id}/figures/` (this household week, with the lifetime and the streak);
- `GET /api/children/{id}/series/` for a year (366 days);
- the same two on a second child that has no events, and `GET /api/children/{id}/` (a plain
  read through the same stack), for the fixed cost of a request;
- a chore's activation (`POST /api/children/{id}/activate/`) with the projection applied (and
  the badges that listen to it), with the projection alone, and without it (insights' receiver
  disconnected), for the projection's share of an action.

Requests go through Django's whole stack in this process (routing, middleware, token
authentication, serializers) with Django's test client: no network and no ASGI server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/projections.py \\
        --events 100000 --runs 200
"""

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.harness import bench_database, other_load  # noqa: E402

TARGETS = {"figures": 20.0, "series": 50.0}
WARMUP = 10


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def interleaved_milliseconds(
    cases: list[tuple[str, str, Callable[[], None]]], runs: int
) -> dict[str, list[float]]:
    """Each case once per round, `runs` rounds (after WARMUP), so that a burst of load from
    elsewhere lands on every case alike."""
    times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for round_number in range(WARMUP + runs):
        for name, _, run in cases:
            started = time.perf_counter()
            run()
            if round_number >= WARMUP:
                times[name].append((time.perf_counter() - started) * 1000)
    return times


def measure(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from children.models import Child
    from demo.bulk_history import seed_events
    from insights import projection, receivers
    from insights.calendar import HouseholdCalendar
    from insights.rebuild import rebuild
    from insights.signals import projection_applied
    from testsupport.factories import ChildFactory, TaskFactory, owner_of
    from testsupport.tokens import token_for
    from tracking import signals as tracking_signals
    from tracking.models import TrackingEvent

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_events(events=args.events, children=1, progress=sys.stderr.isatty())
    seeded = time.perf_counter() - started
    child = Child.objects.select_related("household").get()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    started = time.perf_counter()
    differences = rebuild(child_ids=[child.pk])
    rebuilt = time.perf_counter() - started
    days = child.days.count()

    owner = owner_of(child)
    empty_child = ChildFactory(household=child.household, name="New")
    chore = TaskFactory(household=child.household, points=5)
    child.tasks.add(chore)
    client = Client(HTTP_AUTHORIZATION=f"Token {token_for(owner)}")
    today = HouseholdCalendar.of(child.household).today()
    year = {"start": str(today.replace(year=today.year - 1)), "end": str(today)}

    def get(url: str, query: dict) -> Callable[[], None]:
        def run() -> None:
            response = client.get(url, query)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} {query} answered {response.status_code}")

        return run

    def activate() -> None:
        response = client.post(
            reverse("child-activate", kwargs={"pk": child.pk}),
            {"task_id": chore.pk},
            content_type="application/json",
        )
        if response.status_code != 200:
            raise SystemExit(f"activate answered {response.status_code}")

    def activate_without_projection() -> None:
        tracking_signals.event_recorded.disconnect(dispatch_uid="insights.projection")
        tracking_signals.reading_with_row.disconnect(dispatch_uid="insights.projection")
        try:
            activate()
        finally:
            tracking_signals.event_recorded.connect(
                receivers.on_event_recorded, dispatch_uid="insights.projection"
            )
            tracking_signals.reading_with_row.connect(
                projection.read_with_row, dispatch_uid="insights.projection"
            )

    def activate_without_listeners() -> None:
        # What listens to `projection_applied` (the badges) set aside, not the projection: its
        # own share of an activation. (A benchmark may reach into a signal; production never.)
        listeners = projection_applied.receivers
        projection_applied.receivers = []
        projection_applied.sender_receivers_cache.clear()
        try:
            activate()
        finally:
            projection_applied.receivers = listeners
            projection_applied.sender_receivers_cache.clear()

    def url(name: str, of) -> str:
        return reverse(name, kwargs={"pk": of.pk})

    cases = [
        ("floor", "floor: GET the child (a plain API read)", get(url("child-detail", child), {})),
        ("figures", "figures: this week + lifetime + streak", get(url("child-figures", child), {})),
        ("series", "series: a year, 366 days", get(url("child-series", child), year)),
        ("figures_empty", "figures, a child with no events", get(url("child-figures", empty_child), {})),
        ("series_empty", "series (a year), a child with no events", get(url("child-series", empty_child), year)),
        ("activate", "activate a chore, projection applied", activate),
        ("activate_projection", "activate a chore, projection only (no badges)", activate_without_listeners),
        ("activate_bare", "activate a chore, projection disconnected", activate_without_projection),
    ]  # fmt: skip
    load_before = other_load()
    results = interleaved_milliseconds(cases, args.runs)
    # The disconnected activations were not projected: the rebuild finds them, and repairs it.
    after = rebuild(child_ids=[child.pk])

    total = TrackingEvent.objects.filter(child_id=child.pk).count()
    print(
        f"\nOne child with {total:,} tracking events over a year ({days} household days with "
        f"events); PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}; "
        f"Python {platform.python_version()}; {os.cpu_count()} CPUs; other load before: "
        f"{load_before}; {args.runs} interleaved runs each after {WARMUP} warm-up rounds."
    )
    print(
        f"Seeded in {seeded:.1f} s; rebuilt the projections in {rebuilt:.2f} s "
        f"({len(differences)} differences: the child had never been projected)."
    )
    print(f"\n{'':46} {'p50':>9} {'p95':>9} {'target (p95)':>16}")
    for name, label, _ in cases:
        median, high = statistics.median(results[name]), p95(results[name])
        target = TARGETS.get(name)
        verdict = f"<= {target:.0f} ms {'met' if high <= target else 'MISSED'}" if target else ""
        print(f"{label:46} {median:7.2f}ms {high:7.2f}ms {verdict:>16}")
    bare = statistics.median(results["activate_bare"])
    print(
        "\nActivation at p50, over the one with the projection disconnected: with the projection "
        f"and what listens to it {statistics.median(results['activate']) / bare:.3f}x, with the "
        f"projection alone {statistics.median(results['activate_projection']) / bare:.3f}x"
    )
    print(
        f"After the run, the rebuild reported {len(after)} differing figures: those of the "
        f"{args.runs + WARMUP} activations made with the projection disconnected."
    )
    print(
        "Reproduce: DATABASE_URL=<a PostgreSQL server> .venv/bin/python bench/projections.py "
        f"--events {args.events} --runs {args.runs}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    with bench_database(url, "chorehub_bench_projections", keep=args.keep) as database:
        os.environ["DATABASE_URL"] = database
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorehub.settings")
        os.environ.setdefault("DEBUG", "1")  # the test client's host; DEBUG is off below
        os.environ.setdefault("AXES_ENABLED", "0")
        os.environ.setdefault("THROTTLE_USER", "1000000/min")
        measure(args)


if __name__ == "__main__":
    main()
