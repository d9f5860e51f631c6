"""Settling a whole child's badges at once, outside any action: when a household defines a badge
(the children who already meet it get it, for every period in which they did), and when its
calendar changed (weeks and months moved). Each child in a transaction of its own, under its
lock, as every write on a child."""

from collections.abc import Callable
from datetime import date

from django.db import transaction

from achievements.catalog import Badge, badges_of_household
from achievements.measures import counted_tasks
from achievements.settle import settle
from achievements.standing import verdicts_of_child
from achievements.tallies import recount
from children.models import Child
from children.services import lock_child
from insights.calendar import HouseholdCalendar
from kernel.errors import NotFound

OnChange = Callable[[str, Badge, date | None], None]


def sync_child(
    child_id: int, *, recount_tasks: bool = False, on_change: OnChange | None = None
) -> None:
    """Award and revoke what a child's whole history calls for now. `recount_tasks` counts the
    chores its household's badges name again from the history first (a new chore counted, a new
    calendar)."""
    with transaction.atomic():
        try:
            child = lock_child(child_id)
        except NotFound:
            return  # deleted meanwhile: its awards went with it
        calendar = HouseholdCalendar.of(child.household)
        badges = badges_of_household(child.household_id)
        if recount_tasks:
            recount(child.pk, counted_tasks(badges), calendar)
        verdicts = verdicts_of_child(child.pk, badges, calendar)
        settle(child, verdicts, include_unmet=True, all_awards=True, on_change=on_change)


def sync_household(household_id: int, *, recount_tasks: bool = True) -> None:
    """`sync_child` for each child of the household."""
    child_ids = Child.objects.filter(household_id=household_id).order_by("pk")
    for child_id in child_ids.values_list("pk", flat=True):
        sync_child(child_id, recount_tasks=recount_tasks)
