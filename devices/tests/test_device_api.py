"""The device routes (kid mode): a paired device reads its children, claims a chore, asks for a
reward and cancels its own request; who acted comes from its credential."""

import pytest
from django.urls import reverse

from children.claims import approve_claim
from children.models import Claim, TaskOverride
from devices.device_views import NOT_YOUR_CHILD, NOT_YOUR_REQUEST
from devices.tests.conftest import device_client_for, pair
from households.models import Membership
from rewards.models import RewardOverride, RewardRequest
from rewards.services import request_reward
from testsupport.factories import (
    ChildFactory,
    PenaltyFactory,
    RewardFactory,
    TaskFactory,
    owner_of,
)
from tracking.models import TrackingEvent
from tracking.tests.conftest import log_dir
from tracking.tests.recorded import log_lines

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

__all__ = ["log_dir"]

HOME = reverse("kid-home")


def claim(client, child, task, **extra):
    return client.post(reverse("kid-claims", args=[child.pk]), {"task_id": task.pk, **extra})


def ask(client, child, reward, **extra):
    return client.post(
        reverse("kid-reward-requests", args=[child.pk]), {"reward_id": reward.pk, **extra}
    )


def cancel(client, request_id, **extra):
    return client.post(reverse("kid-reward-request-cancel", args=[request_id]), extra)


# --- Reading -------------------------------------------------------------------------------------


def test_the_home_shows_the_device_its_household_and_each_child(
    device_client, device, household, child, chore, penalty, reward, guardian
):
    household.name, household.time_zone = "The Smiths", "Europe/Paris"
    household.save()
    child.points = 50
    child.save()
    TaskOverride.objects.create(child=child, task=chore, points=15)
    RewardOverride.objects.create(child=child, reward=reward, cost=12)
    pending = request_reward(child=child, reward=reward).request
    claimed = Claim.objects.create(child=child, task=chore, device_id=device.pk)

    response = device_client.get(HOME)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == device.pk
    assert body["name"] == device.name
    assert body["household"] == {
        "id": household.pk,
        "name": "The Smiths",
        "time_zone": "Europe/Paris",
    }
    (shown,) = body["children"]
    assert {key: shown[key] for key in ("id", "name", "age", "points", "available_points")} == {
        "id": child.pk,
        "name": child.name,
        "age": child.age,
        "points": 50,
        "available_points": 38,
    }
    assert (shown["has_pin"], shown["locked_until"]) == (False, None)
    assert shown["chores"] == [{"id": chore.pk, "name": chore.name, "points": 15}]  # no penalty
    assert shown["rewards"] == [{"id": reward.pk, "name": reward.name, "cost": 12}]
    assert shown["pending_requests"] == [
        {
            "id": pending.pk,
            "reward_id": reward.pk,
            "reward_name": reward.name,
            "cost": 12,
            "created_at": shown["pending_requests"][0]["created_at"],
            "mine": False,  # a guardian's: the tablet may not cancel it
        }
    ]
    second = RewardFactory(household=household, cost=5)
    child.rewards.add(second)
    asked = request_reward(child=child, reward=second, device_id=device.pk).request
    assert [
        r["mine"] for r in device_client.get(HOME).json()["children"][0]["pending_requests"]
    ] == [
        False,
        True,
    ]
    assert asked.device_id == device.pk
    assert shown["claims"] == [
        {
            "id": claimed.pk,
            "task_id": chore.pk,
            "task_name": chore.name,
            "status": "pending",
            "created_at": shown["claims"][0]["created_at"],
        }
    ]


def test_the_home_shows_only_the_devices_children(guardian, child, sibling, other_parent):
    ChildFactory(owner=other_parent)
    _, credential = pair(children=[child], by=guardian)

    children = device_client_for(credential).get(HOME).json()["children"]

    assert [c["id"] for c in children] == [child.pk]


def test_the_claims_are_the_pending_ones_then_the_last_ten_decided(
    device_client, device, child, chore, guardian
):
    decided = [
        Claim.objects.create(
            child=child, task=chore, status="rejected", decided_at=f"2026-01-{d:02}T00:00:00Z"
        )
        for d in range(1, 13)
    ]
    pending = Claim.objects.create(child=child, task=chore)

    claims = device_client.get(HOME).json()["children"][0]["claims"]

    assert [c["id"] for c in claims] == [pending.pk, *[c.pk for c in reversed(decided)][:10]]


def test_the_home_takes_the_same_queries_for_one_child_or_five(
    guardian, parent, django_assert_max_num_queries
):
    def family_of(count: int) -> list:
        children = [ChildFactory(owner=parent) for _ in range(count)]
        for each in children:
            chore, other_chore = TaskFactory(owner=parent), TaskFactory(owner=parent)
            reward = RewardFactory(owner=parent, cost=1)
            each.tasks.add(chore, other_chore, PenaltyFactory(owner=parent))
            each.rewards.add(reward)
            TaskOverride.objects.create(child=each, task=chore, points=3)
            Claim.objects.create(child=each, task=chore)
            Claim.objects.create(child=each, task=other_chore, status="approved")
            each.points = 5
            each.save()
            request_reward(child=each, reward=reward)
        return children

    one = device_client_for(pair(children=family_of(1), by=guardian)[1])
    five = device_client_for(pair(children=family_of(5), by=guardian)[1])
    one.get(HOME), five.get(HOME)  # last use recorded: no write below

    with django_assert_max_num_queries(10) as for_one:
        assert len(one.get(HOME).json()["children"]) == 1
    with django_assert_max_num_queries(10) as for_five:
        assert len(five.get(HOME).json()["children"]) == 5
    assert len(for_five.captured_queries) == len(for_one.captured_queries)


# --- Claiming a chore ----------------------------------------------------------------------------


def test_a_device_claims_a_chore_recorded_as_the_child_for_the_pairing_guardian(
    device_client, device, child, chore, guardian
):
    response = claim(device_client, child, chore)

    assert response.status_code == 201, response.json()
    body = response.json()
    made = Claim.objects.get()
    assert body["claim"]["id"] == made.pk
    assert body["claim"]["device_id"] == device.pk
    assert body["child"]["id"] == child.pk
    event = TrackingEvent.objects.get()
    assert body["tracking_event"]["id"] == event.pk
    assert (event.entity_type, event.action, event.delta) == ("task", "requested", 0)
    assert event.user_id == guardian.pk
    assert event.metadata["actor"] == "child"
    assert event.metadata["device_id"] == device.pk


def test_an_approval_of_a_devices_claim_records_the_guardian_who_approved(
    device_client, child, chore, guardian, parent
):
    claim(device_client, child, chore)

    approve_claim(claim=Claim.objects.get(), by=parent)

    activation = TrackingEvent.objects.get(action="activated")
    assert activation.user_id == parent.pk
    assert activation.metadata["actor"] == "guardian"
    assert activation.metadata["approved_by"] == parent.pk


def test_the_claim_of_a_penalty_or_an_unassigned_chore_is_a_400(
    device_client, child, penalty, parent
):
    unassigned = TaskFactory(owner=parent)

    for task in (penalty, unassigned):
        response = claim(device_client, child, task)
        assert response.status_code == 400
        assert "task_id" in response.json()
    assert not Claim.objects.exists()


def test_a_task_of_another_household_is_a_400_like_an_unknown_one(
    device_client, child, other_parent
):
    foreign = TaskFactory(owner=other_parent)

    response = claim(device_client, child, foreign)

    assert response.status_code == 400
    assert response.json() == {"task_id": [f"Task {foreign.pk} does not exist."]}


def test_a_child_not_paired_with_the_device_is_a_404(device_client, sibling, chore, other_parent):
    sibling.tasks.add(chore)
    foreign = ChildFactory(owner=other_parent)

    for other in (sibling, foreign):
        response = claim(device_client, other, chore)
        assert (response.status_code, response.json()) == (404, {"detail": NOT_YOUR_CHILD})
    assert not Claim.objects.exists()


def test_a_second_pending_claim_of_the_same_chore_is_a_409(device_client, child, chore):
    assert claim(device_client, child, chore).status_code == 201
    assert claim(device_client, child, chore).status_code == 409


def test_unknown_body_fields_are_a_400(device_client, child, chore):
    response = claim(device_client, child, chore, actor="guardian")

    assert response.status_code == 400
    assert "actor" in response.json()


# --- Reward requests ----------------------------------------------------------------------------


def test_a_device_asks_for_a_reward_recorded_as_the_child(
    device_client, device, child, reward, guardian
):
    child.points = 30
    child.save()

    response = ask(device_client, child, reward)

    assert response.status_code == 201, response.json()
    body = response.json()
    made = RewardRequest.objects.get()
    assert made.device_id == device.pk
    assert body["request"]["id"] == made.pk
    assert body["child"]["available_points"] == 10
    event = TrackingEvent.objects.get()
    assert (event.user_id, event.metadata["actor"], event.metadata["device_id"]) == (
        guardian.pk,
        "child",
        device.pk,
    )


def test_asking_beyond_the_available_points_is_a_409(device_client, child, reward):
    response = ask(device_client, child, reward)

    assert response.status_code == 409
    assert not RewardRequest.objects.exists()


def test_a_device_cancels_its_own_pending_request(device_client, device, child, reward):
    child.points = 30
    child.save()
    request_id = ask(device_client, child, reward).json()["request"]["id"]

    response = cancel(device_client, request_id)

    assert response.status_code == 200, response.json()
    assert response.json()["request"]["status"] == "cancelled"
    assert response.json()["child"]["available_points"] == 30
    event = TrackingEvent.objects.filter(action="cancelled").get()
    assert (event.metadata["actor"], event.metadata["device_id"]) == ("child", device.pk)


def test_cancelling_a_request_no_longer_pending_is_a_409(device_client, child, reward):
    child.points = 30
    child.save()
    request_id = ask(device_client, child, reward).json()["request"]["id"]
    cancel(device_client, request_id)

    assert cancel(device_client, request_id).status_code == 409


def test_a_guardians_or_another_devices_request_is_a_404(
    device_client, child, reward, guardian, parent_client
):
    child.points = 100
    child.save()
    guardians = parent_client.post(
        reverse("child-reward-reward-requests", args=[child.pk]), {"reward_id": reward.pk}
    ).json()["request"]["id"]
    other_reward = RewardFactory(owner=owner_of(child), cost=5)
    child.rewards.add(other_reward)
    _, other_credential = pair(children=[child], by=guardian)
    other_devices = ask(device_client_for(other_credential), child, other_reward).json()
    other_devices = other_devices["request"]["id"]

    for request_id in (guardians, other_devices, 987654321):
        response = cancel(device_client, request_id)
        assert (response.status_code, response.json()) == (404, {"detail": NOT_YOUR_REQUEST})
    assert RewardRequest.objects.filter(status="pending").count() == 2


# --- Who acted, in the audit log -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_audit_log_of_a_devices_action_is_the_pairing_guardians(
    log_dir, device_client, child, chore, guardian, parent
):
    claim(device_client, child, chore)

    lines = log_lines(log_dir, guardian.pk)
    assert [(line["entity_type"], line["action"]) for line in lines] == [("task", "requested")]
    assert log_lines(log_dir, parent.pk) == []


def test_a_device_whose_guardian_left_acts_for_the_owner(
    device_client, device, child, chore, guardian, parent
):
    Membership.objects.filter(user=guardian).delete()

    assert claim(device_client, child, chore).status_code == 201

    event = TrackingEvent.objects.get()
    assert (event.user_id, event.metadata["actor"]) == (parent.pk, "child")
