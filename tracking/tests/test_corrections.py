"""Manual adjustments and undo: mistakes are fixed by appending, never by editing history."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_eventstream.models import Event as StoredEvent

from children.models import Child
from children.serializers import ZERO_ADJUSTMENT
from conftest import client_for
from households.models import Membership, Role
from rewards.models import RewardRequest
from testsupport.factories import ChildFactory, MembershipFactory, TaskFactory, household_of
from tracking.ledger.reversal import ALREADY_REVERSED, NOT_FOUND, NOT_REVERSIBLE
from tracking.models import TrackingEvent

pytestmark = pytest.mark.django_db


def adjust(client, child, points, reason="fix"):
    return client.post(
        reverse("child-adjust", args=[child.pk]),
        {"points": points, "reason": reason},
        format="json",
    )


def reverse_event(client, event_id, reason="wrong child"):
    return client.post(reverse("event-reverse", args=[event_id]), {"reason": reason}, format="json")


def activate(client, child, task):
    response = client.post(
        reverse("child-activate", args=[child.pk]), {"task_id": task.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()["tracking_event"]


def points_of(child) -> int:
    return Child.objects.get(pk=child.pk).points


def test_an_adjustment_adds_points_and_records_the_reason(parent_client, child):
    response = adjust(parent_client, child, 25, reason="birthday bonus")
    assert response.status_code == 200
    body = response.json()
    assert body["child"]["points"] == 25 == points_of(child)
    event = TrackingEvent.objects.get(pk=body["tracking_event"]["id"])
    assert (event.entity_type, event.action, event.entity_id) == ("adjustment", "adjusted", None)
    assert (event.points_before, event.points_after, event.delta) == (0, 25, 25)
    assert event.metadata["reason"] == "birthday bonus"
    assert event.metadata["actor"] == "guardian"


def test_a_negative_adjustment_is_floored_at_zero_with_the_real_delta(parent_client, child):
    adjust(parent_client, child, 10)
    body = adjust(parent_client, child, -40).json()
    assert body["child"]["points"] == 0
    assert (body["tracking_event"]["delta"], body["tracking_event"]["metadata"]["value"]) == (
        -10,
        -40,
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"points": 0, "reason": "x"}, "points"),
        ({"points": 5}, "reason"),
        ({"points": 5, "reason": ""}, "reason"),
        ({"points": 5, "reason": "x" * 201}, "reason"),
        ({"points": 10**30, "reason": "x"}, "points"),
        ({"points": "five", "reason": "x"}, "points"),
    ],
)
def test_a_bad_adjustment_is_a_400_that_changes_nothing(parent_client, child, payload, field):
    response = parent_client.post(reverse("child-adjust", args=[child.pk]), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert points_of(child) == 0
    assert not TrackingEvent.objects.exists()


def test_a_zero_adjustment_says_why(parent_client, child):
    assert adjust(parent_client, child, 0).json() == {"points": [ZERO_ADJUSTMENT]}


def test_another_parents_child_cannot_be_adjusted(other_client, child):
    assert adjust(other_client, child, 5).status_code == 404
    assert points_of(child) == 0


def test_reversing_an_activation_gives_the_exact_opposite(parent_client, child, chore):
    original = activate(parent_client, child, chore)
    response = reverse_event(parent_client, original["id"], reason="pressed the wrong child")
    assert response.status_code == 200
    reversal = response.json()["tracking_event"]
    assert response.json()["child"]["points"] == 0 == points_of(child)
    assert (reversal["action"], reversal["entity_type"], reversal["entity_id"]) == (
        "reversed",
        "task",
        chore.pk,
    )
    assert (reversal["points_before"], reversal["points_after"], reversal["delta"]) == (10, 0, -10)
    assert reversal["reverses"] == original["id"] == reversal["metadata"]["reverses"]
    assert reversal["metadata"]["reason"] == "pressed the wrong child"


def test_reversing_a_penalty_gives_the_points_back(parent_client, child, penalty):
    adjust(parent_client, child, 50)
    original = activate(parent_client, child, penalty)
    assert reverse_event(parent_client, original["id"]).json()["child"]["points"] == 50


def test_a_reversal_is_floored_at_zero_and_records_the_real_delta(
    parent_client, child, chore, reward
):
    original = activate(parent_client, child, chore)  # 0 → 10
    redeem = parent_client.post(
        reverse("child-reward-redeem", args=[child.pk]), {"reward_id": reward.pk}, format="json"
    )
    assert redeem.status_code == 409  # costs 20: not enough
    adjust(parent_client, child, -8)  # 10 → 2
    reversal = reverse_event(parent_client, original["id"]).json()["tracking_event"]
    assert (reversal["points_before"], reversal["points_after"], reversal["delta"]) == (2, 0, -2)
    assert points_of(child) == 0


def test_reversing_a_redemption_returns_the_points_and_marks_the_request(
    parent_client, child, reward
):
    adjust(parent_client, child, 30)
    request_id = parent_client.post(
        reverse("child-reward-reward-requests", args=[child.pk]),
        {"reward_id": reward.pk},
        format="json",
    ).json()["request"]["id"]
    redeemed = parent_client.post(reverse("reward-request-redeem", args=[request_id])).json()
    assert redeemed["child"]["points"] == 10
    reversal = reverse_event(parent_client, redeemed["tracking_event"]["id"]).json()
    assert reversal["child"]["points"] == 30
    assert reversal["tracking_event"]["delta"] == 20
    assert RewardRequest.objects.get(pk=request_id).status == RewardRequest.Status.REVERSED


def test_reversing_a_direct_redemption_returns_the_points(parent_client, child, reward):
    adjust(parent_client, child, 20)
    redeemed = parent_client.post(
        reverse("child-reward-redeem", args=[child.pk]), {"reward_id": reward.pk}, format="json"
    ).json()
    assert (
        reverse_event(parent_client, redeemed["tracking_event"]["id"]).json()["child"]["points"]
        == 20
    )


def test_reversing_an_adjustment(parent_client, child):
    adjusted = adjust(parent_client, child, 7).json()["tracking_event"]
    reversal = reverse_event(parent_client, adjusted["id"]).json()["tracking_event"]
    assert (reversal["entity_type"], reversal["entity_id"], reversal["delta"]) == (
        "adjustment",
        None,
        -7,
    )


def test_reversing_twice_is_a_409_that_records_nothing(parent_client, child, chore):
    original = activate(parent_client, child, chore)
    first = reverse_event(parent_client, original["id"]).json()["tracking_event"]
    again = reverse_event(parent_client, original["id"])
    assert again.status_code == 409
    assert again.json() == {
        "detail": ALREADY_REVERSED.format(event_id=original["id"], reversal_id=first["id"])
    }
    assert TrackingEvent.objects.count() == 2
    assert points_of(child) == 0


def test_a_reversal_cannot_be_reversed(parent_client, child, chore):
    original = activate(parent_client, child, chore)
    reversal = reverse_event(parent_client, original["id"]).json()["tracking_event"]
    response = reverse_event(parent_client, reversal["id"])
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_REVERSIBLE.format(action="reversed")}
    assert TrackingEvent.objects.count() == 2


@pytest.mark.parametrize("action", ["requested", "cancelled"])
def test_requests_and_cancellations_cannot_be_reversed(parent_client, child, reward, action):
    adjust(parent_client, child, 30)
    requested = parent_client.post(
        reverse("child-reward-reward-requests", args=[child.pk]),
        {"reward_id": reward.pk},
        format="json",
    ).json()
    event = requested["tracking_event"]
    if action == "cancelled":
        event = parent_client.post(
            reverse("reward-request-cancel", args=[requested["request"]["id"]]), {}, format="json"
        ).json()["tracking_event"]
    count = TrackingEvent.objects.count()
    response = reverse_event(parent_client, event["id"])
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_REVERSIBLE.format(action=action)}
    assert TrackingEvent.objects.count() == count
    assert points_of(child) == 30


def test_another_parents_event_is_a_404_that_records_nothing(
    parent_client, other_client, child, chore
):
    original = activate(parent_client, child, chore)
    response = reverse_event(other_client, original["id"])
    assert response.status_code == 404
    assert response.json() == {"detail": NOT_FOUND}
    assert TrackingEvent.objects.count() == 1
    assert points_of(child) == 10


def move_to(user, household) -> None:
    Membership.objects.filter(user=user).update(household=household, role=Role.GUARDIAN)


def test_a_member_who_moves_household_does_not_bring_the_old_households_events(
    parent, parent_client, other_parent, other_client, child, chore
):
    """What a member recorded in their former household stays that household's: neither they
    nor their new household can reverse it (it was a 200 that moved the other family's points)."""
    guardian = MembershipFactory(household=household_of(parent)).user
    original = activate(client_for(guardian), child, chore)
    move_to(guardian, household_of(other_parent))

    for client in (other_client, client_for(guardian)):
        response = reverse_event(client, original["id"])
        assert response.status_code == 404
        assert response.json() == {"detail": NOT_FOUND}
    assert TrackingEvent.objects.count() == 1
    assert points_of(child) == 10
    assert reverse_event(parent_client, original["id"]).status_code == 200


def test_a_deleted_childs_event_recorded_by_another_member_is_a_404(
    parent, parent_client, child, chore
):
    """Once its child is gone, an event is known only by who recorded it: it is that member's
    (a 409, see test_deletion_races), and a 404 to the others, whose household it may never have
    been."""
    guardian = MembershipFactory(household=household_of(parent)).user
    original = activate(client_for(guardian), child, chore)
    parent_client.delete(reverse("child-detail", args=[child.pk]))

    assert reverse_event(parent_client, original["id"]).status_code == 404
    assert reverse_event(client_for(guardian), original["id"]).status_code == 409


@pytest.mark.parametrize("event_id", ["999999", "abc", str(10**30)])
def test_an_unknown_event_is_a_404(parent_client, event_id):
    assert reverse_event(parent_client, event_id).status_code == 404


def test_lists_show_who_reversed_each_event(parent_client, child, chore):
    original = activate(parent_client, child, chore)
    reversal = reverse_event(parent_client, original["id"]).json()["tracking_event"]
    rows = parent_client.get(reverse("child-tracking", args=[child.pk])).json()["results"]
    assert [(row["id"], row["reversed_by"], row["reverses"]) for row in rows] == [
        (original["id"], reversal["id"], None),
        (reversal["id"], None, original["id"]),
    ]


def test_chains_hold_after_adjustments_and_reversals(parent_client, child, chore, penalty, capsys):
    events = [activate(parent_client, child, chore) for _ in range(3)]
    adjust(parent_client, child, -25)
    activate(parent_client, child, penalty)
    reverse_event(parent_client, events[1]["id"])
    adjusted = adjust(parent_client, child, 4).json()["tracking_event"]
    reverse_event(parent_client, adjusted["id"])
    call_command("verify_tracking", "--no-progress")
    assert "All chains hold." in capsys.readouterr().out


def test_adjustments_and_reversals_are_streamed(
    parent_client, child, chore, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        adjusted = adjust(parent_client, child, 3).json()["tracking_event"]
    with django_capture_on_commit_callbacks(execute=True):
        reverse_event(parent_client, adjusted["id"])
    channel = f"household-{child.household_id}"
    assert list(
        StoredEvent.objects.filter(channel=channel)
        .exclude(type="")
        .order_by("eid")
        .values_list("type", flat=True)
    ) == ["tracking_event_created", "points_adjusted", "tracking_event_created", "points_reversed"]


def test_a_reversed_event_of_a_deleted_task_keeps_its_entity(parent_client, parent):
    child = ChildFactory(owner=parent)
    task = TaskFactory(owner=parent, points=6)
    child.tasks.add(task)
    original = activate(parent_client, child, task)
    task.delete()
    reversal = reverse_event(parent_client, original["id"]).json()["tracking_event"]
    assert (reversal["entity_id"], reversal["metadata"]["entity_name"]) == (
        original["entity_id"],
        task.name,
    )
