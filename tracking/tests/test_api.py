"""The tracking API: the `tracking_event` in action responses, and `GET /api/children/{id}/tracking/`
with its order, filters, pagination and errors."""

import re
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from django.urls import reverse

from kernel.api import BAD_LIMIT, BAD_OFFSET
from rewards.models import RewardRequest
from testsupport.factories import ChildFactory, TaskFactory, owner_of
from tracking import selectors
from tracking.models import TrackingEvent
from tracking.tests.factories import TrackingEventFactory
from tracking.tests.recorded import serialized_row

pytestmark = pytest.mark.django_db

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def tracking_url(child_id) -> str:
    return reverse("child-tracking", args=[child_id])


def give_points(child, points: int) -> None:
    child.points = points
    child.save(update_fields=["points"])


# --- `tracking_event` in action responses ------------------------------------------------------


def test_activate_response_includes_the_stored_event(parent_client, child, chore):
    response = parent_client.post(reverse("child-activate", args=[child.pk]), {"task_id": chore.pk})

    assert response.status_code == 200
    event = TrackingEvent.objects.get()
    assert response.json()["tracking_event"] == serialized_row(event.pk)
    assert response.json()["child"]["points"] == event.points_after == 10


def test_event_times_are_utc_iso_8601_with_z(parent_client, child, chore):
    response = parent_client.post(reverse("child-activate", args=[child.pk]), {"task_id": chore.pk})

    event = response.json()["tracking_event"]
    assert ISO_UTC.match(event["occurred_at"]), event["occurred_at"]
    assert ISO_UTC.match(event["created_at"]), event["created_at"]


def test_reward_request_response_includes_the_stored_event(parent_client, child, reward):
    give_points(child, 50)

    response = parent_client.post(
        reverse("child-reward-reward-requests", args=[child.pk]), {"reward_id": reward.pk}
    )

    assert response.status_code == 201
    event = TrackingEvent.objects.get()
    body = response.json()
    assert body["tracking_event"] == serialized_row(event.pk)
    assert body["tracking_event"]["metadata"]["request_id"] == body["request"]["id"]
    # A guardian asked for the child: who acted is the credential's (issue 14).
    assert body["tracking_event"]["metadata"]["actor"] == "guardian"


def test_direct_redeem_response_includes_the_stored_event(parent_client, child, reward):
    give_points(child, 50)

    response = parent_client.post(
        reverse("child-reward-redeem", args=[child.pk]), {"reward_id": reward.pk}
    )

    assert response.status_code == 200
    event = TrackingEvent.objects.get()
    assert response.json()["tracking_event"] == serialized_row(event.pk)
    assert (event.action, event.delta, event.points_after) == ("redeemed", -20, 30)


def test_redeem_request_response_includes_the_stored_event(parent_client, child, reward):
    give_points(child, 50)
    request = RewardRequest.objects.create(child=child, reward=reward, cost=reward.cost)

    response = parent_client.post(reverse("reward-request-redeem", args=[request.pk]))

    assert response.status_code == 200
    event = TrackingEvent.objects.get()
    assert response.json()["tracking_event"] == serialized_row(event.pk)
    assert event.metadata["request_id"] == request.pk


def test_cancel_response_includes_the_stored_event(parent_client, child, reward):
    give_points(child, 50)
    request = RewardRequest.objects.create(child=child, reward=reward, cost=reward.cost)

    response = parent_client.post(reverse("reward-request-cancel", args=[request.pk]))

    assert response.status_code == 200
    event = TrackingEvent.objects.get()
    assert response.json()["tracking_event"] == serialized_row(event.pk)
    assert (event.action, event.metadata["actor"]) == ("cancelled", "guardian")


def test_unassigned_chore_is_a_400_and_records_nothing(parent, parent_client, child):
    unassigned = TaskFactory(owner=parent)

    response = parent_client.post(
        reverse("child-activate", args=[child.pk]), {"task_id": unassigned.pk}
    )

    assert response.status_code == 400
    assert not TrackingEvent.objects.exists()


def test_conflicting_reward_actions_are_409s_and_record_nothing(parent_client, child, reward):
    too_poor = parent_client.post(
        reverse("child-reward-reward-requests", args=[child.pk]), {"reward_id": reward.pk}
    )
    direct = parent_client.post(
        reverse("child-reward-redeem", args=[child.pk]), {"reward_id": reward.pk}
    )
    cancelled = RewardRequest.objects.create(
        child=child, reward=reward, cost=reward.cost, status=RewardRequest.Status.CANCELLED
    )
    cancel_again = parent_client.post(reverse("reward-request-cancel", args=[cancelled.pk]))
    redeem_cancelled = parent_client.post(reverse("reward-request-redeem", args=[cancelled.pk]))

    assert [r.status_code for r in (too_poor, direct, cancel_again, redeem_cancelled)] == [409] * 4
    assert not TrackingEvent.objects.exists()


# --- Order ---------------------------------------------------------------------------------------


def test_rapid_activations_are_listed_in_chain_order(parent_client, child, chore, penalty):
    url = reverse("child-activate", args=[child.pk])
    for task in [chore, chore, penalty, chore, chore, chore, penalty, chore, chore, chore]:
        assert parent_client.post(url, {"task_id": task.pk}).status_code == 200

    results = parent_client.get(tracking_url(child.pk)).json()["results"]

    assert len(results) == 10
    stored = TrackingEvent.objects.filter(child_id=child.pk)
    chain_order = sorted(stored, key=lambda e: (e.occurred_at, e.created_at, e.id))
    assert [row["id"] for row in results] == [event.pk for event in chain_order]
    assert [row["id"] for row in results] == sorted(row["id"] for row in results)
    for previous, current in pairwise(results):
        assert current["points_before"] == previous["points_after"]
    child.refresh_from_db()
    assert results[-1]["points_after"] == child.points


def test_events_at_the_same_moment_are_ordered_by_created_at_then_id(parent, parent_client, child):
    def event(created_after: int, occurred_at=T0):
        return TrackingEventFactory(
            user=parent,
            child_id=child.pk,
            occurred_at=occurred_at,
            created_at=T0 + timedelta(seconds=created_after),
        )

    written_last = event(created_after=3)
    tie_first = event(created_after=2)
    tie_second = event(created_after=2)
    written_first = event(created_after=1)
    happened_earlier = event(created_after=9, occurred_at=T0 - timedelta(microseconds=1))
    expected = [happened_earlier, written_first, tie_first, tie_second, written_last]

    results = parent_client.get(tracking_url(child.pk)).json()["results"]
    from_selector = selectors.events_for_child(child_id=child.pk)

    assert [row["id"] for row in results] == [e.pk for e in expected]
    assert list(from_selector) == expected


# --- Filters and pagination ----------------------------------------------------------------------


@pytest.fixture
def timeline(parent, child):
    """Six events of `child`, one an hour from T0, plus events the endpoint must never show."""
    kinds = [
        ("task", "activated"),
        ("penalty", "activated"),
        ("reward", "requested"),
        ("reward", "redeemed"),
        ("reward", "cancelled"),
        ("task", "activated"),
    ]
    events = [
        TrackingEventFactory(
            user=parent,
            child_id=child.pk,
            entity_type=entity_type,
            action=action,
            occurred_at=T0 + timedelta(hours=hour),
        )
        for hour, (entity_type, action) in enumerate(kinds)
    ]
    sibling = ChildFactory(owner=parent)
    TrackingEventFactory(user=parent, child_id=sibling.pk, occurred_at=T0)
    stranger = ChildFactory()  # another family's child
    TrackingEventFactory(user=owner_of(stranger), child_id=stranger.pk, occurred_at=T0)
    return events


def hours(hour: int) -> str:
    return (T0 + timedelta(hours=hour)).isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, [0, 1, 2, 3, 4, 5]),
        ({"entity_type": "task"}, [0, 5]),
        ({"entity_type": "penalty"}, [1]),
        ({"entity_type": "reward"}, [2, 3, 4]),
        ({"action": "activated"}, [0, 1, 5]),
        ({"action": "redeemed"}, [3]),
        ({"start": hours(2)}, [2, 3, 4, 5]),
        ({"end": hours(2)}, [0, 1]),
        ({"start": hours(1), "end": hours(4)}, [1, 2, 3]),
        ({"start": "2026-03-01T13:00:00+02:00"}, [1, 2, 3, 4, 5]),
        ({"entity_type": "reward", "action": "cancelled", "start": hours(1)}, [4]),
        ({"entity_type": "task", "start": hours(1), "end": hours(6)}, [5]),
        ({"action": "activated", "end": hours(5)}, [0, 1]),
        ({"entity_type": "task", "action": "redeemed"}, []),
        ({"start": hours(3), "end": hours(3)}, []),
    ],
)
def test_filters_select_events_and_count_them(parent_client, child, timeline, params, expected):
    response = parent_client.get(tracking_url(child.pk), params)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert [row["id"] for row in body["results"]] == [timeline[i].pk for i in expected]
    assert body["count"] == len(expected)


def test_child_id_filter_keeps_this_childs_events_only(parent, parent_client, child, timeline):
    sibling = ChildFactory(owner=parent)

    own = parent_client.get(tracking_url(child.pk), {"child_id": child.pk, "entity_type": "task"})
    sibling_id = parent_client.get(tracking_url(child.pk), {"child_id": sibling.pk})

    assert [row["id"] for row in own.json()["results"]] == [timeline[0].pk, timeline[5].pk]
    assert sibling_id.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_count_is_the_filtered_total_not_the_page(parent_client, child, timeline):
    body = parent_client.get(tracking_url(child.pk), {"action": "activated", "limit": 1}).json()

    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [timeline[0].pk]
    assert body["next"] is not None


def test_limit_and_offset_page_through_the_events(parent_client, child, timeline):
    body = parent_client.get(tracking_url(child.pk), {"limit": 2, "offset": 2}).json()

    assert body["count"] == 6
    assert [row["id"] for row in body["results"]] == [timeline[2].pk, timeline[3].pk]
    assert "offset=4" in body["next"]
    assert body["previous"] is not None


def test_offset_past_the_end_is_an_empty_page(parent_client, child, timeline):
    body = parent_client.get(tracking_url(child.pk), {"offset": 100}).json()

    assert body["count"] == 6
    assert body["results"] == []


def test_limit_defaults_to_50_and_is_at_most_500(parent, parent_client, child):
    TrackingEventFactory.create_batch(501, user=parent, child_id=child.pk)

    default = parent_client.get(tracking_url(child.pk)).json()
    clamped = parent_client.get(tracking_url(child.pk), {"limit": 10_000}).json()

    assert (default["count"], len(default["results"])) == (501, 50)
    assert (clamped["count"], len(clamped["results"])) == (501, 500)


@pytest.mark.parametrize(
    "name, value",
    [
        ("start", "yesterday"),
        ("end", "2026-13-01T00:00:00Z"),
        ("action", "exploded"),
        ("entity_type", "x"),
        ("child_id", "abc"),
        ("child_id", "1.5"),
        ("child_id", str(2**64)),
        ("limit", "abc"),
        ("limit", "0"),
        ("offset", "-1"),
        ("offset", "abc"),
    ],
)
def test_a_malformed_parameter_is_a_400_naming_it(parent_client, child, name, value):
    response = parent_client.get(tracking_url(child.pk), {name: value})

    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_limit_and_offset_errors_say_what_is_allowed(parent_client, child):
    limit = parent_client.get(tracking_url(child.pk), {"limit": "abc"}).json()
    offset = parent_client.get(tracking_url(child.pk), {"offset": "-1"}).json()

    assert limit == {"limit": [BAD_LIMIT]}
    assert offset == {"offset": [BAD_OFFSET]}


@pytest.mark.parametrize("name", ["user_id", "child", "ordering", "page"])
def test_an_unknown_parameter_is_a_400_naming_it(parent, parent_client, child, name):
    response = parent_client.get(tracking_url(child.pk), {name: parent.pk})

    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_another_parents_child_is_a_404(other_client, child, timeline):
    response = other_client.get(tracking_url(child.pk))

    assert response.status_code == 404


@pytest.mark.parametrize("child_id", ["999999", "abc", "-1"])
def test_an_unknown_child_is_a_404(parent_client, child_id):
    assert parent_client.get(tracking_url(child_id)).status_code == 404


def test_anonymous_is_a_401(anon_client, child, timeline):
    response = anon_client.get(tracking_url(child.pk))

    assert response.status_code == 401
