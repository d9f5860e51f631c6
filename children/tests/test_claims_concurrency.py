"""Claims are decided exactly once, in real threads with their own PostgreSQL connections, through
the HTTP API: two guardians approving one claim at the same moment get one 200 and one 409 and
move the points once; an approval racing a rejection ends in exactly one of them."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from children import claims
from children.models import Child, Claim
from conftest import client_for
from households.models import Role
from kernel.errors import StateConflict
from testsupport.factories import MembershipFactory, household_of
from tracking.models import TrackingEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 10


@pytest.fixture
def two_guardians(parent):
    household = household_of(parent)
    return [MembershipFactory(household=household, role=Role.GUARDIAN).user for _ in range(2)]


def decide(client, claim: Claim, verb: str):
    return client.post(reverse(f"claim-{verb}", args=[claim.pk]), format="json").status_code


def events_of(claim: Claim, action: str) -> int:
    return TrackingEvent.objects.filter(metadata__claim_id=claim.pk, action=action).count()


def test_two_guardians_approving_at_once_approve_once(
    concurrently, parent, two_guardians, child, chore
):
    clients = [client_for(guardian) for guardian in two_guardians]

    for round_number in range(1, ROUNDS + 1):
        claim = claims.claim_task(child=child, task=chore, by=parent, device_id=3).claim

        outcomes = concurrently(
            2, lambda index, claim=claim: decide(clients[index], claim, "approve")
        )

        assert sorted(value for _, value in outcomes) == [200, 409], outcomes
        assert events_of(claim, "activated") == 1
        assert Claim.objects.get(pk=claim.pk).status == "approved"
        assert Child.objects.get(pk=child.pk).points == 10 * round_number
    call_command("verify_tracking", "--no-progress", stdout=StringIO())


def test_an_approval_racing_a_rejection_ends_in_exactly_one(
    concurrently, parent, two_guardians, child, chore
):
    clients = [client_for(guardian) for guardian in two_guardians]
    verbs = ["approve", "reject"]
    winners: Counter[str] = Counter()

    for _ in range(ROUNDS):
        claim = claims.claim_task(child=child, task=chore, by=parent).claim
        points_before = Child.objects.get(pk=child.pk).points

        outcomes = concurrently(
            2, lambda index, claim=claim: decide(clients[index], claim, verbs[index])
        )

        statuses = [value for _, value in outcomes]
        assert sorted(statuses) == [200, 409], outcomes
        winner = verbs[statuses.index(200)]
        winners[winner] += 1
        decided = Claim.objects.get(pk=claim.pk)
        points_after = Child.objects.get(pk=child.pk).points
        if winner == "approve":
            assert decided.status == "approved"
            assert (events_of(claim, "activated"), events_of(claim, "cancelled")) == (1, 0)
            assert points_after == points_before + 10
        else:
            assert decided.status == "rejected"
            assert (events_of(claim, "activated"), events_of(claim, "cancelled")) == (0, 1)
            assert points_after == points_before
    assert sum(winners.values()) == ROUNDS
    call_command("verify_tracking", "--no-progress", stdout=StringIO())


def test_ten_approvals_of_one_claim_at_once_move_the_points_once(
    concurrently, parent, two_guardians, child, chore
):
    claim = claims.claim_task(child=child, task=chore, by=parent).claim
    guardians = [two_guardians[index % 2] for index in range(10)]

    def approve(index: int) -> str:
        claims.approve_claim(claim=Claim.objects.get(pk=claim.pk), by=guardians[index])
        return "approved"

    outcomes = concurrently(10, approve)

    kinds = Counter(kind for kind, _ in outcomes)
    assert kinds == {"ok": 1, "error": 9}
    for kind, value in outcomes:
        if kind == "error":
            assert isinstance(value, StateConflict), repr(value)
    assert events_of(claim, "activated") == 1
    assert Child.objects.get(pk=child.pk).points == 10
