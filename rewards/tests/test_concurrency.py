"""Concurrent reward actions, in real threads with their own PostgreSQL connections: a request is
redeemed or cancelled at most once, and the points are taken once per success."""

import pytest

from children.models import Child
from kernel.errors import StateConflict
from rewards import services, signals
from rewards.models import Reward, RewardRequest
from rewards.services import ALREADY_PENDING, NOT_PENDING
from testsupport.factories import ChildFactory, RewardFactory, RewardRequestFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wealthy_child(parent):
    """A child with far more points than any race here could spend."""
    return ChildFactory(owner=parent, points=1000)


@pytest.fixture
def prize(parent, wealthy_child):
    reward = RewardFactory(owner=parent, cost=20)
    wealthy_child.rewards.add(reward)
    return reward


def kinds(outcomes) -> list[str]:
    return sorted(kind for kind, _ in outcomes)


def conflicts(outcomes) -> list[StateConflict]:
    return [value for kind, value in outcomes if kind == "error"]


def test_twenty_simultaneous_redeems_of_one_request_succeed_once(
    concurrently, record, wealthy_child, prize
):
    request = RewardRequestFactory(child=wealthy_child, reward=prize)
    recorder = record(signals.reward_redeemed)

    def redeem(index: int):
        return services.redeem_request(request=RewardRequest.objects.get(pk=request.pk))

    outcomes = concurrently(20, redeem)

    assert kinds(outcomes) == ["error"] * 19 + ["ok"]
    for error in conflicts(outcomes):
        assert isinstance(error, StateConflict), error
        assert error.message == NOT_PENDING.format(request_id=request.pk, status="redeemed")
    assert Child.objects.get(pk=wealthy_child.pk).points == 1000 - 20
    assert RewardRequest.objects.get(pk=request.pk).status == RewardRequest.Status.REDEEMED
    assert len(recorder.calls) == 1


def test_a_redeem_racing_a_cancel_ends_in_exactly_one_of_them(concurrently, wealthy_child, prize):
    expected_points = 1000
    for _ in range(10):
        request = RewardRequestFactory(child=wealthy_child, reward=prize)

        def redeem_or_cancel(index: int, request_id=request.pk) -> str:
            pending = RewardRequest.objects.get(pk=request_id)
            if index == 0:
                services.redeem_request(request=pending)
                return "redeemed"
            services.cancel_request(request=pending)
            return "cancelled"

        outcomes = concurrently(2, redeem_or_cancel)

        assert kinds(outcomes) == ["error", "ok"], outcomes
        (winner,) = [value for kind, value in outcomes if kind == "ok"]
        (loser,) = conflicts(outcomes)
        assert isinstance(loser, StateConflict), loser
        assert loser.message == NOT_PENDING.format(request_id=request.pk, status=winner)
        assert RewardRequest.objects.get(pk=request.pk).status == winner
        if winner == "redeemed":
            expected_points -= prize.cost
        assert Child.objects.get(pk=wealthy_child.pk).points == expected_points


def test_twenty_simultaneous_requests_for_one_reward_create_one(concurrently, wealthy_child, prize):
    def ask(index: int):
        return services.request_reward(
            child=Child.objects.get(pk=wealthy_child.pk), reward=Reward.objects.get(pk=prize.pk)
        )

    outcomes = concurrently(20, ask)

    assert kinds(outcomes) == ["error"] * 19 + ["ok"]
    for error in conflicts(outcomes):
        assert isinstance(error, StateConflict), error
        assert error.message == ALREADY_PENDING.format(child=wealthy_child.name, reward=prize.name)
    assert RewardRequest.objects.filter(child=wealthy_child).count() == 1
    assert Child.objects.get(pk=wealthy_child.pk).points == 1000


def test_simultaneous_direct_redeems_never_spend_more_points_than_the_child_has(
    concurrently, parent, prize
):
    child = ChildFactory(owner=parent, points=5 * prize.cost + 7)
    child.rewards.add(prize)

    def redeem(index: int):
        return services.redeem_reward(
            child=Child.objects.get(pk=child.pk), reward=Reward.objects.get(pk=prize.pk)
        )

    outcomes = concurrently(20, redeem)

    assert kinds(outcomes) == ["error"] * 15 + ["ok"] * 5
    assert all(isinstance(error, StateConflict) for error in conflicts(outcomes))
    assert Child.objects.get(pk=child.pk).points == 7
