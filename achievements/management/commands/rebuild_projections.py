"""`manage.py rebuild_projections [--household ID]`: recompute every child's figures, streak and
badges from the tracking history alone, report every difference with what was stored (each one is
a bug), store the rebuilt state, and exit 1 if there was any difference."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from achievements.rebuild import rebuild_child_badges
from children.models import Child
from households.models import Household
from insights.models import ChildTotals
from insights.rebuild import rebuild_child
from kernel.command_ids import checked_id

# A deleted household's children went with it: there is nothing of it to rebuild.
NO_SUCH_HOUSEHOLD = "--household {household}: no such household."


class Command(BaseCommand):
    help = (
        "Recompute each child's days, totals and streak (insights) and its badges (achievements) "
        "from the tracking history, print every difference with what was stored, store the "
        "rebuilt state; exit 1 on any difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--household", type=int, help="Rebuild only this household's children.")
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args, household: int | None, no_progress: bool, **options) -> None:
        children = Child.objects.select_related("household").order_by("pk")
        if household is not None:
            if not Household.objects.filter(pk=checked_id("--household", household)).exists():
                raise CommandError(NO_SUCH_HOUSEHOLD.format(household=household))
            children = children.filter(household_id=household)
        children = list(children)
        differences: list[str] = []
        for child in tqdm(
            children, unit=" children", disable=no_progress or not children, file=self.stderr
        ):
            # Figures first: the badges' criteria are read on the rebuilt days and totals.
            projected = ChildTotals.objects.filter(child_id=child.pk).exists()
            differences += rebuild_child(child)
            differences += rebuild_child_badges(child.pk, first_projection=not projected)
        self.stdout.write(
            f"Rebuilt the figures, streaks and badges of {len(children)} children"
            f"{'' if household is None else f' of household {household}'} from their history."
        )
        for difference in differences:
            self.stdout.write(self.style.ERROR(f"DIFFERENCE {difference}"))
        if differences:
            raise CommandError(
                f"{len(differences)} difference(s) between the stored projections and the "
                "history (now stored as the history says)."
            )
        self.stdout.write(self.style.SUCCESS("The stored projections equal the history."))
