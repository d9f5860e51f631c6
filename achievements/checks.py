"""The badge check after each row of the history is applied to the projections: in the action's
transaction, on a child it locked, reading only what insights just updated (the child's totals,
its days in the week or month concerned) and the chore tallies; never the history itself but for
two single-row reads (a reversal's original, the child's previous event).

Which badges a row can change:
- lifetime badges (streaks, chore counts): from the totals, on every row;
- week and month badges of the day whose figures the row changed (a reversal changes its
  original's day): decided at once when only a reversal can make their criterion false again
  (counts, points); those that a later penalty could undo (`clean_week`, `good_ratio`) wait for
  their period to be over, and a reversal that changes such a period once it is over decides it
  again;
- those waiting badges of the period of the child's previous event, when this row is the first
  after that period: the period is now over.

What this process already knows (`achievements.memo`: an award made, an event earlier the same
day) spares the reads it would repeat: on a child's second chore of a day with its badges
awarded, the check reads the household's badges and nothing else.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from achievements.catalog import Badge, badges_of_household
from achievements.criteria import Measures, is_met, period_is_over, period_range, period_start
from achievements.measures import counted_tasks, lifetime_task_counts, range_measures
from achievements.memo import memo
from achievements.models import Criterion, Period
from achievements.settle import Verdicts, settle
from achievements.tallies import add_to_tally
from insights.calendar import HouseholdCalendar
from tracking.models import Action, EntityType, TrackingEvent

POINTS_ENTITIES = (EntityType.TASK, EntityType.PENALTY)


@dataclass(frozen=True)
class Touch:
    """A day whose figures a row changed: one activation of a chore (`task_id`) or a penalty
    more (`count` 1) or less (-1, its reversal)."""

    day: date
    task_id: int | None
    count: int


def touches_of(row: TrackingEvent, calendar: HouseholdCalendar) -> list[Touch]:
    """The days whose chore and penalty figures this row changed (a reversal reads its original:
    one query by id)."""
    if row.entity_type not in POINTS_ENTITIES:
        return []
    if row.action == Action.ACTIVATED:
        event, count = row, 1
    elif row.action == Action.REVERSED:
        event = (
            TrackingEvent.objects.filter(pk=row.reverses, child_id=row.child_id)
            .only("entity_type", "entity_id", "action", "occurred_at")
            .first()
        )
        if event is None or event.action != Action.ACTIVATED:
            return []
        count = -1
    else:
        return []
    task_id = event.entity_id if event.entity_type == EntityType.TASK else None
    return [Touch(calendar.day_of(event.occurred_at), task_id, count)]


def previous_event_day(row: TrackingEvent, calendar: HouseholdCalendar) -> date | None:
    """The household day of the child's event before this row (badges aside): one step back
    along the child's timeline index."""
    moment = (
        TrackingEvent.objects.filter(child_id=row.child_id, occurred_at__lte=row.occurred_at)
        .exclude(pk=row.pk)
        .exclude(entity_type=EntityType.BADGE)
        .order_by("-occurred_at", "-created_at", "-id")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return None if moment is None else calendar.day_of(moment)


class Check:
    """One row's check: its candidates (badge, period) and their verdicts."""

    def __init__(self, row: TrackingEvent, totals: Any, definitions: list[tuple] | None) -> None:
        self.row, self.totals, self.child = row, totals, totals.child
        self.calendar = HouseholdCalendar.of(self.child.household)
        self.row_day = self.calendar.day_of(row.occurred_at)
        self.badges = badges_of_household(self.child.household_id, definitions)
        self.tallied = counted_tasks(self.badges)
        self.touches = touches_of(row, self.calendar)
        # Only a reversal or a pause can make a criterion false (a streak split, a count down).
        self.can_lower = (
            any(touch.count < 0 for touch in self.touches) or row.entity_type == EntityType.PAUSE
        )
        self.verdicts: Verdicts = {}
        self.period_measures: dict[tuple[str, date], Measures] = {}

    def run(self) -> None:
        for touch in self.touches:
            if touch.task_id in self.tallied:
                add_to_tally(
                    child_id=self.child.pk, task_id=touch.task_id, day=touch.day, count=touch.count
                )
        self.lifetime_badges()
        self.touched_periods()
        self.periods_now_over()
        memo.remember_day_on_commit(self.child.pk, self.calendar, self.row_day)
        settle(self.child, self.verdicts, include_unmet=self.can_lower)

    def known_awarded(self, badge: Badge, start: date | None) -> bool:
        """Awarded for that period already (a row that can only add changes nothing then)."""
        return not self.can_lower and memo.was_awarded(self.child.pk, badge.key, start)

    def lifetime_badges(self) -> None:
        touched_tasks = {touch.task_id for touch in self.touches} & self.tallied
        pending = [
            badge
            for badge in self.badges
            if badge.period == Period.LIFETIME
            and (badge.criterion != Criterion.TASK_COUNT or badge.task_id in touched_tasks)
            and not self.known_awarded(badge, None)
        ]
        counted = {badge.task_id for badge in pending if badge.task_id is not None}
        totals = self.totals
        lifetime = Measures(
            chores=totals.chores,
            penalties=totals.penalties,
            earned=totals.earned,
            best_streak=totals.best_streak,
            task_counts=lifetime_task_counts(self.child.pk, counted),
        )
        for badge in pending:
            self.verdicts[(badge.key, None)] = (badge, is_met(badge, lifetime))

    def touched_periods(self) -> None:
        for touch in self.touches:
            for badge in self.badges:
                if badge.period == Period.LIFETIME:
                    continue
                if badge.criterion == Criterion.TASK_COUNT and badge.task_id != touch.task_id:
                    continue
                start = period_start(badge, touch.day, self.calendar)
                if badge.waits_for_period_end and not period_is_over(
                    badge.period, start, self.row_day, self.calendar
                ):
                    continue  # decided once the period is over
                if not self.known_awarded(badge, start):
                    self.decide(badge, start)

    def periods_now_over(self) -> None:
        waiting = [badge for badge in self.badges if badge.waits_for_period_end]
        if not waiting or memo.had_event_on(self.child.pk, self.calendar, self.row_day):
            return  # not the child's first event of the day: no period ended since the last
        previous_day = previous_event_day(self.row, self.calendar)
        if previous_day is None or previous_day >= self.row_day:
            return
        for badge in waiting:
            start = period_start(badge, previous_day, self.calendar)
            if period_is_over(badge.period, start, self.row_day, self.calendar):
                self.decide(badge, start)

    def decide(self, badge: Badge, start: date) -> None:
        key = (badge.period, start)
        if key not in self.period_measures:
            first, last = period_range(badge.period, start, self.calendar)
            counted = {
                b.task_id for b in self.badges if b.task_id is not None and b.period == badge.period
            }
            self.period_measures[key] = range_measures(self.child.pk, first, last, counted)
        self.verdicts[(badge.key, start)] = (badge, is_met(badge, self.period_measures[key]))


def check_badges_after(
    row: TrackingEvent, totals: Any, definitions: list[tuple] | None = None
) -> None:
    """Award what this row made due and revoke what it made false (see the module's docstring).
    `definitions`: the household's definitions' rows, when they were read with the row."""
    Check(row, totals, definitions).run()
