"""Holds, property-based (hypothesis): any sequence of requests, cancels, redemptions (of a request
or direct), chores, penalties, adjustments and override changes on two children sharing three
rewards keeps, after every step, points >= 0, available points >= 0, available points = points -
what the pending requests hold (floored at 0), and an unbroken tracking chain. Each step's outcome
(done or a 409) and the points are also those of a small model of the rules, so the rules
themselves are checked, not only their invariants."""

from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from children import services as children_services
from children.models import Child
from children.selectors import available_points, children_for
from children.serializers import ChildSerializer
from kernel.errors import StateConflict
from rewards import services
from rewards.models import RewardRequest
from testsupport.factories import ChildFactory, PenaltyFactory, RewardFactory, TaskFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

REWARD_COSTS = (15, 30, 45)
CHORE_POINTS = 10
PENALTY_POINTS = 25

children_ = st.integers(0, 1)
rewards_ = st.integers(0, len(REWARD_COSTS) - 1)
# Requests and redemptions come up more often than the rest: holds are what is under test.
STEP = st.one_of(
    st.tuples(st.just("request"), children_, rewards_),
    st.tuples(st.just("request"), children_, rewards_),
    st.tuples(st.just("redeem_request"), children_, rewards_),
    st.tuples(st.just("redeem_direct"), children_, rewards_),
    st.tuples(st.just("cancel"), children_, rewards_),
    st.tuples(st.just("redeem_request"), children_, rewards_),
    st.tuples(st.just("redeem_direct"), children_, rewards_),
    st.tuples(st.just("chore"), children_),
    st.tuples(st.just("penalty"), children_),
    st.tuples(st.just("adjust"), children_, st.integers(-60, 60).filter(bool)),
    st.tuples(st.just("override"), children_, rewards_, st.integers(1, 60)),
)


@dataclass
class Model:
    """What the rules say should be: points, pending holds and overrides, per child."""

    points: list[int] = field(default_factory=lambda: [0, 0])
    pending: dict[tuple[int, int], int] = field(default_factory=dict)  # (child, reward) → cost
    overrides: dict[tuple[int, int], int] = field(default_factory=dict)

    def held(self, child: int) -> int:
        return sum(cost for (c, _), cost in self.pending.items() if c == child)

    def available(self, child: int) -> int:
        return max(0, self.points[child] - self.held(child))

    def cost(self, child: int, reward: int) -> int:
        return self.overrides.get((child, reward), REWARD_COSTS[reward])


@dataclass
class Family:
    parent: object
    children: list[Child]
    rewards: list
    chore: object
    penalty: object


def make_family(parent, start: tuple[int, int]) -> Family:
    """Two children who earned `start` points (a tracked adjustment), three rewards for both, a
    chore and a penalty."""
    kids = [ChildFactory(owner=parent, name=name, points=0) for name in ("Ada", "Bo")]
    for kid, points in zip(kids, start, strict=True):
        if points:
            children_services.adjust_points(child=kid, points=points, reason="start")
    rewards = [RewardFactory(owner=parent, cost=cost) for cost in REWARD_COSTS]
    chore = TaskFactory(owner=parent, points=CHORE_POINTS)
    penalty = PenaltyFactory(owner=parent, points=PENALTY_POINTS)
    for kid in kids:
        kid.rewards.set(rewards)
        kid.tasks.set([chore, penalty])
    return Family(parent, kids, rewards, chore, penalty)


def pending_request(family: Family, child: int, reward: int) -> RewardRequest | None:
    return RewardRequest.objects.filter(
        child=family.children[child], reward=family.rewards[reward], status="pending"
    ).first()


def apply(step: tuple, family: Family, model: Model) -> None:
    """Run one step through the services and the model; both must agree on whether it is done."""
    kind, child = step[0], step[1]
    kid = Child.objects.get(pk=family.children[child].pk)
    expected_ok = True
    try:
        if kind == "chore":
            model.points[child] += CHORE_POINTS
            children_services.activate_task(child=kid, task=family.chore)
        elif kind == "penalty":
            model.points[child] = max(0, model.points[child] - PENALTY_POINTS)
            children_services.activate_task(child=kid, task=family.penalty)
        elif kind == "adjust":
            model.points[child] = max(0, model.points[child] + step[2])
            children_services.adjust_points(child=kid, points=step[2], reason="property")
        elif kind == "override":
            reward, cost = step[2], step[3]
            model.overrides[(child, reward)] = cost
            services.set_override(child=kid, entity=family.rewards[reward], value=cost)
        elif kind == "request":
            reward = step[2]
            cost = model.cost(child, reward)
            expected_ok = (child, reward) not in model.pending and model.available(child) >= cost
            if expected_ok:
                model.pending[(child, reward)] = cost
            services.request_reward(child=kid, reward=family.rewards[reward])
        elif kind == "redeem_direct":
            reward = step[2]
            cost = model.cost(child, reward)
            expected_ok = model.points[child] - model.held(child) >= cost
            if expected_ok:
                model.points[child] -= cost
            services.redeem_reward(child=kid, reward=family.rewards[reward])
        else:  # cancel or redeem_request, of the pending request for that reward if any
            reward = step[2]
            request = pending_request(family, child, reward)
            if request is None:
                assert (child, reward) not in model.pending
                return
            held = model.pending[(child, reward)]
            assert request.cost == held
            if kind == "cancel":
                del model.pending[(child, reward)]
                services.cancel_request(request=request)
            else:
                expected_ok = model.points[child] >= held
                if expected_ok:
                    model.points[child] -= held
                    del model.pending[(child, reward)]
                services.redeem_request(request=request)
    except StateConflict:
        assert not expected_ok, f"{step} was refused; the model takes it"
    else:
        assert expected_ok, f"{step} was done; the model refuses it"


def check(family: Family, model: Model) -> None:
    listed = {kid.pk: kid for kid in children_for(family.parent)}
    for index, kid in enumerate(family.children):
        saved = Child.objects.get(pk=kid.pk)
        held = (
            RewardRequest.objects.filter(child=kid, status="pending").aggregate(held=Sum("cost"))[
                "held"
            ]
            or 0
        )
        available = available_points(saved)
        assert saved.points >= 0
        assert available >= 0
        assert available == max(0, saved.points - held)
        assert available_points(listed[kid.pk]) == available
        assert ChildSerializer(saved).data["available_points"] == available
        assert (saved.points, held, available) == (
            model.points[index],
            model.held(index),
            model.available(index),
        )
    call_command("verify_tracking", "--no-progress", stdout=StringIO())  # raises on a break


@settings(
    max_examples=100,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.tuples(st.integers(0, 120), st.integers(0, 120)),
    steps=st.lists(STEP, min_size=1, max_size=40),
)
@example(start=(60, 0), steps=[("request", 0, 2), ("request", 0, 1)])  # 45 held: 30 is refused
@example(start=(50, 0), steps=[("request", 0, 1), ("redeem_direct", 0, 1)])
@example(start=(50, 0), steps=[("request", 0, 2), ("penalty", 0), ("redeem_request", 0, 2)])
@example(
    start=(45, 0),
    steps=[("request", 0, 1), ("override", 0, 1, 40), ("redeem_request", 0, 1)],
)
def test_no_sequence_of_reward_actions_makes_points_or_available_points_negative(
    parent, start, steps
):
    with transaction.atomic():  # each example starts from its own family, rolled back after
        family = make_family(parent, start)
        model = Model(points=list(start))
        for step in steps:
            apply(step, family, model)
            check(family, model)
        transaction.set_rollback(True)
