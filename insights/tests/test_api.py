"""The insights API as a client calls it: figures, series, pauses and the streak's chores."""

from datetime import date

import pytest
from django.urls import reverse

from conftest import client_for
from households.models import Role
from insights.serializers import (
    DAY_OUT_OF_RANGE,
    END_BEFORE_START,
    NOT_WITH_RANGE,
    RANGE_TOO_LONG,
    START_AND_END,
)
from insights.services import NOT_A_CHORE, PAUSE_TOO_FAR
from insights.tests.conftest import set_calendar
from testsupport.factories import ChildFactory, MembershipFactory
from tracking.models import TrackingEvent

WRONG_DAY_FORMAT = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."

pytestmark = pytest.mark.django_db


def url(name: str, child) -> str:
    return reverse(name, kwargs={"pk": child.pk})


@pytest.fixture
def viewer_client(household):
    return client_for(MembershipFactory(household=household, role=Role.VIEWER).user)


@pytest.fixture
def history(acting, household, child, chore, penalty, reward):
    """A week in a Saturday-start household (Saturday May 2nd to Friday May 8th 2026), one day
    before it and one after."""
    set_calendar(household, "America/New_York", week_start=5)
    acting.at(2026, 5, 1, 23, 30)  # Friday, the week before
    acting.activate(child, chore)
    acting.at(2026, 5, 2, 0, 30)  # Saturday: the week's first day
    acting.activate(child, chore)
    acting.activate(child, chore)
    acting.at(2026, 5, 5, 18)
    acting.activate(child, penalty)  # 30 from 30: -30
    acting.adjust(child, 20)
    acting.redeem(child, reward)  # -20
    acting.at(2026, 5, 8, 23, 59)  # Friday: the week's last day
    acting.activate(child, chore)
    acting.at(2026, 5, 9, 0, 1)  # Saturday: the next week
    acting.activate(child, chore)
    acting.at(2026, 5, 9, 12)


def test_a_saturday_start_week_gives_the_right_weekly_totals(parent_client, child, history):
    response = parent_client.get(url("child-figures", child), {"date": "2026-05-06"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert {k: body[k] for k in ("start", "end", "earned", "lost", "spent", "adjusted")} == {
        "start": "2026-05-02",
        "end": "2026-05-08",
        "earned": 30,
        "lost": 30,
        "spent": 20,
        "adjusted": 20,
    }
    assert body["good"] == {"count": 3, "points": 30}
    assert body["not_good"] == {"count": 1, "points": 30}
    assert (body["reversed"], body["reversals"], body["net"]) == (0, 0, 0)


def test_the_default_is_this_household_week_with_lifetime_points_and_streak(
    parent_client, child, history
):
    response = parent_client.get(url("child-figures", child))

    body = response.json()
    child.refresh_from_db()
    assert (body["start"], body["end"]) == ("2026-05-09", "2026-05-15")
    assert body["earned"] == 10
    assert body["lifetime"] == {
        "earned": 50,
        "lost": 30,
        "spent": 20,
        "adjusted": 20,
        "reversed": 0,
        "net": 20,
    }
    assert body["points"] == body["lifetime"]["net"] == child.points
    assert body["available_points"] == child.points
    assert body["streak"] == {"current": 2, "best": 2}  # May 8th and 9th


@pytest.mark.parametrize(
    ("query", "start", "end", "earned"),
    [
        ({"period": "day", "date": "2026-05-02"}, "2026-05-02", "2026-05-02", 20),
        ({"period": "day", "date": "2026-05-01"}, "2026-05-01", "2026-05-01", 10),
        ({"period": "month", "date": "2026-05-20"}, "2026-05-01", "2026-05-31", 50),
        ({"start": "2026-05-01", "end": "2026-05-02"}, "2026-05-01", "2026-05-02", 30),
    ],
)
def test_a_day_a_month_or_a_range(parent_client, child, history, query, start, end, earned):
    body = parent_client.get(url("child-figures", child), query).json()

    assert (body["start"], body["end"], body["earned"]) == (start, end, earned)


def test_a_reversed_chore_is_out_of_every_figure(acting, parent_client, child, chore):
    acting.at(2026, 5, 4, 9)
    event = acting.activate(child, chore)
    acting.reverse(event)

    body = parent_client.get(url("child-figures", child), {"date": "2026-05-04"}).json()

    assert (body["earned"], body["good"], body["reversals"], body["net"]) == (
        0,
        {"count": 0, "points": 0},
        1,
        0,
    )
    assert body["streak"] == {"current": 0, "best": 0}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"period": "year"}, "period", '"year" is not a valid choice.'),
        ({"date": "2026-13-01"}, "date", None),
        ({"date": "yesterday"}, "date", None),
        # What ISO 8601 parsing alone would take: a week date, the compact form, one digit.
        ({"date": "2026-W19-3"}, "date", WRONG_DAY_FORMAT),
        ({"date": "20260506"}, "date", WRONG_DAY_FORMAT),
        ({"date": "2026-5-6"}, "date", WRONG_DAY_FORMAT),
        ({"start": "20260501", "end": "2026-05-02"}, "start", WRONG_DAY_FORMAT),
        ({"date": "0001-01-01"}, "date", DAY_OUT_OF_RANGE),
        ({"start": "2026-05-01"}, "end", START_AND_END),
        ({"end": "2026-05-01"}, "start", START_AND_END),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "end", END_BEFORE_START),
        ({"start": "2025-05-01", "end": "2026-05-02"}, "end", RANGE_TOO_LONG),
        ({"start": "2026-05-01", "end": "2026-05-02", "period": "day"}, "start", NOT_WITH_RANGE),
        ({"week": "1"}, "week", None),
    ],
)
def test_bad_figures_parameters_are_a_400_that_names_them(
    parent_client, child, query, field, message
):
    response = parent_client.get(url("child-figures", child), query)

    assert response.status_code == 400
    assert field in response.json()
    if message is not None:
        assert response.json()[field] == [message]


def test_a_range_of_366_days_is_allowed(parent_client, child):
    response = parent_client.get(
        url("child-figures", child), {"start": "2024-01-01", "end": "2024-12-31"}
    )

    assert response.status_code == 200


def test_the_series_lists_every_day_of_the_range(parent_client, child, history):
    response = parent_client.get(
        url("child-series", child), {"start": "2026-05-01", "end": "2026-05-06"}
    )

    assert response.status_code == 200
    days = response.json()
    assert [d["day"] for d in days] == [f"2026-05-0{n}" for n in range(1, 7)]
    assert days[1] == {
        "day": "2026-05-02",
        "earned": 20,
        "lost": 0,
        "spent": 0,
        "adjusted": 0,
        "reversed": 0,
        "net": 20,
        "good": {"count": 2, "points": 20},
        "not_good": {"count": 0, "points": 0},
        "paused": False,
    }
    assert days[2]["net"] == 0
    assert days[4]["net"] == -30
    assert sum(d["net"] for d in days) == 0


def test_the_default_series_is_the_last_30_days(parent_client, child, history):
    days = parent_client.get(url("child-series", child)).json()

    assert len(days) == 30
    assert (days[0]["day"], days[-1]["day"]) == ("2026-04-10", "2026-05-09")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-05-01"}, "end"),
        ({"start": "2025-01-01", "end": "2026-01-02"}, "end"),
        ({"period": "week"}, "period"),
    ],
)
def test_bad_series_parameters_are_a_400(parent_client, child, query, field):
    response = parent_client.get(url("child-series", child), query)

    assert response.status_code == 400
    assert field in response.json()


def test_a_viewer_reads_the_figures_but_may_not_pause(viewer_client, child, clock):
    assert viewer_client.get(url("child-figures", child)).status_code == 200
    assert viewer_client.get(url("child-series", child)).status_code == 200

    response = viewer_client.post(
        url("child-pauses", child), {"day": "2026-05-04", "reason": "Ill"}, format="json"
    )

    assert response.status_code == 403
    assert not TrackingEvent.objects.filter(child_id=child.pk).exists()


def test_another_households_child_is_a_404(other_client, child):
    for name in ("child-figures", "child-series", "child-streak-tasks"):
        assert other_client.get(url(name, child)).status_code == 404


def test_a_pause_is_recorded_and_undone_through_the_reversal_route(
    acting, parent_client, child, chore
):
    acting.at(2026, 5, 4, 9)
    acting.activate(child, chore)
    acting.at(2026, 5, 6, 9)
    acting.activate(child, chore)

    response = parent_client.post(
        url("child-pauses", child), {"day": "2026-05-05", "reason": "Ill"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["day"], body["reason"]) == ("2026-05-05", "Ill")
    assert (body["tracking_event"]["entity_type"], body["tracking_event"]["action"]) == (
        "pause",
        "paused",
    )
    figures = parent_client.get(url("child-figures", child)).json()
    assert figures["streak"] == {"current": 2, "best": 2}
    series = parent_client.get(
        url("child-series", child), {"start": "2026-05-05", "end": "2026-05-05"}
    ).json()
    assert series[0]["paused"] is True

    again = parent_client.post(
        url("child-pauses", child), {"day": "2026-05-05", "reason": "Ill"}, format="json"
    )
    assert again.status_code == 409

    undo = parent_client.post(
        reverse("event-reverse", kwargs={"event_id": body["tracking_event"]["id"]}),
        {"reason": "Was not ill after all"},
        format="json",
    )
    assert undo.status_code == 200, undo.json()
    figures = parent_client.get(url("child-figures", child)).json()
    assert figures["streak"] == {"current": 1, "best": 1}
    assert figures["reversals"] == 0  # undoing a pause moves no points figure


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"day": "2026-05-05"}, "reason"),
        ({"reason": "Ill"}, "day"),
        ({"day": "05/05/2026", "reason": "Ill"}, "day"),
        ({"day": "2026-05-05", "reason": ""}, "reason"),
        ({"day": "2026-05-05", "reason": "x" * 201}, "reason"),
        ({"day": "2026-05-05", "reason": "Ill", "points": 3}, "points"),
    ],
)
def test_a_bad_pause_is_a_400(parent_client, child, clock, body, field):
    response = parent_client.post(url("child-pauses", child), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_a_pause_more_than_a_year_away_is_a_400(acting, parent_client, child):
    acting.at(2026, 5, 6)

    response = parent_client.post(
        url("child-pauses", child), {"day": "2025-05-01", "reason": "Ill"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"day": [PAUSE_TOO_FAR.format(days=366, today=date(2026, 5, 6))]}


def test_the_streak_chores_are_read_and_chosen(parent_client, child, chore, penalty):
    assert parent_client.get(url("child-streak-tasks", child)).json() == {"task_ids": []}

    chosen = parent_client.put(
        url("child-streak-tasks", child), {"task_ids": [chore.pk]}, format="json"
    )

    assert chosen.status_code == 200
    assert chosen.json() == {"task_ids": [chore.pk]}
    assert parent_client.get(url("child-streak-tasks", child)).json() == {"task_ids": [chore.pk]}
    cleared = parent_client.put(url("child-streak-tasks", child), {"task_ids": []}, format="json")
    assert cleared.json() == {"task_ids": []}


def test_a_penalty_or_a_foreign_task_cannot_count_for_the_streak(
    parent_client, other_parent, child, penalty
):
    from testsupport.factories import TaskFactory

    foreign = TaskFactory(owner=other_parent)

    refused = parent_client.put(
        url("child-streak-tasks", child), {"task_ids": [penalty.pk]}, format="json"
    )
    unknown = parent_client.put(
        url("child-streak-tasks", child), {"task_ids": [foreign.pk]}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json() == {
        "task_ids": [NOT_A_CHORE.format(names=f"'{penalty.name}'", ids=str(penalty.pk))]
    }
    assert unknown.status_code == 400


def test_the_household_calendar_is_read_and_changed_by_its_owner(parent_client, household):
    response = parent_client.patch(
        reverse("household"), {"day_boundary_hour": 4, "week_start": 6}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["day_boundary_hour"], response.json()["week_start"]) == (4, 6)
    household.refresh_from_db()
    assert (household.day_boundary_hour, household.week_start) == (4, 6)


@pytest.mark.parametrize(
    "body", [{"day_boundary_hour": 24}, {"day_boundary_hour": -1}, {"week_start": 7}]
)
def test_a_bad_household_calendar_is_a_400(parent_client, body):
    response = parent_client.patch(reverse("household"), body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == set(body)


def test_a_child_of_a_new_household_starts_at_zero(parent, parent_client):
    child = ChildFactory(owner=parent)

    body = parent_client.get(url("child-figures", child)).json()

    assert body["lifetime"]["net"] == body["points"] == 0
    assert body["streak"] == {"current": 0, "best": 0}


def test_available_points_leave_out_what_pending_requests_hold(
    acting, parent, parent_client, child, reward
):
    from rewards import services as rewards_services

    acting.at(2026, 5, 4, 9)
    acting.adjust(child, 50)
    rewards_services.request_reward(child=child, reward=reward, by=parent)  # holds 20

    body = parent_client.get(url("child-figures", child)).json()

    assert (body["points"], body["available_points"]) == (50, 30)


def test_pauses_are_listed_and_filtered_with_the_childs_events(acting, parent_client, child):
    acting.at(2026, 5, 4, 9)
    pause = acting.pause(child, date(2026, 5, 4))
    acting.reverse(pause)

    response = parent_client.get(
        reverse("child-tracking", kwargs={"pk": child.pk}), {"entity_type": "pause"}
    )

    assert response.status_code == 200
    assert [(e["action"], e["reverses"]) for e in response.json()["results"]] == [
        ("paused", None),
        ("reversed", pause.pk),
    ]
    only_paused = parent_client.get(
        reverse("child-tracking", kwargs={"pk": child.pk}), {"action": "paused"}
    ).json()
    assert only_paused["count"] == 1
