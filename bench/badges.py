"""What the projections and the badges cost a chore's activation (PostgreSQL), in one run.

Creates its own PostgreSQL database (`chorehub_bench_badges`, dropped first if a previous run left
it, dropped at the end unless --keep-database) on the server that DATABASE_URL names, migrates it,
and makes one family per variant: an owner with a token, a child with --history-days days of
history (chores every day, a penalty now and then, so that its totals, streak and badges are
those of a real child: `chores_10`, `streak_7` and a clean week or two already awarded), one
chore, and --custom-badges badges of the household's own (a count of the chore over the child's
life, points in a week, a good/not-good ratio over a week: the kinds that read the most).

Then --requests activations per variant of `POST /api/children/{id}/activate/`, through Django's
whole stack in this process (URL routing, middleware, token authentication, DRF, the service,
tracking's row, audit line and live events) with DRF's test client, one at a time, the variants
interleaved ABBA request by request, so that other load on the machine weighs on all alike:

  - without:  tracking as it ships, the projections' receivers disconnected (insights' receiver
              of `event_recorded`, and so no badge check either);
  - figures:  insights' projection connected, the badge check (`projection_applied`) not;
  - badges:   both connected: the project as it ships.

Prints p50/p95 of each and the ratios at p50; the target is badges/without at most 1.10x. Then
checks that `manage.py rebuild_projections` finds no difference for the `badges` family (its
projections and badges equal its history) and that `verify_tracking` passes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/badges.py \\
        --requests 2000 --history-days 60 --custom-badges 3
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    BASE_DIR,
    bench_database,
    machine,
    migrate,
    other_load,
    percentile,
    server_env,
    setup_django,
)

DATABASE_NAME = "chorehub_bench_badges"
VARIANTS = ("without", "figures", "badges")


def make_family(variant: str, history_days: int, custom_badges: int):
    """An owner, a token, a child with `history_days` of history, a chore, custom badges."""
    from django.utils import timezone

    from achievements.services import create_badge_definition
    from children import services as children_services
    from testsupport.factories import (
        ChildFactory,
        PenaltyFactory,
        TaskFactory,
        UserFactory,
        household_of,
    )
    from testsupport.tokens import token_for

    owner = UserFactory(username=f"bench-{variant}")
    child = ChildFactory(owner=owner, name=f"{variant} child")
    chore, penalty = TaskFactory(owner=owner, points=5), PenaltyFactory(owner=owner, points=3)
    child.tasks.add(chore, penalty)
    start = timezone.now() - timedelta(days=history_days)
    for day in range(history_days):
        moment = start + timedelta(days=day)
        with mock.patch("django.utils.timezone.now", return_value=moment):
            children_services.activate_task(child=child, task=chore, by=owner)
            children_services.activate_task(child=child, task=chore, by=owner)
            if day % 9 == 4:
                children_services.activate_task(child=child, task=penalty, by=owner)
    household = household_of(owner)
    definitions = [
        {
            "name": "Chore fan",
            "criterion": "task_count",
            "period": "lifetime",
            "task": chore,
            "threshold": 10_000,
        },
        {"name": "Big week", "criterion": "week_points", "period": "week", "threshold": 10_000},
        {
            "name": "Mostly good",
            "criterion": "good_ratio",
            "period": "week",
            "threshold": 3,
            "ratio_good": 5,
            "ratio_not_good": 1,
        },
    ]
    for definition in definitions[:custom_badges]:
        create_badge_definition(household=household, **definition)
    return {"token": token_for(owner), "child": child.pk, "chore": chore.pk}


class Receivers:
    """Connect or disconnect the projections' receivers (insights', achievements')."""

    def __init__(self) -> None:
        from achievements import receivers as achievements
        from insights import projection
        from insights.receivers import on_event_recorded
        from insights.signals import projection_applied
        from tracking.signals import event_recorded, reading_with_row

        # Each with what it asks to read in the row's round trip.
        self.figures = (
            (event_recorded, on_event_recorded, "insights.projection"),
            (reading_with_row, projection.read_with_row, "insights.projection"),
        )
        self.badges = (
            (projection_applied, achievements.on_projection_applied, "achievements.badges"),
            (reading_with_row, achievements.read_with_row, "achievements.badges"),
        )

    def set(self, variant: str) -> None:
        for receivers, wanted in (
            (self.figures, variant != "without"),
            (self.badges, variant == "badges"),
        ):
            for signal, receiver, uid in receivers:
                signal.disconnect(dispatch_uid=uid)
                if wanted:
                    signal.connect(receiver, dispatch_uid=uid)


def run(families: dict, requests: int, warmup: int) -> dict[str, list[float]]:
    from rest_framework.test import APIClient

    clients = {}
    for variant, family in families.items():
        client = APIClient(HTTP_HOST="localhost")
        client.credentials(HTTP_AUTHORIZATION=f"Token {family['token']}")
        clients[variant] = client
    receivers = Receivers()
    timings: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    for index in range(warmup + requests):
        order = VARIANTS if index % 2 == 0 else tuple(reversed(VARIANTS))
        for variant in order:
            family = families[variant]
            receivers.set(variant)
            url = f"/api/children/{family['child']}/activate/"
            started = time.perf_counter()
            response = clients[variant].post(url, {"task_id": family["chore"]}, format="json")
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{variant}: {response.status_code} {response.content[:300]!r}")
            if index >= warmup:
                timings[variant].append(elapsed * 1000)
    receivers.set("badges")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured, per variant")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured, per variant")
    parser.add_argument("--history-days", type=int, default=60)
    parser.add_argument("--custom-badges", type=int, default=3, choices=range(4))
    parser.add_argument("--target", type=float, default=1.10, help="badges/without at p50")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgres"):
        raise SystemExit("bench/badges.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    before = other_load()
    command = (
        f"DATABASE_URL={args.database_url} .venv/bin/python bench/badges.py "
        f"--requests {args.requests} --warmup {args.warmup} --history-days {args.history_days} "
        f"--custom-badges {args.custom_badges}"
    )
    with (
        tempfile.TemporaryDirectory(prefix="bench-badges-") as folder,
        bench_database(args.database_url, DATABASE_NAME, keep=args.keep_database) as url,
    ):
        env = server_env(url, Path(folder) / "logs")
        os.environ["CHOREHUB_LOG_DIR"] = env["CHOREHUB_LOG_DIR"]
        migrate(env)
        setup_django(env)
        families = {
            variant: make_family(variant, args.history_days, args.custom_badges)
            for variant in VARIANTS
        }
        timings = run(families, args.requests, args.warmup)
        after = other_load()
        passed = report(args, command, timings, before, after)
        passed = check(env, families["badges"]["child"]) and passed
        from django.db import connections

        connections.close_all()
    sys.exit(0 if passed else 1)


def report(args, command: str, timings: dict, before: str, after: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print()
    print("=== Badges: what the projections and the badge check add to an activation ===")
    print(f"reproduce:  {command}")
    print(f"machine:    {machine()}")
    print(f"database:   PostgreSQL {pg_version}, database {DATABASE_NAME}")
    print(
        f"load:       {args.requests} activations per variant (after {args.warmup} warm-up), one "
        "at a time, in process through Django's whole stack, variants interleaved ABBA"
    )
    print(f"other load: before the run {before}; after it {after}")
    print()
    print(f"  {'variant':<10} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    p50 = {}
    for variant in VARIANTS:
        values = timings[variant]
        p50[variant] = percentile(values, 50)
        print(
            f"  {variant:<10} {p50[variant]:>8.2f} {percentile(values, 95):>8.2f} "
            f"{sum(values) / len(values):>8.2f}"
        )
    ratio = p50["badges"] / p50["without"]
    print()
    print(f"  figures/without at p50: {p50['figures'] / p50['without']:.3f}x")
    print(f"  badges/figures at p50:  {p50['badges'] / p50['figures']:.3f}x")
    met = ratio <= args.target
    print(
        f"  badges/without at p50:  {ratio:.3f}x (target: at most {args.target:.2f}x: "
        f"{'met' if met else 'MISSED'})"
    )
    return met


def check(env: dict[str, str], child_id: int) -> bool:
    """rebuild_projections finds nothing to change for the measured family; chains hold."""
    from children.models import Child

    household = Child.objects.get(pk=child_id).household_id
    ok = True
    print()
    for command in (
        ["rebuild_projections", "--household", str(household), "--no-progress"],
        ["verify_tracking", "--no-progress"],
    ):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        ok = ok and done.returncode == 0
        print(f"  manage.py {' '.join(command)}: exit {done.returncode}")
        for line in (done.stdout + done.stderr).strip().splitlines()[-5:]:
            print(f"    {line}")
    return ok


if __name__ == "__main__":
    main()
