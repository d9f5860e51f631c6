"""Fixtures for the achievements tests: insights' clock and acting helpers (every service reads
Django's clock, which the tests set), the household's calendar, and a check that the stored
badges equal a rebuild from the history."""

import pytest

from achievements.memo import memo
from achievements.rebuild import rebuild_badges
from children import services as children_services
from insights.rebuild import rebuild
from insights.tests.conftest import Acting, Clock
from rewards import services as rewards_services
from testsupport.factories import household_of
from tracking.models import TrackingEvent


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Django's clock, frozen until a test moves it (`clock.now = ...`)."""
    from django.utils import timezone

    frozen = Clock()
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def household(parent):
    return household_of(parent)


class ActingWithBadges(Acting):
    """insights' helpers, each returning the action's own event (a badge event may follow it)."""

    def activate(self, child, task) -> TrackingEvent:
        result = children_services.activate_task(child=child, task=task, by=self.parent)
        return own_event(result)

    def adjust(self, child, points) -> TrackingEvent:
        result = children_services.adjust_points(
            child=child, points=points, reason="test", by=self.parent
        )
        return own_event(result)

    def redeem(self, child, reward) -> TrackingEvent:
        return own_event(rewards_services.redeem_reward(child=child, reward=reward, by=self.parent))


def own_event(result) -> TrackingEvent:
    return TrackingEvent.objects.get(pk=result.extras["tracking_event"]["id"])


@pytest.fixture
def acting(parent, household, clock) -> ActingWithBadges:
    return ActingWithBadges(parent, household, clock)


@pytest.fixture
def agrees_with_history():
    """`agrees_with_history()`: the stored figures, streaks, tallies and badges equal a rebuild
    from the history (which then stores nothing new)."""

    def check(**scope) -> None:
        assert rebuild(**scope) == []
        assert rebuild_badges(**scope) == []

    return check


@pytest.fixture(autouse=True)
def fresh_memo():
    """What a process remembers of committed badges starts empty in each test (ids repeat)."""
    memo.children.clear()
    yield
    memo.children.clear()


@pytest.fixture(autouse=True)
def receivers_do_not_fail(caplog):
    """The projections and the badge checks log what fails and let the action go on: here that
    is a failed test."""
    yield
    failures = [
        record
        for record in caplog.records
        if record.name in ("django.dispatch", "achievements.settle") and record.levelname == "ERROR"
    ]
    assert not failures, failures[0].getMessage()
