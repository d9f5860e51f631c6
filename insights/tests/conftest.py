"""Fixtures for the insights tests: a clock the tests set (every service reads Django's clock),
the household's calendar, and short ways to act on a child at a given local time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from children import services as children_services
from insights import services as insights_services
from insights.rebuild import rebuild
from rewards import services as rewards_services
from testsupport.factories import household_of
from tracking.ledger.reversal import reverse_event
from tracking.models import TrackingEvent


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Django's clock, frozen until a test moves it (`clock.now = ...`)."""
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def household(parent):
    return household_of(parent)


def set_calendar(household, time_zone="UTC", day_boundary_hour=0, week_start=0) -> None:
    household.time_zone = time_zone
    household.day_boundary_hour = day_boundary_hour
    household.week_start = week_start
    household.save()


class Acting:
    """What a guardian does to a child, at the local wall time `at` (in the household's zone)."""

    def __init__(self, parent, household, clock: Clock) -> None:
        self.parent, self.household, self.clock = parent, household, clock

    def at(self, year, month, day, hour=12, minute=0) -> None:
        zone = ZoneInfo(self.household.time_zone)
        self.clock.now = datetime(year, month, day, hour, minute, tzinfo=zone)

    def last_event(self, child) -> TrackingEvent:
        return TrackingEvent.objects.filter(child_id=child.pk).order_by("-id").first()

    def activate(self, child, task) -> TrackingEvent:
        children_services.activate_task(child=child, task=task, by=self.parent)
        return self.last_event(child)

    def adjust(self, child, points) -> TrackingEvent:
        children_services.adjust_points(child=child, points=points, reason="test", by=self.parent)
        return self.last_event(child)

    def redeem(self, child, reward) -> TrackingEvent:
        rewards_services.redeem_reward(child=child, reward=reward, by=self.parent)
        return self.last_event(child)

    def reverse(self, event) -> TrackingEvent:
        reverse_event(user=self.parent, event_id=event.pk, reason="undo")
        return TrackingEvent.objects.get(reverses=event.pk)

    def pause(self, child, day, reason="Holiday") -> TrackingEvent:
        _, event = insights_services.record_pause(
            child=child, day=day, reason=reason, by=self.parent
        )
        return event


@pytest.fixture
def acting(parent, household, clock) -> Acting:
    return Acting(parent, household, clock)


@pytest.fixture
def agrees_with_history():
    """`agrees_with_history()`: the stored projections equal a rebuild from the history."""

    def check(**scope) -> None:
        assert rebuild(**scope) == []

    return check


@pytest.fixture(autouse=True)
def receivers_do_not_fail(caplog):
    """The projection runs behind `send_robust`, which logs what a receiver raises and goes on:
    here that is a failed test."""
    yield
    failures = [r for r in caplog.records if r.name == "django.dispatch" and r.levelname == "ERROR"]
    assert not failures, failures[0].getMessage()
