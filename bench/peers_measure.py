"""Run by `bench/peers.py` inside its throwaway environment (the peers installed): the in-process
activation with tracking, and with each audit library instead of it, side by side. Prints the
table `bench/peers.py` shows.

Environment: DATABASE_URL (a fresh database), CHOREHUB_LOG_DIR, DJANGO_SETTINGS_MODULE
(`bench.peers_settings`); arguments: --calls, --warmup, --block.
"""

import argparse
import contextlib
import io
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.signals import post_save, pre_save  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.harness import against_base, machine  # noqa: E402
from bench.inprocess import Receivers, make_family  # noqa: E402

VARIANTS = (
    "untracked",
    "chorehub tracked",
    "chorehub as shipped",
    "django-simple-history",
    "django-auditlog",
    "django-pghistory",
)


class Peers:
    """Turn each peer on or off: simple-history's and auditlog's receivers of the child's save,
    pghistory's trigger on the child's table."""

    def __init__(self) -> None:
        from children.models import Child

        self.child = Child
        self.history = [
            (signal, receiver)
            for signal in (post_save, pre_save)
            for receiver in _receivers(signal, Child)
            if type(getattr(receiver, "__self__", None)).__module__.startswith("simple_history")
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE %s",
                [Child._meta.db_table, "pgtrigger_points_changed%"],
            )
            self.triggers = [name for (name,) in cursor.fetchall()]
        assert self.history and self.triggers, "a peer is not set up"

    def set(self, variant: str) -> None:
        from auditlog.registry import auditlog

        for signal, receiver in self.history:
            signal.disconnect(receiver, sender=self.child)
            if variant == "django-simple-history":
                signal.connect(receiver, sender=self.child, weak=False)
        if auditlog.contains(self.child):
            auditlog.unregister(self.child)
        if variant == "django-auditlog":
            auditlog.register(self.child)
        state = "ENABLE" if variant == "django-pghistory" else "DISABLE"
        with connection.cursor() as cursor:
            for name in self.triggers:
                cursor.execute(f'ALTER TABLE {self.child._meta.db_table} {state} TRIGGER "{name}"')

    def context(self, variant: str, owner):
        """Who acted, as each peer is told in a request (its middleware's part)."""
        if variant == "django-simple-history":
            from simple_history.models import HistoricalRecords

            @contextlib.contextmanager
            def request():
                HistoricalRecords.context.request = type("Request", (), {"user": owner})()
                try:
                    yield
                finally:
                    del HistoricalRecords.context.request

            return request()
        if variant == "django-auditlog":
            from auditlog.context import set_actor

            return set_actor(owner)
        if variant == "django-pghistory":
            import pghistory

            return pghistory.context(user=owner.pk)
        return contextlib.nullcontext()


def _receivers(signal, sender) -> list:
    return [receiver for receiver in signal._live_receivers(sender)[0]]


def tracking(variant: str) -> str:
    """What tracking's receivers a variant has: ChoreHub's own, or none (the peers, untracked)."""
    return {"chorehub tracked": "tracked", "chorehub as shipped": "projections"}.get(
        variant, "untracked"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--block", type=int, default=50)
    args = parser.parse_args()
    # The apps with migrations first: the history models (no migrations) point at their tables.
    call_command("migrate", interactive=False, verbosity=0)
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
    logging.getLogger("pgtrigger").setLevel(logging.WARNING)
    with contextlib.redirect_stdout(io.StringIO()):  # pgtrigger prints each trigger it installs
        call_command("pgtrigger", "install")

    from children.services import activate_task
    from tracking.models import TrackingEvent

    receivers, peers = Receivers(), Peers()
    peers.set("untracked")  # the families are made with no peer on: their rows are the calls'
    families = {variant: make_family(variant.replace(" ", "-")) for variant in VARIANTS}

    def one(variant: str) -> None:
        owner, child, chore = families[variant]
        with peers.context(variant, owner):
            activate_task(child=child, task=chore, by=owner)

    timings: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    rounds = (args.warmup + args.calls) // args.block
    for index in range(rounds):
        for variant in VARIANTS if index % 2 == 0 else tuple(reversed(VARIANTS)):
            receivers.set(tracking(variant))
            peers.set(variant)
            for _ in range(args.block):
                started = time.perf_counter()
                one(variant)
                if index * args.block >= args.warmup:
                    timings[variant].append((time.perf_counter() - started) * 1000)

    sent, written = {}, {}
    for variant in VARIANTS:
        receivers.set(tracking(variant))
        peers.set(variant)
        with CaptureQueriesContext(connection) as captured:
            one(variant)
        sent[variant] = len(captured.captured_queries)
        written[variant] = _written(variant, families[variant][1], TrackingEvent)
    receivers.set("projections")

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    import auditlog
    import pghistory
    import simple_history

    print(f"machine:    {machine()}")
    print(f"database:   PostgreSQL {version}")
    print(
        f"peers:      django-simple-history {simple_history.__version__}, "
        f"django-auditlog {_version('django-auditlog', auditlog)}, "
        f"django-pghistory {_version('django-pghistory', pghistory)}"
    )
    print()
    print(f"  {'variant':<22} {'p50 ms':>8} {'p95 ms':>8} {'ratio p50':>10} {'queries':>8}  rows")
    for variant, (median, p95, ratio) in against_base(timings, "untracked").items():
        print(
            f"  {variant:<22} {median:>8.3f} {p95:>8.3f} {ratio:>9.2f}x {sent[variant]:>8}  "
            f"{written[variant]}"
        )


def _written(variant: str, child, tracking_event) -> str:
    """What each variant recorded for its family's child (the check that it did its work)."""
    from auditlog.models import LogEntry

    from bench.peers_app.models import ChildEvent

    history = type(child).simple_history.filter(id=child.pk).count()
    logged = LogEntry.objects.filter(object_pk=str(child.pk)).count()
    events = ChildEvent.objects.filter(pgh_obj_id=child.pk).count()
    rows = tracking_event.objects.filter(child_id=child.pk).count()
    return (
        f"{rows} tracking events, {history} historical rows, {logged} log entries, "
        f"{events} pghistory events"
    )


def _version(distribution: str, module) -> str:
    from importlib.metadata import version

    return getattr(module, "__version__", None) or version(distribution)


if __name__ == "__main__":
    main()
