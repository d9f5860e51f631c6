"""The rewards services: requesting, redeeming (a request or directly) and cancelling, their rules,
and the signals each sends (checked with real receivers, not mocks)."""

import pytest
from django.utils import timezone

from children import services as children_services
from children import signals as children_signals
from children.models import Child
from children.services import not_assigned_message
from kernel.errors import InvalidAction, StateConflict
from rewards import services, signals
from rewards.models import Reward, RewardRequest
from rewards.services import ALREADY_PENDING, NOT_ENOUGH_POINTS, NOT_PENDING
from testsupport.factories import ChildFactory, PenaltyFactory, RewardFactory, RewardRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def points_of(child: Child) -> int:
    return Child.objects.get(pk=child.pk).points


def status_of(request: RewardRequest) -> str:
    return RewardRequest.objects.get(pk=request.pk).status


@pytest.fixture
def rich_child(parent, reward):
    """A child with 50 points and the 20-point `reward` assigned."""
    child = ChildFactory(owner=parent, points=50)
    child.rewards.add(reward)
    return child


@pytest.fixture
def pending(rich_child, reward):
    return RewardRequestFactory(child=rich_child, reward=reward)


def lose_points(child: Child, points: int) -> None:
    """Take points away the way the application does: a penalty, activated."""
    penalty = PenaltyFactory(household=child.household, points=points)
    child.tasks.add(penalty)
    children_services.activate_task(child=child, task=penalty)


def metadata(child: Child, reward: Reward, *, request_id, value=None, device_id=None) -> dict:
    """A reward action's metadata: a guardian's, or a child's from its device `device_id`."""
    who = {"actor": "guardian"} if device_id is None else {"actor": "child", "device_id": device_id}
    return {
        "child_name": child.name,
        "entity_name": reward.name,
        "default_value": reward.cost,
        "override_applied": value is not None,
        "value": reward.cost if value is None else value,
        "request_id": request_id,
        **who,
    }


# --- Request -------------------------------------------------------------------------------------


def test_requesting_a_reward_creates_a_pending_request_and_moves_no_points(rich_child, reward):
    result = services.request_reward(child=rich_child, reward=reward)

    assert result.request.status == RewardRequest.Status.PENDING
    assert result.request.resolved_at is None
    assert (result.request.child_id, result.request.reward_id) == (rich_child.pk, reward.pk)
    assert points_of(rich_child) == 50


def test_requesting_needs_the_reward_assigned(parent, rich_child):
    unassigned = RewardFactory(owner=parent)

    with pytest.raises(InvalidAction) as caught:
        services.request_reward(child=rich_child, reward=unassigned)

    assert caught.value.message == not_assigned_message(
        kind="Reward", entity=unassigned, child=rich_child
    )
    assert caught.value.field == "reward_id"
    assert not RewardRequest.objects.exists()


def test_requesting_needs_enough_points(child, reward):
    with pytest.raises(StateConflict) as caught:
        services.request_reward(child=child, reward=reward)

    assert caught.value.message == NOT_ENOUGH_POINTS.format(
        child=child.name, points=0, reward=reward.name, cost=20
    )
    assert not RewardRequest.objects.exists()


def test_requesting_with_exactly_the_cost_is_enough(parent, reward):
    child = ChildFactory(owner=parent, points=20)
    child.rewards.add(reward)

    result = services.request_reward(child=child, reward=reward)

    assert result.request.status == RewardRequest.Status.PENDING


def test_requesting_checks_points_against_the_override_cost(parent, reward):
    child = ChildFactory(owner=parent, points=15)
    child.rewards.add(reward)
    services.set_override(child=child, entity=reward, value=10)

    result = services.request_reward(child=child, reward=reward)

    assert result.request.status == RewardRequest.Status.PENDING


def test_requesting_with_an_override_above_the_points_is_refused(parent, reward):
    child = ChildFactory(owner=parent, points=30)
    child.rewards.add(reward)
    services.set_override(child=child, entity=reward, value=40)

    with pytest.raises(StateConflict) as caught:
        services.request_reward(child=child, reward=reward)

    assert caught.value.message == NOT_ENOUGH_POINTS.format(
        child=child.name, points=30, reward=reward.name, cost=40
    )


def test_a_second_pending_request_for_the_same_reward_is_a_conflict(pending, rich_child, reward):
    with pytest.raises(StateConflict) as caught:
        services.request_reward(child=rich_child, reward=reward)

    assert caught.value.message == ALREADY_PENDING.format(child=rich_child.name, reward=reward.name)
    assert RewardRequest.objects.filter(child=rich_child).count() == 1


def test_a_new_request_is_allowed_once_the_previous_one_is_cancelled(pending, rich_child, reward):
    services.cancel_request(request=pending)

    result = services.request_reward(child=rich_child, reward=reward)

    assert result.request.pk != pending.pk
    assert result.request.status == RewardRequest.Status.PENDING


# --- Redeem a request ----------------------------------------------------------------------------


def test_redeeming_a_request_takes_the_cost_and_marks_it_redeemed(pending, rich_child):
    result = services.redeem_request(request=pending)

    assert result.child.points == 30
    assert points_of(rich_child) == 30
    saved = RewardRequest.objects.get(pk=pending.pk)
    assert saved.status == RewardRequest.Status.REDEEMED
    assert saved.resolved_at is not None


def test_redeeming_a_request_uses_the_override_cost_it_was_made_with(rich_child, reward):
    services.set_override(child=rich_child, entity=reward, value=45)
    request = services.request_reward(child=rich_child, reward=reward).request

    services.redeem_request(request=request)

    assert points_of(rich_child) == 5


def test_redeeming_a_request_ignores_an_override_set_after_it(pending, rich_child, reward):
    # Issue 14: a request holds the cost of when it was made, and redeeming charges that one
    # (before, the override set since was charged: 50 - 45 = 5).
    services.set_override(child=rich_child, entity=reward, value=45)

    services.redeem_request(request=pending)

    assert points_of(rich_child) == 30


def test_redeeming_with_too_few_points_is_a_conflict_and_the_request_stays_pending(
    parent, pending, rich_child, reward
):
    lose_points(rich_child, 31)

    with pytest.raises(StateConflict) as caught:
        services.redeem_request(request=pending)

    assert caught.value.message == NOT_ENOUGH_POINTS.format(
        child=rich_child.name, points=19, reward=reward.name, cost=20
    )
    assert status_of(pending) == RewardRequest.Status.PENDING
    assert RewardRequest.objects.get(pk=pending.pk).resolved_at is None
    assert points_of(rich_child) == 19


def test_redeeming_twice_is_a_conflict_and_takes_the_cost_once(pending, rich_child):
    services.redeem_request(request=pending)

    with pytest.raises(StateConflict) as caught:
        services.redeem_request(request=pending)

    assert caught.value.message == NOT_PENDING.format(request_id=pending.pk, status="redeemed")
    assert points_of(rich_child) == 30


def test_redeeming_a_cancelled_request_is_a_conflict(pending, rich_child):
    services.cancel_request(request=pending)

    with pytest.raises(StateConflict) as caught:
        services.redeem_request(request=pending)

    assert caught.value.message == NOT_PENDING.format(request_id=pending.pk, status="cancelled")
    assert status_of(pending) == RewardRequest.Status.CANCELLED
    assert points_of(rich_child) == 50


# --- Redeem directly -----------------------------------------------------------------------------


def test_direct_redeem_takes_the_cost_without_any_request(rich_child, reward):
    result = services.redeem_reward(child=rich_child, reward=reward)

    assert result.request is None
    assert result.child.points == 30
    assert points_of(rich_child) == 30
    assert not RewardRequest.objects.exists()


def test_direct_redeem_uses_the_override_cost(rich_child, reward):
    services.set_override(child=rich_child, entity=reward, value=50)

    services.redeem_reward(child=rich_child, reward=reward)

    assert points_of(rich_child) == 0


def test_direct_redeem_of_an_unassigned_reward_is_an_invalid_action(parent, rich_child):
    unassigned = RewardFactory(owner=parent)

    with pytest.raises(InvalidAction) as caught:
        services.redeem_reward(child=rich_child, reward=unassigned)

    assert caught.value.message == not_assigned_message(
        kind="Reward", entity=unassigned, child=rich_child
    )
    assert caught.value.field == "reward_id"
    assert points_of(rich_child) == 50


def test_direct_redeem_with_too_few_points_is_a_conflict(child, reward):
    with pytest.raises(StateConflict) as caught:
        services.redeem_reward(child=child, reward=reward)

    assert caught.value.message == NOT_ENOUGH_POINTS.format(
        child=child.name, points=0, reward=reward.name, cost=20
    )
    assert points_of(child) == 0


# --- Cancel --------------------------------------------------------------------------------------


def test_cancelling_a_pending_request_marks_it_cancelled_and_moves_no_points(pending, rich_child):
    result = services.cancel_request(request=pending)

    assert result.request.status == RewardRequest.Status.CANCELLED
    saved = RewardRequest.objects.get(pk=pending.pk)
    assert saved.status == RewardRequest.Status.CANCELLED
    assert saved.resolved_at is not None
    assert points_of(rich_child) == 50


def test_cancelling_after_redeem_is_a_conflict_and_changes_nothing(pending, rich_child):
    services.redeem_request(request=pending)

    with pytest.raises(StateConflict) as caught:
        services.cancel_request(request=pending)

    assert caught.value.message == NOT_PENDING.format(request_id=pending.pk, status="redeemed")
    assert status_of(pending) == RewardRequest.Status.REDEEMED
    assert points_of(rich_child) == 30


def test_cancelling_twice_is_a_conflict(pending):
    services.cancel_request(request=pending)

    with pytest.raises(StateConflict) as caught:
        services.cancel_request(request=pending, device_id=5)

    assert caught.value.message == NOT_PENDING.format(request_id=pending.pk, status="cancelled")
    assert status_of(pending) == RewardRequest.Status.CANCELLED


# --- Signals -------------------------------------------------------------------------------------


def test_requesting_sends_reward_requested_once_with_the_exact_payload(
    record, parent, rich_child, reward
):
    recorder = record(signals.reward_requested)
    start = timezone.now()

    result = services.request_reward(child=rich_child, reward=reward, device_id=3)

    call = recorder.single_call(start=start, end=timezone.now())
    assert call == {
        "sender": Reward,
        "child": rich_child,
        "event": {
            "user_id": parent.pk,
            "child_id": rich_child.pk,
            "child_name": rich_child.name,
            "child_age": rich_child.age,
            "entity_type": "reward",
            "entity_id": reward.pk,
            "action": "requested",
            "points_before": 50,
            "points_after": 50,
            "metadata": metadata(rich_child, reward, request_id=result.request.pk, device_id=3),
        },
    }


def test_redeeming_a_request_sends_reward_redeemed_once_with_the_exact_payload(
    record, parent, pending, rich_child, reward
):
    recorder = record(signals.reward_redeemed)
    start = timezone.now()

    services.redeem_request(request=pending)

    call = recorder.single_call(start=start, end=timezone.now())
    assert call == {
        "sender": Reward,
        "child": rich_child,
        "event": {
            "user_id": parent.pk,
            "child_id": rich_child.pk,
            "child_name": rich_child.name,
            "child_age": rich_child.age,
            "entity_type": "reward",
            "entity_id": reward.pk,
            "action": "redeemed",
            "points_before": 50,
            "points_after": 30,
            "metadata": metadata(rich_child, reward, request_id=pending.pk),
        },
    }
    assert RewardRequest.objects.get(pk=pending.pk).status == RewardRequest.Status.REDEEMED
    assert call["child"].points == 30


def test_direct_redeem_sends_reward_redeemed_with_no_request(record, parent, rich_child, reward):
    recorder = record(signals.reward_redeemed)
    start = timezone.now()

    services.redeem_reward(child=rich_child, reward=reward)

    call = recorder.single_call(start=start, end=timezone.now())
    assert call == {
        "sender": Reward,
        "child": rich_child,
        "event": {
            "user_id": parent.pk,
            "child_id": rich_child.pk,
            "child_name": rich_child.name,
            "child_age": rich_child.age,
            "entity_type": "reward",
            "entity_id": reward.pk,
            "action": "redeemed",
            "points_before": 50,
            "points_after": 30,
            "metadata": metadata(rich_child, reward, request_id=None),
        },
    }


def test_cancelling_sends_reward_cancelled_once_with_the_exact_payload(
    record, parent, pending, rich_child, reward
):
    recorder = record(signals.reward_cancelled)
    start = timezone.now()

    services.cancel_request(request=pending, device_id=5)

    call = recorder.single_call(start=start, end=timezone.now())
    assert call == {
        "sender": Reward,
        "child": rich_child,
        "event": {
            "user_id": parent.pk,
            "child_id": rich_child.pk,
            "child_name": rich_child.name,
            "child_age": rich_child.age,
            "entity_type": "reward",
            "entity_id": reward.pk,
            "action": "cancelled",
            "points_before": 50,
            "points_after": 50,
            "metadata": metadata(rich_child, reward, request_id=pending.pk, device_id=5),
        },
    }
    assert RewardRequest.objects.get(pk=pending.pk).status == RewardRequest.Status.CANCELLED


def test_reward_signals_with_an_override_say_so_in_the_metadata(record, parent, rich_child, reward):
    # The override is set before the request: the request holds (and redeeming charges) the cost
    # it was made with.
    services.set_override(child=rich_child, entity=reward, value=35)
    request = services.request_reward(child=rich_child, reward=reward).request
    recorder = record(signals.reward_redeemed)
    start = timezone.now()

    services.redeem_request(request=request)

    call = recorder.single_call(start=start, end=timezone.now())
    assert call["event"]["points_after"] == 15
    assert call["event"]["metadata"] == metadata(
        rich_child, reward, request_id=request.pk, value=35
    )
    assert call["event"]["metadata"]["override_applied"] is True
    assert call["event"]["metadata"]["default_value"] == 20


# Each case prepares the state, then returns the action that must be refused.


def unassigned_request(parent, child, reward, pending):
    unassigned = RewardFactory(owner=parent)
    return lambda: services.request_reward(child=child, reward=unassigned)


def request_without_points(parent, child, reward, pending):
    services.cancel_request(request=pending)
    lose_points(child, child.points)
    return lambda: services.request_reward(child=child, reward=reward)


def duplicate_request(parent, child, reward, pending):
    return lambda: services.request_reward(child=child, reward=reward)


def redeem_without_points(parent, child, reward, pending):
    lose_points(child, child.points)
    return lambda: services.redeem_request(request=pending)


def second_redeem(parent, child, reward, pending):
    services.redeem_request(request=pending)
    return lambda: services.redeem_request(request=pending)


def redeem_after_cancel(parent, child, reward, pending):
    services.cancel_request(request=pending)
    return lambda: services.redeem_request(request=pending)


def direct_redeem_without_points(parent, child, reward, pending):
    lose_points(child, child.points)
    return lambda: services.redeem_reward(child=child, reward=reward)


def direct_redeem_unassigned(parent, child, reward, pending):
    unassigned = RewardFactory(owner=parent)
    return lambda: services.redeem_reward(child=child, reward=unassigned)


def cancel_after_redeem(parent, child, reward, pending):
    services.redeem_request(request=pending)
    return lambda: services.cancel_request(request=pending)


def second_cancel(parent, child, reward, pending):
    services.cancel_request(request=pending)
    return lambda: services.cancel_request(request=pending)


@pytest.mark.parametrize(
    "prepare",
    [
        unassigned_request,
        request_without_points,
        duplicate_request,
        redeem_without_points,
        second_redeem,
        redeem_after_cancel,
        direct_redeem_without_points,
        direct_redeem_unassigned,
        cancel_after_redeem,
        second_cancel,
    ],
)
def test_a_refused_reward_action_sends_no_signal(
    record, prepare, parent, pending, rich_child, reward
):
    refused_action = prepare(parent, rich_child, reward, pending)
    recorders = [
        record(signal)
        for signal in (signals.reward_requested, signals.reward_redeemed, signals.reward_cancelled)
    ]

    with pytest.raises((InvalidAction, StateConflict)):
        refused_action()

    assert [recorder.calls for recorder in recorders] == [[], [], []]


def test_assign_rewards_replaces_the_assignment_and_sends_child_changed(
    record, parent, child, reward
):
    new_reward = RewardFactory(owner=parent)
    recorder = record(children_signals.child_changed)
    start = timezone.now()

    services.assign_rewards(child=child, rewards=[new_reward])

    end = timezone.now()
    assert list(Child.objects.get(pk=child.pk).rewards.all()) == [new_reward]
    call = recorder.single_call(start=start, end=end)
    assert call == {
        "sender": Child,
        "user_id": parent.pk,
        "child": child,
        "changed": ["reward_ids"],
    }
