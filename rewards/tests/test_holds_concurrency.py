"""Holds under concurrency, in real threads with their own PostgreSQL connections: requests and
direct redemptions racing for one child's points never hold or spend more than it has, so points
and available points never go negative."""

from io import StringIO

import pytest
from django.core.management import call_command

from children.models import Child
from children.selectors import available_points
from kernel.errors import StateConflict
from rewards import services
from rewards.models import Reward, RewardRequest
from testsupport.factories import ChildFactory, RewardFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def outcome_kinds(outcomes) -> dict[str, int]:
    kinds = [kind for kind, _ in outcomes]
    return {"ok": kinds.count("ok"), "error": kinds.count("error")}


def assert_only_conflicts(outcomes) -> None:
    for kind, value in outcomes:
        if kind == "error":
            assert isinstance(value, StateConflict), repr(value)


@pytest.fixture
def hundred_point_child(parent):
    return ChildFactory(owner=parent, points=100)


def thirty_point_rewards(child: Child, count: int) -> list[Reward]:
    rewards = [RewardFactory(household=child.household, cost=30) for _ in range(count)]
    child.rewards.set(rewards)
    return rewards


def test_ten_simultaneous_requests_hold_at_most_the_childs_points(
    concurrently, hundred_point_child
):
    child = hundred_point_child
    rewards = thirty_point_rewards(child, 10)

    def ask(index: int):
        return services.request_reward(
            child=Child.objects.get(pk=child.pk), reward=Reward.objects.get(pk=rewards[index].pk)
        )

    outcomes = concurrently(10, ask)

    assert outcome_kinds(outcomes) == {"ok": 3, "error": 7}
    assert_only_conflicts(outcomes)
    saved = Child.objects.get(pk=child.pk)
    assert RewardRequest.objects.filter(child=child, status="pending").count() == 3
    assert (saved.points, available_points(saved)) == (100, 10)


def test_requests_and_direct_redemptions_racing_never_overspend(concurrently, hundred_point_child):
    child = hundred_point_child
    rewards = thirty_point_rewards(child, 12)

    def ask_or_redeem(index: int) -> str:
        kid = Child.objects.get(pk=child.pk)
        reward = Reward.objects.get(pk=rewards[index].pk)
        if index % 2:
            services.redeem_reward(child=kid, reward=reward)
            return "redeemed"
        services.request_reward(child=kid, reward=reward)
        return "requested"

    outcomes = concurrently(12, ask_or_redeem)

    assert outcome_kinds(outcomes) == {"ok": 3, "error": 9}
    assert_only_conflicts(outcomes)
    redeemed = [value for kind, value in outcomes if value == "redeemed"]
    saved = Child.objects.get(pk=child.pk)
    held = 30 * RewardRequest.objects.filter(child=child, status="pending").count()
    assert saved.points == 100 - 30 * len(redeemed)
    assert available_points(saved) == saved.points - held == 10
    call_command("verify_tracking", "--no-progress", stdout=StringIO())


def test_redeeming_cancelling_and_requesting_at_once_keep_the_holds_exact(
    concurrently, hundred_point_child
):
    """Three requests hold 90 of 100; then, at once, each is redeemed or cancelled while new
    requests race for what is released: whatever the order, nothing goes negative and what is
    held is what the pending requests hold."""
    child = hundred_point_child
    rewards = thirty_point_rewards(child, 9)
    held = [services.request_reward(child=child, reward=reward).request for reward in rewards[:3]]

    def act(index: int) -> str:
        if index < 3:
            request = RewardRequest.objects.get(pk=held[index].pk)
            if index == 0:
                services.cancel_request(request=request)
                return "cancelled"
            services.redeem_request(request=request)
            return "redeemed"
        services.request_reward(
            child=Child.objects.get(pk=child.pk), reward=Reward.objects.get(pk=rewards[index].pk)
        )
        return "requested"

    outcomes = concurrently(9, act)

    assert_only_conflicts(outcomes)
    assert [value for kind, value in outcomes[:3]] == ["cancelled", "redeemed", "redeemed"]
    saved = Child.objects.get(pk=child.pk)
    pending = RewardRequest.objects.filter(child=child, status="pending").count()
    assert saved.points == 40
    assert 0 <= available_points(saved) == saved.points - 30 * pending
    assert pending == outcome_kinds(outcomes)["ok"] - 3 <= 1
    call_command("verify_tracking", "--no-progress", stdout=StringIO())
