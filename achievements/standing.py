"""Which of a child's badges should stand, over its whole history at once: every badge for every
period in which the child has figures. The sync (a badge defined, a calendar changed) and the
rebuild decide here; the check after each row decides the same for the periods the row touched
(`achievements.checks`)."""

from collections.abc import Iterable
from datetime import date

from achievements.catalog import Badge
from achievements.criteria import Measures, is_due, is_met
from achievements.measures import counted_tasks, lifetime_task_counts, measures_by_period
from achievements.models import BadgeAward, Period
from achievements.settle import Verdicts
from insights.calendar import HouseholdCalendar
from insights.models import ChildTotals
from tracking.models import EntityType, TrackingEvent


def last_event_day(child_id: int, calendar: HouseholdCalendar) -> date | None:
    """The household day of the child's latest event, badges aside: the periods before it are
    over for the badges that wait for their period's end."""
    moment = (
        TrackingEvent.objects.filter(child_id=child_id)
        .exclude(entity_type=EntityType.BADGE)
        .order_by("-occurred_at", "-created_at", "-id")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return None if moment is None else calendar.day_of(moment)


def lifetime_of(child_id: int, task_ids: set[int]) -> Measures:
    totals = ChildTotals.objects.filter(child_id=child_id).first()
    counts = lifetime_task_counts(child_id, task_ids)
    if totals is None:
        return Measures(task_counts=counts)
    return Measures(
        chores=totals.chores,
        penalties=totals.penalties,
        earned=totals.earned,
        best_streak=totals.best_streak,
        task_counts=counts,
    )


def verdicts_of_child(
    child_id: int,
    badges: list[Badge],
    calendar: HouseholdCalendar,
    awarded: Iterable[tuple[str, date | None]] | None = None,
) -> Verdicts:
    """(badge key, period start) → the badge and whether it should stand now, for every badge and
    every period with figures, and every period in which one of them was awarded (`awarded`; by
    default the stored awards): a period whose figures are all gone has a false criterion."""
    tallied = counted_tasks(badges)
    by_period = measures_by_period(child_id, calendar, tallied)
    lifetime = lifetime_of(child_id, tallied)
    last_day = last_event_day(child_id, calendar)
    verdicts: Verdicts = {}
    for badge in badges:
        if badge.period == Period.LIFETIME:
            verdicts[(badge.key, None)] = (badge, is_met(badge, lifetime))
            continue
        for (period, start), measures in by_period.items():
            if period == badge.period:
                verdicts[(badge.key, start)] = (
                    badge,
                    is_due(badge, measures, start=start, last_day=last_day, calendar=calendar),
                )
    known = {badge.key: badge for badge in badges}
    if awarded is None:
        stored = BadgeAward.objects.filter(child_id=child_id, awarded=True, badge_key__in=known)
        awarded = stored.values_list("badge_key", "period_start")
    for badge_key, start in awarded:
        if badge_key in known:
            verdicts.setdefault((badge_key, start), (known[badge_key], False))
    return verdicts
