"""Badges a household defines: each criterion and period, awarded and revoked as the history
grows, counted from the past when defined, and settled again when the calendar changes."""

from datetime import date

import pytest

from achievements.models import BadgeAward, TaskTally
from achievements.services import create_badge_definition, delete_badge_definition
from households.services import update_household
from testsupport.factories import TaskFactory
from tracking.models import TrackingEvent

pytestmark = pytest.mark.django_db


def awards(child) -> list[tuple[str, str | None, bool]]:
    """(badge name, period start, standing) of the child's awards, in the order awarded."""
    rows = BadgeAward.objects.filter(child=child, awarded=True).order_by("award_event_id")
    return [
        (award.name, award.period_start and award.period_start.isoformat(), award.standing)
        for award in rows
        if award.badge_key.startswith("custom_")
    ]


def define(household, **fields):
    return create_badge_definition(household=household, **fields)


def test_points_earned_in_a_week_are_awarded_as_soon_as_reached_and_revoked_when_undone(
    acting, household, child, chore, agrees_with_history
):
    define(household, name="Thirty", criterion="week_points", period="week", threshold=30)
    acting.at(2026, 4, 6)
    acting.activate(child, chore)
    acting.activate(child, chore)
    third = acting.activate(child, chore)
    assert awards(child) == [("Thirty", "2026-04-06", True)]

    acting.at(2026, 4, 20)
    acting.reverse(third)

    assert awards(child) == [("Thirty", "2026-04-06", False)]
    agrees_with_history()


def test_a_chore_counted_per_month_counts_only_that_chore_in_that_month(
    acting, parent, household, child, chore, agrees_with_history
):
    other = TaskFactory(owner=parent)
    child.tasks.add(other)
    define(
        household, name="Dishes", criterion="task_count", task=chore, period="month", threshold=2
    )
    acting.at(2026, 3, 31, 20)
    acting.activate(child, chore)
    acting.at(2026, 4, 1, 9)
    acting.activate(child, other)
    acting.activate(child, other)
    assert awards(child) == []

    acting.activate(child, chore)
    acting.activate(child, chore)

    assert awards(child) == [("Dishes", "2026-04-01", True)]
    agrees_with_history()


def test_a_ratio_over_a_month_is_decided_once_the_month_is_over(
    acting, household, child, chore, penalty, agrees_with_history
):
    define(
        household,
        name="Mostly good",
        criterion="good_ratio",
        period="month",
        threshold=3,
        ratio_good=3,
        ratio_not_good=1,
    )
    acting.at(2026, 4, 2)
    for _ in range(3):
        acting.activate(child, chore)
    acting.at(2026, 4, 29)
    acting.activate(child, penalty)
    acting.activate(child, chore)
    assert awards(child) == []  # 4 to 1 so far, but April is not over

    acting.at(2026, 5, 1)
    acting.adjust(child, 1)

    assert awards(child) == [("Mostly good", "2026-04-01", True)]
    agrees_with_history()


def test_a_badge_defined_later_counts_the_weeks_before_it(
    acting, household, child, chore, agrees_with_history
):
    for day in (6, 13, 14):  # two chores in the week of 13 April, one in that of 6 April
        acting.at(2026, 4, day)
        acting.activate(child, chore)

    define(household, name="Two a week", criterion="chore_count", period="week", threshold=2)

    assert awards(child) == [("Two a week", "2026-04-13", True)]
    agrees_with_history()


def test_a_streak_badge_of_the_household_follows_the_best_streak(
    acting, household, child, chore, agrees_with_history
):
    define(household, name="Three days", criterion="streak_length", threshold=3)
    for day in (1, 2, 3):
        acting.at(2026, 4, day)
        acting.activate(child, chore)

    assert awards(child) == [("Three days", None, True)]
    agrees_with_history()


def test_changing_the_week_start_settles_the_clean_weeks_again(
    acting, household, child, chore, penalty, agrees_with_history
):
    acting.at(2026, 4, 6)  # Monday: a penalty
    acting.activate(child, penalty)
    acting.at(2026, 4, 8)  # Wednesday: a chore
    acting.activate(child, chore)
    acting.at(2026, 4, 15)
    acting.activate(child, chore)
    assert not BadgeAward.objects.filter(child=child, badge_key="clean_week").exists()

    # Weeks from Tuesday: the penalty's week (31 March) has no chore; 7 April's is clean.
    update_household(household=household, week_start=1)

    clean = BadgeAward.objects.get(child=child, badge_key="clean_week")
    assert (clean.period_start, clean.standing) == (date(2026, 4, 7), True)
    agrees_with_history()


def test_deleting_a_task_count_badge_forgets_its_tallies_and_keeps_its_award(
    acting, household, child, chore, agrees_with_history
):
    definition = define(household, name="One", criterion="task_count", task=chore, threshold=1)
    acting.at(2026, 4, 6)
    acting.activate(child, chore)
    assert TaskTally.objects.filter(child=child).exists()

    delete_badge_definition(definition=definition)

    assert not TaskTally.objects.exists()
    assert awards(child) == [("One", None, True)]
    assert TrackingEvent.objects.filter(child_id=child.pk, action="awarded").count() == 1
    agrees_with_history()
