"""`manage.py repair_tracking`: write back the events of the dead-letter spool that the history
is missing, in chain order, idempotently; exit 1 if any could not be written."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from tracking.ledger import dead_letter
from tracking.ledger.repair import RepairReport, in_chain_order, repair


class Command(BaseCommand):
    help = (
        "Re-insert the tracking events kept in the dead-letter spool "
        "(<log dir>/tracking_dead_letter.jsonl) that the history is missing. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args, no_progress: bool, **options) -> None:
        report = RepairReport()
        events = in_chain_order(dead_letter.read(), report)
        progress = tqdm(
            repair(events, report),
            total=len(events),
            unit=" events",
            disable=no_progress or not events,
            file=self.stderr,
        )
        for _ in progress:
            pass
        self.stdout.write(
            f"Dead-letter spool {dead_letter.spool_path()}: {report.spooled} event(s); "
            f"{report.inserted} written back, {report.present} already in the history, "
            f"{len(report.refused)} refused, {len(report.unreadable)} unreadable line(s)."
        )
        for line in report.unreadable:
            self.stdout.write(self.style.ERROR(f"UNREADABLE spool line {line}"))
        for problem in report.refused:
            self.stdout.write(self.style.ERROR(f"REFUSED {problem}"))
        if report.failed:
            raise CommandError("Some events could not be written back; see above.")
        self.stdout.write(self.style.SUCCESS("Every spooled event is in the history."))
