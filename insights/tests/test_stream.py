"""The figures on the event stream: each row that changes a child's figures has them in its
`tracking_event_created` message (stored in the action's transaction), as the projection saved
them; the badges a row earns follow its message."""

import json
from datetime import date

import pytest
from django_eventstream.models import Event

from insights.selectors import figures
from insights.tests.conftest import set_calendar
from rewards import services as rewards_services
from testsupport.factories import RewardFactory
from tracking.models import TrackingEvent

pytestmark = pytest.mark.django_db


def messages(household) -> list[tuple[str, dict]]:
    stored = Event.objects.filter(channel=f"household-{household.pk}").exclude(type="")
    # django-eventstream stores each message's JSON text as a JSON string.
    return [(event.type, json.loads(json.loads(event.data))) for event in stored.order_by("eid")]


def rows(household) -> list[dict]:
    return [data for kind, data in messages(household) if kind == "tracking_event_created"]


def test_an_activation_streams_the_childs_figures_as_saved(acting, household, child, chore):
    set_calendar(household, time_zone="America/New_York")
    acting.at(2026, 4, 1, 18)
    acting.activate(child, chore)
    acting.at(2026, 4, 1, 23, 30)  # local time: 03:30 on 2 April in UTC
    event = acting.activate(child, chore)

    data = rows(household)[-1]

    child.refresh_from_db()
    assert data["tracking_event_id"] == event.pk
    figures_now = data["figures"]
    assert figures_now["days"] == ["2026-04-01"]
    assert figures_now["points"] == child.points == figures_now["lifetime"]["net"]
    assert figures_now["lifetime"]["earned"] == 20
    assert figures_now["lifetime"]["good"] == {"count": 2, "points": 20}
    assert figures_now["streak"] == {"current": 1, "best": 1}
    api = figures(child, date(2026, 4, 1), date(2026, 4, 1))
    assert figures_now["lifetime"]["net"] == api["lifetime"]["net"]
    assert figures_now["streak"] == api["streak"]


def test_a_reversal_and_a_pause_carry_figures_but_a_request_does_not(
    acting, household, child, chore, parent
):
    acting.at(2026, 4, 1)
    event = acting.activate(child, chore)
    reward = RewardFactory(owner=parent, cost=5)
    child.rewards.add(reward)
    rewards_services.request_reward(child=child, reward=reward, by=parent)
    request = rows(household)[-1]
    assert request["action"] == "requested" and "figures" not in request  # no figure moved

    acting.at(2026, 4, 3)
    acting.reverse(event)
    acting.pause(child, date(2026, 4, 2))

    reversal, pause = (row["figures"] for row in rows(household)[-2:])
    assert (reversal["points"], reversal["lifetime"]["earned"]) == (0, 0)
    assert reversal["lifetime"]["good"] == {"count": 0, "points": 0}
    # The original's day (neutralized) and the reversal's own (where reversals are counted).
    assert reversal["days"] == ["2026-04-01", "2026-04-03"]
    assert pause["days"] == ["2026-04-02"]  # the paused day, not the day it was recorded


def test_a_badge_follows_the_message_of_the_row_that_earned_it(acting, household, child, chore):
    acting.at(2026, 4, 1)
    for _ in range(10):
        acting.activate(child, chore)
    tenth_chore = TrackingEvent.objects.filter(child_id=child.pk, entity_type="task").last()

    kinds = [
        (kind, data.get("tracking_event_id"), data.get("entity_type"))
        for kind, data in messages(household)
        if kind in ("tracking_event_created", "badge_awarded")
    ]
    tenth = kinds.index(("tracking_event_created", tenth_chore.pk, "task"))
    assert [kind for kind, _, _ in kinds[tenth + 1 :]] == [
        "tracking_event_created",  # the badge's own row
        "badge_awarded",
    ]
    assert kinds[tenth + 1][2] == "badge"
    assert kinds[tenth + 1][1] > tenth_chore.pk  # the stream keeps the history's order
