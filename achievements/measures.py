"""What a child's stored projections add up to over a badge's period: read from insights' days and
totals (kept equal to the history) and this app's chore tallies. No read of the history itself."""

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date
from functools import cache

from django.db import connection

from achievements.catalog import Badge
from achievements.criteria import Measures
from achievements.models import Period, TaskTally
from insights.calendar import HouseholdCalendar
from insights.models import ChildDay

DAY_FIGURES = ("chores", "penalties", "earned")


def lifetime_task_counts(child_id: int, task_ids: Collection[int]) -> dict[int, int]:
    if not task_ids:
        return {}
    return _task_counts(child_id, task_ids)


def range_measures(child_id: int, first: date, last: date, task_ids: Collection[int]) -> Measures:
    """One week or month of a child: its days' figures summed (at most 31 rows), and the
    tallies of the chores its badges count."""
    with connection.cursor() as cursor:
        cursor.execute(_range_sums_sql(), [child_id, first.isoformat(), last.isoformat()])
        sums = cursor.fetchone()
    task_counts = _task_counts(child_id, task_ids, first, last) if task_ids else {}
    return Measures(
        **{name: int(value or 0) for name, value in zip(DAY_FIGURES, sums, strict=True)},
        task_counts=task_counts,
    )


# These reads run inside actions (the badge check), several per action for a household with
# badges of its own: hand-written, their SQL built once per process, because compiling the
# equivalent aggregate querysets cost more than the reads themselves.


def _task_counts(
    child_id: int, task_ids: Collection[int], first: date | None = None, last: date | None = None
) -> dict[int, int]:
    ids = sorted(task_ids)
    params: list[object] = [child_id, *ids]
    if first is not None and last is not None:
        params += [first.isoformat(), last.isoformat()]
    with connection.cursor() as cursor:
        cursor.execute(_task_counts_sql(len(ids), ranged=first is not None), params)
        return {task_id: int(total) for task_id, total in cursor.fetchall()}


@cache
def _range_sums_sql() -> str:
    quote = connection.ops.quote_name
    sums = ", ".join(f"SUM({quote(name)})" for name in DAY_FIGURES)
    return (
        f"SELECT {sums} FROM {quote(ChildDay._meta.db_table)} "
        "WHERE child_id = %s AND day >= %s AND day <= %s"
    )


@cache
def _task_counts_sql(count: int, *, ranged: bool) -> str:
    table = connection.ops.quote_name(TaskTally._meta.db_table)
    placeholders = ", ".join(["%s"] * count)
    days = " AND day >= %s AND day <= %s" if ranged else ""
    return (
        f'SELECT task_id, SUM("count") FROM {table} '
        f"WHERE child_id = %s AND task_id IN ({placeholders}){days} GROUP BY task_id"
    )


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
