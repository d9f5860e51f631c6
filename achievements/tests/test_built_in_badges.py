"""The built-in badges, awarded and revoked by appending events as the history grows: each test acts
through the services at set times, reads the badge events and awards, and checks them against a
rebuild from the history."""

from datetime import date

import pytest

from achievements.models import BadgeAward
from children.models import Child
from insights.services import set_streak_tasks
from insights.tests.conftest import set_calendar
from testsupport.factories import TaskFactory, owner_of
from tracking.models import TrackingEvent

pytestmark = pytest.mark.django_db


def badge_events(child, key: str | None = None) -> list[tuple[str, str, str | None]]:
    """(action, badge key, period start) of the child's badge events, in order."""
    events = TrackingEvent.objects.filter(child_id=child.pk, entity_type="badge").order_by("id")
    return [
        (event.action, event.metadata["badge_key"], event.metadata["period_start"])
        for event in events
        if key is None or event.metadata["badge_key"] == key
    ]


def test_the_tenth_chore_awards_the_ten_chores_badge_by_appending_an_event(
    acting, child, chore, agrees_with_history
):
    acting.at(2026, 4, 1)
    for _ in range(9):
        acting.activate(child, chore)
    assert badge_events(child) == []

    acting.activate(child, chore)

    event = TrackingEvent.objects.get(child_id=child.pk, entity_type="badge")
    child.refresh_from_db()
    assert (event.action, event.entity_id, event.delta) == ("awarded", None, 0)
    assert event.points_before == event.points_after == child.points == 100
    assert event.user_id == owner_of(child).pk
    assert event.metadata["badge_key"] == "chores_10"
    assert event.metadata["criterion"] == "chore_count"
    assert (event.metadata["period"], event.metadata["period_start"]) == ("lifetime", None)
    assert event.metadata["actor"] == "system"
    award = BadgeAward.objects.get(child=child)
    assert (award.badge_key, award.awarded, award.award_event_id) == ("chores_10", True, event.pk)
    assert award.standing
    agrees_with_history()


def test_undoing_the_tenth_chore_revokes_the_badge_and_redoing_it_does_not_award_it_twice(
    acting, child, chore, agrees_with_history
):
    acting.at(2026, 4, 1)
    events = [acting.activate(child, chore) for _ in range(10)]

    acting.reverse(events[-1])
    acting.activate(child, chore)

    assert badge_events(child) == [("awarded", "chores_10", None), ("revoked", "chores_10", None)]
    award = BadgeAward.objects.get(child=child, badge_key="chores_10")
    revoked = TrackingEvent.objects.get(pk=award.revoke_event_id)
    assert revoked.metadata["revokes"] == award.award_event_id
    assert not award.standing
    agrees_with_history()


def test_a_seven_day_streak_awards_the_streak_badge_on_its_seventh_day(
    acting, child, chore, agrees_with_history
):
    for day in range(1, 8):
        acting.at(2026, 4, day, 18)
        acting.activate(child, chore)
        if day == 6:
            assert badge_events(child, "streak_7") == []

    assert badge_events(child, "streak_7") == [("awarded", "streak_7", None)]
    agrees_with_history()


def test_undoing_a_chore_inside_the_streak_revokes_the_streak_badge(
    acting, child, chore, agrees_with_history
):
    events = []
    for day in range(1, 8):
        acting.at(2026, 4, day, 18)
        events.append(acting.activate(child, chore))

    acting.at(2026, 4, 8, 9)
    acting.reverse(events[3])  # 4 April never had a chore: 3 + 3 days

    assert badge_events(child, "streak_7") == [
        ("awarded", "streak_7", None),
        ("revoked", "streak_7", None),
    ]
    agrees_with_history()


def test_a_paused_day_bridges_the_streak_to_its_badge(acting, child, chore, agrees_with_history):
    for day in (1, 2, 3, 5, 6, 7, 8):
        acting.at(2026, 4, day, 18)
        acting.activate(child, chore)
    assert badge_events(child, "streak_7") == []

    acting.pause(child, date(2026, 4, 4), "Ill")

    # The pause neither extends nor breaks: 3 + 4 days make 7.
    assert badge_events(child, "streak_7") == [("awarded", "streak_7", None)]
    agrees_with_history()


def test_a_clean_week_is_awarded_at_the_first_event_after_it(
    acting, child, chore, agrees_with_history
):
    acting.at(2026, 4, 6)  # a Monday
    acting.activate(child, chore)
    acting.at(2026, 4, 12, 23)  # its Sunday
    acting.activate(child, chore)
    assert badge_events(child, "clean_week") == []

    acting.at(2026, 4, 14)
    acting.activate(child, chore)

    assert badge_events(child, "clean_week") == [("awarded", "clean_week", "2026-04-06")]
    agrees_with_history()


def test_a_week_with_a_penalty_is_not_clean_until_the_penalty_is_reversed(
    acting, child, chore, penalty, agrees_with_history
):
    acting.at(2026, 4, 6)
    acting.activate(child, chore)
    acting.activate(child, chore)
    acting.activate(child, chore)
    fine = acting.activate(child, penalty)
    acting.at(2026, 4, 14)
    acting.activate(child, chore)
    assert badge_events(child, "clean_week") == []

    acting.at(2026, 4, 15)
    acting.reverse(fine)

    assert badge_events(child, "clean_week") == [("awarded", "clean_week", "2026-04-06")]
    agrees_with_history()


def test_reversing_the_only_chore_of_a_clean_week_revokes_it(
    acting, child, chore, agrees_with_history
):
    acting.at(2026, 4, 6)
    only = acting.activate(child, chore)
    acting.at(2026, 4, 14)
    acting.adjust(child, 5)
    assert badge_events(child, "clean_week") == [("awarded", "clean_week", "2026-04-06")]

    acting.reverse(only)

    assert badge_events(child, "clean_week")[-1] == ("revoked", "clean_week", "2026-04-06")
    agrees_with_history()


def test_a_saturday_week_is_the_clean_week_of_a_household_whose_week_starts_on_saturday(
    acting, household, child, chore, penalty, agrees_with_history
):
    set_calendar(household, "Europe/Berlin", week_start=5)
    acting.at(2026, 4, 3, 20)  # Friday: the week of Saturday 28 March, with a penalty
    acting.activate(child, penalty)
    acting.at(2026, 4, 4, 9)  # Saturday: a new week
    acting.activate(child, chore)
    acting.at(2026, 4, 11, 9)  # the next Saturday
    acting.activate(child, chore)

    assert badge_events(child, "clean_week") == [("awarded", "clean_week", "2026-04-04")]
    agrees_with_history()


def test_badge_events_keep_the_chain_and_stream_as_badge_awarded(
    acting, household, child, chore, agrees_with_history
):
    from django_eventstream.models import Event

    acting.at(2026, 4, 1)
    for _ in range(10):
        acting.activate(child, chore)

    stored = Event.objects.filter(channel=f"household-{household.pk}", type="badge_awarded")
    assert stored.count() == 1
    child = Child.objects.get(pk=child.pk)
    last = TrackingEvent.objects.filter(child_id=child.pk).order_by("-id").first()
    assert (last.entity_type, last.points_after) == ("badge", child.points)
    agrees_with_history()


def test_choosing_other_chores_for_the_streak_revokes_the_streak_badge_and_choosing_back_leaves_it_revoked(
    acting, parent, child, chore, agrees_with_history
):
    homework = TaskFactory(owner=parent, points=5)
    child.tasks.add(homework)
    for day in range(1, 8):
        acting.at(2026, 4, day, 18)
        acting.activate(child, chore)
    assert badge_events(child, "streak_7") == [("awarded", "streak_7", None)]

    set_streak_tasks(child=child, tasks=[homework])  # the seven days no longer count

    assert badge_events(child, "streak_7")[-1] == ("revoked", "streak_7", None)
    assert not BadgeAward.objects.get(child=child, badge_key="streak_7").standing
    agrees_with_history()

    set_streak_tasks(child=child, tasks=[])  # every chore counts again

    # A revoked badge is never awarded again for its period.
    assert badge_events(child, "streak_7") == [
        ("awarded", "streak_7", None),
        ("revoked", "streak_7", None),
    ]
    agrees_with_history()
