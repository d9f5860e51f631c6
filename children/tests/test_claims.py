"""Claims through the services: a claim records a `requested` event with delta 0, an approval one
`activated` event that says which claim and who approved it, a rejection a `cancelled` event with
delta 0; a decided claim is never decided again; the household may approve claims automatically;
reversing an approval marks the claim reversed."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django_eventstream.models import Event as StoredEvent

from children import claims, signals
from children.models import Child, Claim, TaskOverride
from children.selectors import claims_for
from children.services import activate_task
from households.models import Role
from kernel.errors import InvalidAction, StateConflict
from testsupport.factories import (
    ChildFactory,
    MembershipFactory,
    TaskFactory,
    household_of,
)
from tracking.ledger.reversal import reverse_event
from tracking.models import TrackingEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

DEVICE_ID = 41


@pytest.fixture
def guardian(parent):
    return MembershipFactory(household=household_of(parent), role=Role.GUARDIAN).user


@pytest.fixture
def claim(parent, child, chore):
    return claims.claim_task(child=child, task=chore, by=parent, device_id=DEVICE_ID).claim


def events_of(child: Child) -> list[TrackingEvent]:
    return list(TrackingEvent.objects.filter(child_id=child.pk).order_by("id"))


def reload(claim: Claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


# --- Claiming -------------------------------------------------------------------------------------


def test_a_claim_is_pending_and_records_a_requested_event_that_moves_no_points(
    parent, child, chore
):
    result = claims.claim_task(child=child, task=chore, by=parent, device_id=DEVICE_ID)

    claim = reload(result.claim)
    assert (claim.status, claim.child_id, claim.task_id) == ("pending", child.pk, chore.pk)
    assert claim.device_id == DEVICE_ID
    assert (claim.decided_at, claim.decided_by, claim.points) == (None, None, None)
    [event] = events_of(child)
    assert (event.entity_type, event.entity_id, event.action) == ("task", chore.pk, "requested")
    assert (event.points_before, event.points_after, event.delta) == (0, 0, 0)
    assert event.user_id == parent.pk
    assert event.metadata == {
        "child_name": child.name,
        "entity_name": chore.name,
        "default_value": 10,
        "override_applied": False,
        "value": 10,
        "claim_id": claim.pk,
        "actor": "child",
        "device_id": DEVICE_ID,
    }
    assert result.extras["tracking_event"]["id"] == event.pk
    assert Child.objects.get(pk=child.pk).points == 0


def test_the_claimed_value_says_when_an_override_applies(parent, child, chore):
    TaskOverride.objects.create(child=child, task=chore, points=25)

    claims.claim_task(child=child, task=chore, by=parent)

    [event] = events_of(child)
    assert (event.metadata["value"], event.metadata["override_applied"]) == (25, True)
    assert event.metadata["actor"] == "guardian"


def test_claiming_sends_task_claimed_once(record, parent, child, chore):
    recorder = record(signals.task_claimed)

    result = claims.claim_task(child=child, task=chore, by=parent, device_id=DEVICE_ID)

    [call] = recorder.calls
    assert call["event"].action == "requested"
    assert call["event"].metadata["claim_id"] == result.claim.pk
    assert call["child"].pk == child.pk


def test_a_penalty_cannot_be_claimed(parent, child, penalty):
    with pytest.raises(InvalidAction) as refused:
        claims.claim_task(child=child, task=penalty, by=parent)

    assert refused.value.field == "task_id"
    assert refused.value.message == claims.PENALTY_NOT_CLAIMABLE.format(
        task=penalty.name, task_id=penalty.pk
    )
    assert not Claim.objects.exists()
    assert events_of(child) == []


def test_a_chore_not_assigned_to_the_child_cannot_be_claimed(parent, child):
    unassigned = TaskFactory(owner=parent)

    with pytest.raises(InvalidAction) as refused:
        claims.claim_task(child=child, task=unassigned, by=parent)

    assert refused.value.field == "task_id"
    assert "is not assigned to child" in refused.value.message
    assert not Claim.objects.exists()
    assert events_of(child) == []


def test_a_second_pending_claim_of_the_same_chore_is_a_conflict(parent, child, chore, claim):
    with pytest.raises(StateConflict) as refused:
        claims.claim_task(child=child, task=chore, by=parent)

    assert refused.value.message == claims.ALREADY_PENDING.format(child=child.name, task=chore.name)
    assert Claim.objects.count() == 1
    assert len(events_of(child)) == 1


def test_a_chore_can_be_claimed_again_once_its_claim_is_decided(
    parent, guardian, child, chore, claim
):
    claims.reject_claim(claim=claim, by=guardian)

    again = claims.claim_task(child=child, task=chore, by=parent).claim

    assert reload(again).status == "pending"


# --- Approving ------------------------------------------------------------------------------------


def test_approving_activates_the_chore_once_and_names_the_claim_and_the_guardian(
    guardian, child, chore, claim
):
    result = claims.approve_claim(claim=claim, by=guardian)

    approved = reload(claim)
    assert approved.status == "approved"
    assert approved.decided_by_id == guardian.pk
    assert approved.decided_at == result.event.occurred_at
    assert approved.points == 10
    assert Child.objects.get(pk=child.pk).points == 10
    _, activated = events_of(child)
    assert (activated.entity_type, activated.entity_id, activated.action) == (
        "task",
        chore.pk,
        "activated",
    )
    assert (activated.points_before, activated.points_after) == (0, 10)
    assert activated.user_id == guardian.pk
    assert activated.metadata["claim_id"] == claim.pk
    assert activated.metadata["approved_by"] == guardian.pk
    assert activated.metadata["actor"] == "guardian"
    assert result.extras["tracking_event"]["id"] == activated.pk
    assert result.child.points == 10


def test_approving_gives_the_value_at_approval(guardian, child, chore, claim):
    TaskOverride.objects.create(child=child, task=chore, points=4)

    claims.approve_claim(claim=claim, by=guardian)

    assert Child.objects.get(pk=child.pk).points == 4
    assert reload(claim).points == 4


def test_approving_a_decided_claim_is_a_conflict_that_records_nothing(
    guardian, parent, child, claim
):
    claims.approve_claim(claim=claim, by=guardian)
    events_before = events_of(child)

    with pytest.raises(StateConflict) as refused:
        claims.approve_claim(claim=claim, by=parent)

    assert refused.value.message == claims.NOT_PENDING.format(claim_id=claim.pk, status="approved")
    assert events_of(child) == events_before
    assert Child.objects.get(pk=child.pk).points == 10
    assert reload(claim).decided_by_id == guardian.pk


def test_approving_a_rejected_claim_is_a_conflict(guardian, child, claim):
    claims.reject_claim(claim=claim, by=guardian)

    with pytest.raises(StateConflict):
        claims.approve_claim(claim=claim, by=guardian)

    assert reload(claim).status == "rejected"
    assert Child.objects.get(pk=child.pk).points == 0
    assert [e.action for e in events_of(child)] == ["requested", "cancelled"]


def test_approving_a_chore_no_longer_assigned_is_a_conflict_and_the_claim_stays_pending(
    guardian, child, chore, claim
):
    child.tasks.remove(chore)

    with pytest.raises(StateConflict):
        claims.approve_claim(claim=claim, by=guardian)

    assert reload(claim).status == "pending"
    assert len(events_of(child)) == 1


# --- Rejecting ------------------------------------------------------------------------------------


def test_rejecting_records_a_cancelled_event_that_moves_no_points(guardian, child, chore, claim):
    result = claims.reject_claim(claim=claim, by=guardian)

    rejected = reload(claim)
    assert (rejected.status, rejected.decided_by_id) == ("rejected", guardian.pk)
    assert rejected.decided_at is not None
    _, cancelled = events_of(child)
    assert (cancelled.entity_type, cancelled.entity_id, cancelled.action) == (
        "task",
        chore.pk,
        "cancelled",
    )
    assert (cancelled.points_before, cancelled.points_after, cancelled.delta) == (0, 0, 0)
    assert cancelled.metadata["claim_id"] == claim.pk
    assert cancelled.metadata["rejected_by"] == guardian.pk
    assert cancelled.user_id == guardian.pk
    assert result.extras["tracking_event"]["id"] == cancelled.pk


def test_rejecting_sends_claim_rejected_once(record, guardian, claim):
    recorder = record(signals.claim_rejected)

    claims.reject_claim(claim=claim, by=guardian)

    [call] = recorder.calls
    assert (call["event"].action, call["event"].delta) == ("cancelled", 0)


def test_rejecting_a_decided_claim_is_a_conflict_that_records_nothing(guardian, child, claim):
    claims.approve_claim(claim=claim, by=guardian)

    with pytest.raises(StateConflict):
        claims.reject_claim(claim=claim, by=guardian)

    assert reload(claim).status == "approved"
    assert [e.action for e in events_of(child)] == ["requested", "activated"]


# --- Auto-approval --------------------------------------------------------------------------------


def test_a_household_that_auto_approves_activates_the_claim_at_once(parent, child, chore):
    household = household_of(parent)
    household.auto_approve_claims = True
    household.save()

    result = claims.claim_task(child=child, task=chore, by=parent, device_id=DEVICE_ID)

    claim = reload(result.claim)
    assert claim.status == "approved"
    assert (claim.decided_by, claim.points) == (None, 10)
    assert Child.objects.get(pk=child.pk).points == 10
    requested, activated = events_of(child)
    assert (requested.action, activated.action) == ("requested", "activated")
    assert activated.metadata["claim_id"] == claim.pk
    assert activated.metadata["approved_by"] is None
    assert activated.metadata["auto_approved"] is True
    assert (activated.metadata["actor"], activated.metadata["device_id"]) == ("child", DEVICE_ID)
    assert result.extras["tracking_event"]["id"] == activated.pk


def test_claims_wait_for_a_guardian_by_default(parent, child, chore):
    result = claims.claim_task(child=child, task=chore, by=parent)

    assert reload(result.claim).status == "pending"
    assert Child.objects.get(pk=child.pk).points == 0


# --- Reversal -------------------------------------------------------------------------------------


def test_reversing_an_approval_marks_the_claim_reversed_and_takes_the_points_back(
    parent, guardian, child, claim
):
    approval = claims.approve_claim(claim=claim, by=guardian)

    reverse_event(user=parent, event_id=approval.extras["tracking_event"]["id"], reason="Not done")

    assert reload(claim).status == "reversed"
    assert Child.objects.get(pk=child.pk).points == 0
    call_command("verify_tracking", "--no-progress", stdout=StringIO())


def test_reversing_a_plain_activation_touches_no_claim(parent, child, chore, claim):
    activation = activate_task(child=child, task=chore, by=parent)

    reverse_event(user=parent, event_id=activation.extras["tracking_event"]["id"], reason="Oops")

    assert reload(claim).status == "pending"


def test_a_claim_is_marked_reversed_only_once_approved(claim):
    with pytest.raises(StateConflict):
        claims.mark_claim_reversed(claim_id=claim.pk)

    assert reload(claim).status == "pending"


def test_marking_a_gone_claim_reversed_is_nothing(claim):
    claim.delete()

    assert claims.mark_claim_reversed(claim_id=claim.pk) is None


# --- The database -------------------------------------------------------------------------------


def test_the_database_refuses_an_unknown_status(claim):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status="maybe")


def test_the_database_refuses_a_second_pending_claim(parent, child, chore, claim):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(child=child, task=chore)


def test_deleting_the_chore_deletes_its_claims_and_keeps_the_history(child, chore, claim):
    chore.delete()

    assert not Claim.objects.exists()
    assert len(events_of(child)) == 1


def test_claims_of_another_household_are_not_listed(parent, other_parent, claim):
    theirs = ChildFactory(owner=other_parent)
    their_chore = TaskFactory(owner=other_parent)
    theirs.tasks.add(their_chore)
    claims.claim_task(child=theirs, task=their_chore, by=other_parent)

    assert [c.pk for c in claims_for(parent)] == [claim.pk]


# --- The stream -----------------------------------------------------------------------------------


def stream_of(child: Child) -> list[tuple[str, int | None]]:
    """The domain events stored for the child's household, with their `claim_id`."""
    stored = (
        StoredEvent.objects.filter(channel=f"household-{child.household_id}")
        .exclude(type__in=["", "tracking_event_created"])
        .order_by("eid")
    )
    # The store keeps the payload's JSON text JSON-encoded once more (tracking.live.store).
    return [(event.type, json.loads(json.loads(event.data))["claim_id"]) for event in stored]


def test_claims_and_their_decisions_are_streamed_with_their_claim(
    parent, guardian, child, chore, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = claims.claim_task(child=child, task=chore, by=parent, device_id=DEVICE_ID).claim
    with django_capture_on_commit_callbacks(execute=True):
        claims.reject_claim(claim=first, by=guardian)
    with django_capture_on_commit_callbacks(execute=True):
        second = claims.claim_task(child=child, task=chore, by=parent).claim
    with django_capture_on_commit_callbacks(execute=True):
        claims.approve_claim(claim=second, by=guardian)

    assert stream_of(child) == [
        ("task_claimed", first.pk),
        ("claim_rejected", first.pk),
        ("task_claimed", second.pk),
        ("task_activated", second.pk),
    ]
