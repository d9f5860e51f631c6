"""Streaks and paused days, in the household calendar, as the history makes them."""

from datetime import date, timedelta

import pytest

from insights.models import ChildTotals
from insights.selectors import streak_of, totals_of
from insights.services import ALREADY_PAUSED, record_pause, set_streak_tasks
from insights.streaks import BRIDGE, COUNTS, StreakState, current_streak, streak_state
from insights.tests.conftest import set_calendar
from kernel.errors import InvalidAction, StateConflict
from testsupport.factories import TaskFactory

D = date(2026, 4, 1)


def days(*offsets: int) -> list[date]:
    return [D + timedelta(days=n) for n in offsets]


def test_a_run_is_broken_by_a_day_without_a_chore_and_bridged_by_a_paused_one():
    state = streak_state(
        [(day, COUNTS) for day in days(0, 1, 2)]  # 3
        + [(day, COUNTS) for day in days(4, 5)]  # day 3 missing: 2
        + [(days(6)[0], BRIDGE)]
        + [(day, COUNTS) for day in days(7, 8, 9, 10)]  # bridged: 2 + 4
    )

    assert state == StreakState(run=6, best=6, last_day=days(10)[0])


def test_bridges_after_the_last_counting_day_keep_its_run():
    state = streak_state([(days(0)[0], COUNTS), (days(1)[0], BRIDGE), (days(3)[0], BRIDGE)])

    assert state == StreakState(run=1, best=1, last_day=D)


def test_today_without_a_chore_does_not_break_the_streak_but_yesterday_does():
    state = StreakState(run=4, best=9, last_day=D)

    assert current_streak(state, D, bridged_days=0) == 4
    assert current_streak(state, D + timedelta(days=1), bridged_days=0) == 4
    assert current_streak(state, D + timedelta(days=2), bridged_days=0) == 0
    assert current_streak(state, D + timedelta(days=3), bridged_days=2) == 4


pytestmark_db = pytest.mark.django_db


def streak(child) -> dict:
    from insights.calendar import HouseholdCalendar

    child.refresh_from_db()
    return streak_of(child.pk, totals_of(child), HouseholdCalendar.of(child.household).today())


@pytestmark_db
def test_consecutive_household_days_with_a_chore_make_the_streak(acting, child, chore):
    for day in (1, 2, 3):
        acting.at(2026, 4, day, 9)
        acting.activate(child, chore)
        acting.activate(child, chore)  # a second chore the same day adds nothing

    assert streak(child) == {"current": 3, "best": 3}
    acting.at(2026, 4, 4, 20)
    assert streak(child) == {"current": 3, "best": 3}  # today, no chore yet
    acting.at(2026, 4, 5, 8)
    assert streak(child) == {"current": 0, "best": 3}  # yesterday had none


@pytestmark_db
def test_a_daylight_saving_change_does_not_break_a_streak(
    acting, household, child, chore, agrees_with_history
):
    set_calendar(household, "Europe/Berlin")
    for day in (28, 29, 30):  # March 29th 2026 has 23 hours in Berlin
        acting.at(2026, 3, day, 23, 30)
        acting.activate(child, chore)

    assert streak(child) == {"current": 3, "best": 3}
    agrees_with_history()


@pytestmark_db
def test_undoing_the_only_chore_of_a_day_breaks_the_streak_as_if_it_never_happened(
    acting, child, chore, agrees_with_history
):
    events = {}
    for day in (1, 2, 3):
        acting.at(2026, 4, day, 9)
        events[day] = acting.activate(child, chore)
    acting.at(2026, 4, 3, 18)
    acting.reverse(events[2])

    assert streak(child) == {"current": 1, "best": 1}
    assert ChildTotals.objects.get(child=child).last_streak_day == date(2026, 4, 3)
    agrees_with_history()


@pytestmark_db
def test_undoing_one_of_two_chores_of_a_day_keeps_the_streak(
    acting, child, chore, agrees_with_history
):
    acting.at(2026, 4, 1, 9)
    acting.activate(child, chore)
    acting.at(2026, 4, 2, 9)
    first = acting.activate(child, chore)
    acting.activate(child, chore)
    acting.reverse(first)

    assert streak(child) == {"current": 2, "best": 2}
    agrees_with_history()


@pytestmark_db
def test_undoing_todays_only_chore_takes_today_out_of_the_streak(
    acting, child, chore, agrees_with_history
):
    acting.at(2026, 4, 1, 9)
    acting.activate(child, chore)
    acting.at(2026, 4, 2, 9)
    today = acting.activate(child, chore)
    acting.reverse(today)

    assert streak(child) == {"current": 1, "best": 1}  # yesterday's still stands today
    agrees_with_history()


@pytestmark_db
def test_a_paused_day_neither_breaks_nor_extends_a_streak(
    acting, child, chore, agrees_with_history
):
    acting.at(2026, 4, 1, 9)
    acting.activate(child, chore)
    acting.pause(child, date(2026, 4, 2))
    acting.at(2026, 4, 3, 9)
    acting.activate(child, chore)

    assert streak(child) == {"current": 2, "best": 2}
    acting.at(2026, 4, 5, 9)  # the 4th had nothing
    assert streak(child) == {"current": 0, "best": 2}
    agrees_with_history()


@pytestmark_db
def test_a_pause_recorded_after_the_fact_mends_a_broken_streak(
    acting, child, chore, agrees_with_history
):
    for day in (1, 3):
        acting.at(2026, 4, day, 9)
        acting.activate(child, chore)
    assert streak(child) == {"current": 1, "best": 1}

    acting.pause(child, date(2026, 4, 2), reason="Flu")

    assert streak(child) == {"current": 2, "best": 2}
    agrees_with_history()


@pytestmark_db
def test_pausing_yesterday_and_today_keeps_the_streak_standing(
    acting, child, chore, agrees_with_history
):
    acting.at(2026, 4, 1, 9)
    acting.activate(child, chore)
    acting.at(2026, 4, 3, 9)
    acting.pause(child, date(2026, 4, 2))
    acting.pause(child, date(2026, 4, 3))

    assert streak(child) == {"current": 1, "best": 1}
    agrees_with_history()


@pytestmark_db
def test_a_chore_on_a_paused_day_does_not_extend_the_streak(
    acting, child, chore, agrees_with_history
):
    acting.at(2026, 4, 1, 9)
    acting.activate(child, chore)
    acting.at(2026, 4, 2, 9)
    acting.pause(child, date(2026, 4, 2))
    acting.activate(child, chore)

    assert streak(child) == {"current": 1, "best": 1}
    agrees_with_history()


@pytestmark_db
def test_undoing_a_pause_breaks_the_streak_it_bridged(acting, child, chore, agrees_with_history):
    acting.at(2026, 4, 1, 9)
    acting.activate(child, chore)
    pause = acting.pause(child, date(2026, 4, 2))
    acting.at(2026, 4, 3, 9)
    acting.activate(child, chore)
    reversal = acting.reverse(pause)

    assert (reversal.delta, reversal.entity_type) == (0, "pause")
    assert streak(child) == {"current": 1, "best": 1}
    agrees_with_history()


@pytestmark_db
def test_a_second_pause_of_a_day_is_refused_while_the_first_stands(acting, child):
    acting.at(2026, 4, 1, 9)
    first = acting.pause(child, date(2026, 4, 1))

    with pytest.raises(StateConflict) as refused:
        acting.pause(child, date(2026, 4, 1))

    assert str(refused.value) == ALREADY_PAUSED.format(
        day="2026-04-01", child=child.name, event_id=first.pk
    )
    acting.reverse(first)
    acting.pause(child, date(2026, 4, 1))  # once undone, the day can be paused again


@pytestmark_db
def test_a_pause_is_history_that_moves_no_points(acting, parent, child):
    child.points = 12
    child.save()
    acting.at(2026, 4, 1, 9)

    event = acting.pause(child, date(2026, 4, 1), reason="Holiday")

    assert (event.entity_type, event.action, event.entity_id) == ("pause", "paused", None)
    assert (event.points_before, event.points_after, event.delta) == (12, 12, 0)
    assert event.user_id == parent.pk
    assert {k: event.metadata[k] for k in ("day", "reason", "actor")} == {
        "day": "2026-04-01",
        "reason": "Holiday",
        "actor": "guardian",
    }


@pytestmark_db
def test_a_pause_more_than_a_year_away_is_refused(acting, parent, child):
    acting.at(2026, 4, 1, 9)

    with pytest.raises(InvalidAction):
        record_pause(child=child, day=date(2027, 4, 3), reason="x", by=parent)


@pytestmark_db
def test_only_the_chosen_chores_count_for_the_streak(
    acting, parent, child, chore, agrees_with_history
):
    homework = TaskFactory(owner=parent)
    child.tasks.add(homework)
    acting.at(2026, 4, 1, 9)
    acting.activate(child, chore)
    acting.at(2026, 4, 2, 9)
    acting.activate(child, homework)
    assert streak(child) == {"current": 2, "best": 2}

    set_streak_tasks(child=child, tasks=[homework])  # rebuilt with the choice
    assert streak(child) == {"current": 1, "best": 1}
    acting.at(2026, 4, 3, 9)
    acting.activate(child, chore)  # does not count any more
    assert streak(child) == {"current": 1, "best": 1}
    acting.activate(child, homework)
    assert streak(child) == {"current": 2, "best": 2}
    agrees_with_history()

    set_streak_tasks(child=child, tasks=[])  # every chore again
    assert streak(child) == {"current": 3, "best": 3}
    agrees_with_history()


@pytestmark_db
def test_a_penalty_cannot_count_for_a_streak(child, penalty):
    with pytest.raises(InvalidAction):
        set_streak_tasks(child=child, tasks=[penalty])


@pytestmark_db
def test_the_best_streak_outlives_the_current_one(acting, child, chore, agrees_with_history):
    for day in (1, 2, 3, 4, 10, 11):
        acting.at(2026, 4, day, 9)
        acting.activate(child, chore)

    assert streak(child) == {"current": 2, "best": 4}
    agrees_with_history()


@pytestmark_db
def test_a_streak_follows_a_late_boundary(acting, household, child, chore, agrees_with_history):
    set_calendar(household, "UTC", day_boundary_hour=4)
    acting.at(2026, 4, 1, 21)
    acting.activate(child, chore)
    acting.at(2026, 4, 3, 2)  # still April 2nd for this family
    acting.activate(child, chore)

    assert streak(child) == {"current": 2, "best": 2}
    agrees_with_history()
