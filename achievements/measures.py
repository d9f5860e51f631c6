"""What a child's stored projections add up to over a badge's period: read from insights' days and
totals (kept equal to the history) and this app's chore tallies. No read of the history itself."""

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date

from django.db.models import Sum

from achievements.catalog import Badge
from achievements.criteria import Measures
from achievements.models import Period, TaskTally
from insights.calendar import HouseholdCalendar
from insights.models import ChildDay

DAY_FIGURES = ("chores", "penalties", "earned")


def lifetime_task_counts(child_id: int, task_ids: Collection[int]) -> dict[int, int]:
    if not task_ids:
        return {}
    rows = (
        TaskTally.objects.filter(child_id=child_id, task_id__in=list(task_ids))
        .order_by()
        .values("task_id")
        .annotate(total=Sum("count"))
        .values_list("task_id", "total")
    )
    return dict(rows)


def range_measures(child_id: int, first: date, last: date, task_ids: Collection[int]) -> Measures:
    """One week or month of a child: its days' figures summed (at most 31 rows), and the
    tallies of the chores its badges count."""
    days = ChildDay.objects.filter(child_id=child_id, day__gte=first, day__lte=last)
    sums = days.order_by().aggregate(**{name: Sum(name) for name in DAY_FIGURES})
    task_counts: dict[int, int] = {}
    if task_ids:
        rows = (
            TaskTally.objects.filter(
                child_id=child_id, task_id__in=list(task_ids), day__gte=first, day__lte=last
            )
            .order_by()
            .values("task_id")
            .annotate(total=Sum("count"))
            .values_list("task_id", "total")
        )
        task_counts = dict(rows)
    return Measures(**{name: sums[name] or 0 for name in DAY_FIGURES}, task_counts=task_counts)


def counted_tasks(badges: Iterable[Badge]) -> set[int]:
    """The chores the badges count (`task_count`)."""
    return {badge.task_id for badge in badges if badge.task_id is not None}


def measures_by_period(
    child_id: int, calendar: HouseholdCalendar, task_ids: Collection[int]
) -> dict[tuple[str, date], Measures]:
    """Every week and month in which the child has figures, with what they add up to: one read
    of its days and one of its tallies (the sync and the rebuild, never an action)."""
    sums: dict[tuple[str, date], dict] = defaultdict(
        lambda: {"chores": 0, "penalties": 0, "earned": 0, "task_counts": defaultdict(int)}
    )
    days = ChildDay.objects.filter(child_id=child_id).values_list("day", *DAY_FIGURES)
    for day, *figures in days.iterator():
        for key in period_keys(day, calendar):
            for name, value in zip(DAY_FIGURES, figures, strict=True):
                sums[key][name] += value
    if task_ids:
        tallies = TaskTally.objects.filter(child_id=child_id, task_id__in=list(task_ids))
        for task_id, day, count in tallies.values_list("task_id", "day", "count").iterator():
            for key in period_keys(day, calendar):
                sums[key]["task_counts"][task_id] += count
    return {
        key: Measures(
            chores=value["chores"],
            penalties=value["penalties"],
            earned=value["earned"],
            task_counts=dict(value["task_counts"]),
        )
        for key, value in sums.items()
    }


def period_keys(day: date, calendar: HouseholdCalendar) -> tuple[tuple[str, date], ...]:
    return ((Period.WEEK, calendar.week_of(day)), (Period.MONTH, calendar.month_of(day)))
