"""`figures_changed` on the event stream: stored for the household's channel (and the child's,
while a device reads it) in the action's transaction, with the figures the projection saved."""

import json
from datetime import date

import pytest
from django_eventstream.models import Event

from insights.selectors import figures
from insights.tests.conftest import set_calendar
from rewards import services as rewards_services
from testsupport.factories import RewardFactory

pytestmark = pytest.mark.django_db


def figure_events(household) -> list[dict]:
    stored = Event.objects.filter(channel=f"household-{household.pk}", type="figures_changed")
    # django-eventstream stores each message's JSON text as a JSON string.
    return [json.loads(json.loads(event.data)) for event in stored.order_by("eid")]


def test_an_activation_streams_the_childs_figures_as_saved(acting, household, child, chore):
    set_calendar(household, time_zone="America/New_York")
    acting.at(2026, 4, 1, 18)
    acting.activate(child, chore)
    acting.at(2026, 4, 1, 23, 30)  # local time: 03:30 on 2 April in UTC
    event = acting.activate(child, chore)

    data = figure_events(household)[-1]

    child.refresh_from_db()
    assert (data["child_id"], data["child_name"]) == (child.pk, child.name)
    assert data["tracking_event_id"] == event.pk
    assert data["days"] == ["2026-04-01"]
    assert data["points"] == child.points == data["lifetime"]["net"]
    assert data["lifetime"]["earned"] == 20
    assert data["lifetime"]["good"] == {"count": 2, "points": 20}
    assert data["streak"] == {"current": 1, "best": 1}
    api = figures(child, date(2026, 4, 1), date(2026, 4, 1))
    assert data["lifetime"]["net"] == api["lifetime"]["net"]
    assert data["streak"] == api["streak"]


def test_a_reversal_and_a_pause_stream_figures_but_a_request_does_not(
    acting, household, child, chore, parent
):
    acting.at(2026, 4, 1)
    event = acting.activate(child, chore)
    reward = RewardFactory(owner=parent, cost=5)
    child.rewards.add(reward)
    rewards_services.request_reward(child=child, reward=reward, by=parent)
    assert len(figure_events(household)) == 1  # a request moves no figure

    acting.at(2026, 4, 3)
    acting.reverse(event)
    acting.pause(child, date(2026, 4, 2))

    reversal, pause = figure_events(household)[1:]
    assert (reversal["points"], reversal["lifetime"]["earned"]) == (0, 0)
    assert reversal["lifetime"]["good"] == {"count": 0, "points": 0}
    # The original's day (neutralized) and the reversal's own (where reversals are counted).
    assert reversal["days"] == ["2026-04-01", "2026-04-03"]
    assert pause["days"] == ["2026-04-02"]  # the paused day, not the day it was recorded
