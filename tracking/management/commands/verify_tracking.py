"""`manage.py verify_tracking [--child ID]`: prove every child's tracking chain; exit 1 on a break."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from children.models import Child
from kernel.command_ids import checked_id
from tracking.ledger.chain import ChainReport, check_chains
from tracking.models import TrackingEvent

CHUNK = 5000
# A deleted child's id is still checked (its events are kept); an id no child ever had is a typo.
NO_SUCH_CHILD = "--child {child}: no such child, and no events of a child deleted with this id."


class Command(BaseCommand):
    help = (
        "Check each child's tracking events: the delta invariant, an unbroken chain "
        "(points_before = previous points_after) and last points_after = current points."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--child", type=int, help="Check only this child id.")
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args, child: int | None, no_progress: bool, **options) -> None:
        events = TrackingEvent.objects.all()
        children = Child.objects.all()
        if child is not None:
            events = events.filter(child_id=checked_id("--child", child))
            children = children.filter(pk=child)
            if not children.exists() and not events.exists():
                raise CommandError(NO_SUCH_CHILD.format(child=child))
        current_points = dict(children.values_list("pk", "points"))
        total = events.count()
        rows = events.order_by("child_id", "occurred_at", "created_at", "id").values_list(
            "child_id", "id", "points_before", "points_after", "delta"
        )
        report = ChainReport()
        progress = tqdm(
            check_chains(rows.iterator(chunk_size=CHUNK), current_points, report),
            total=total,
            unit=" events",
            disable=no_progress or total < CHUNK,
            file=self.stderr,
        )
        for _ in progress:
            pass
        untracked = len(current_points.keys()) - (report.children - report.deleted_children)
        self.stdout.write(
            f"Checked {report.events} events of {report.children} children "
            f"({report.deleted_children} deleted since; {max(untracked, 0)} existing children "
            f"have no events yet)."
        )
        for problem in report.breaks:
            self.stdout.write(self.style.ERROR(f"BREAK {problem}"))
        if report.breaks:
            raise CommandError(f"{len(report.breaks)} break(s) found.")
        self.stdout.write(self.style.SUCCESS("All chains hold."))
