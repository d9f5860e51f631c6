"""Whether a badge's criterion holds, given what a child's history adds up to over the badge's
period. Pure: the check after each action, the sync and the rebuild all decide here."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from achievements.catalog import Badge
from achievements.models import Criterion, Period
from insights.calendar import HouseholdCalendar


@dataclass(frozen=True)
class Measures:
    """A child's figures over one period (lifetime: its whole history). Reversed events are not
    in them: a reversal neutralizes what it reverses, on the original's day."""

    chores: int = 0  # good activations that stand
    penalties: int = 0  # not-good activations that stand
    earned: int = 0  # points earned from chores
    best_streak: int = 0  # lifetime only
    task_counts: Mapping[int, int] = field(default_factory=dict)  # chore id → activations


def is_met(badge: Badge, measures: Measures) -> bool:
    match badge.criterion:
        case Criterion.STREAK_LENGTH:
            return measures.best_streak >= badge.threshold
        case Criterion.CHORE_COUNT:
            return measures.chores >= badge.threshold
        case Criterion.TASK_COUNT:
            return measures.task_counts.get(badge.task_id, 0) >= badge.threshold
        case Criterion.WEEK_POINTS:
            return measures.earned >= badge.threshold
        case Criterion.GOOD_RATIO:
            # good / not-good >= ratio_good / ratio_not_good, in integers (no rounding).
            return (
                measures.chores >= badge.threshold
                and measures.chores * badge.ratio_not_good >= measures.penalties * badge.ratio_good
            )
        case Criterion.CLEAN_WEEK:
            return measures.chores >= 1 and measures.penalties == 0
    raise ValueError(f"unknown criterion {badge.criterion!r}")


def period_start(badge: Badge, day: date, calendar: HouseholdCalendar) -> date | None:
    """The first day of the badge's period that holds `day`; None for a lifetime badge."""
    if badge.period == Period.WEEK:
        return calendar.week_of(day)
    if badge.period == Period.MONTH:
        return calendar.month_of(day)
    return None


def period_range(period: str, start: date, calendar: HouseholdCalendar) -> tuple[date, date]:
    """The first and last day (inclusive) of a week or month period."""
    if period == Period.WEEK:
        return start, start + timedelta(days=6)
    return calendar.month_range(start)


def period_is_over(
    period: str, start: date | None, last_day: date | None, calendar: HouseholdCalendar
) -> bool:
    """Whether the child's history has gone past a period: it has an event on a day after the
    period's last day (`last_day`, the day of its latest event that is not a badge's)."""
    if start is None or last_day is None:
        return False
    return last_day > period_range(period, start, calendar)[1]


def is_due(
    badge: Badge,
    measures: Measures,
    *,
    start: date | None,
    last_day: date | None,
    calendar: HouseholdCalendar,
) -> bool:
    """Whether the badge should have been awarded for this period by now: its criterion holds
    and, for a badge that waits for its period's end (`Badge.waits_for_period_end`), the period is
    over."""
    if badge.waits_for_period_end and not period_is_over(badge.period, start, last_day, calendar):
        return False
    return is_met(badge, measures)
