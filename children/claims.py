"""Claims: a child says a chore is done, a guardian approves it (the chore is activated) or
rejects it, exactly once whatever the concurrency (issue 14).

Every function locks the child's row first (`lock_child`) and then the claim's, always in that
order, and re-checks the claim's state under those locks: of two approvals, or an approval racing
a rejection, the second to get the child's lock finds the claim decided and is a 409 that records
nothing. A claim deleted after the view found it (its chore was deleted) is a NotFound (404).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from children import signals
from children.models import Child, Claim, Task
from children.services import (
    ActionResult,
    activate_task,
    lock_child,
    move_points,
    not_assigned_message,
    task_value,
)
from households.models import Household
from kernel.errors import InvalidAction, NotFound, StateConflict
from kernel.events import PointsChanged
from kernel.referenced import keep_referenced

PENALTY_NOT_CLAIMABLE = "'{task}' (id {task_id}) is a penalty: only chores can be claimed."
ALREADY_PENDING = "Child '{child}' already has a pending claim for chore '{task}'."
NOT_PENDING = "Claim {claim_id} is {status}, not pending: it was already decided."
NOT_APPROVED = "Claim {claim_id} is {status}, not approved."
NO_LONGER_ASSIGNED = (
    "Chore '{task}' (id {task_id}) is no longer assigned to child '{child}' (id {child_id}): "
    "reject the claim, or assign the chore again."
)
CLAIM_GONE = "Claim {claim_id} no longer exists; nothing changed."


@dataclass(frozen=True)
class ClaimResult:
    """The claim and the child as saved, the event the last step announced, and what listeners
    added for the response (the ledger adds `tracking_event`)."""

    claim: Claim
    child: Child
    event: PointsChanged | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def response(self, **fields: Any) -> dict[str, Any]:
        """The action's API response: `fields`, then what the listeners added."""
        return {**fields, **self.extras}


def claim_task(
    *,
    child: Child,
    task: Task,
    by: AbstractBaseUser | None = None,
    device_id: int | None = None,
) -> ClaimResult:
    """A child says it did a chore (from its paired device, `device_id`; `by` is the guardian who
    paired it). Points do not move until a guardian approves; a household that approves claims
    automatically approves it at once, in the same transaction (the result is then the approval).

    Raises InvalidAction when the chore is not assigned to the child or is a penalty,
    StateConflict when the child already has a pending claim for it.
    """
    with transaction.atomic():
        child = lock_child(child.pk)
        keep_referenced(task, field="task_id")
        if not child.tasks.filter(pk=task.pk).exists():
            raise InvalidAction(
                not_assigned_message(kind=task.entity_type.title(), entity=task, child=child),
                field="task_id",
            )
        if not task.is_good:
            raise InvalidAction(
                PENALTY_NOT_CLAIMABLE.format(task=task.name, task_id=task.pk), field="task_id"
            )
        if Claim.objects.filter(child=child, task=task, status=Claim.Status.PENDING).exists():
            raise StateConflict(ALREADY_PENDING.format(child=child.name, task=task.name))
        try:
            with transaction.atomic():
                claim = Claim.objects.create(child=child, task=task, device_id=device_id)
        except IntegrityError as error:
            # Only reachable if a pending claim slipped past the child's lock (it cannot on
            # PostgreSQL or SQLite IMMEDIATE); the partial unique index is the last line of defence.
            raise StateConflict(ALREADY_PENDING.format(child=child.name, task=task.name)) from error
        moved = _record_without_points(
            signals.task_claimed,
            "requested",
            child=child,
            claim=claim,
            by=by,
            device_id=device_id,
            occurred_at=claim.created_at,
        )
        if _approves_automatically(child.household_id):
            return _approve(
                child=moved.child,
                claim=claim,
                by=by,
                device_id=device_id,
                decided_by=None,
                metadata={"claim_id": claim.pk, "approved_by": None, "auto_approved": True},
            )
    return ClaimResult(claim=claim, child=moved.child, event=moved.event, extras=moved.extras)


def approve_claim(*, claim: Claim, by: AbstractBaseUser) -> ClaimResult:
    """A guardian approves a pending claim: the chore is activated for the child (its value now,
    the override included), once; the event says which claim and who approved it.

    Raises StateConflict when the claim is no longer pending (approved or rejected first: a
    stale notification) or its chore is no longer assigned to the child (the claim then stays
    pending), NotFound when the claim is gone.
    """
    with transaction.atomic():
        child = lock_child(claim.child_id)
        claim = _lock_pending(claim)
        return _approve(
            child=child,
            claim=claim,
            by=by,
            decided_by=by,
            metadata={"claim_id": claim.pk, "approved_by": by.pk},
        )


def reject_claim(*, claim: Claim, by: AbstractBaseUser) -> ClaimResult:
    """A guardian rejects a pending claim: points do not move; the event says who rejected it.

    Raises StateConflict when the claim is no longer pending, NotFound when it is gone.
    """
    with transaction.atomic():
        child = lock_child(claim.child_id)
        claim = _lock_pending(claim)
        value, _ = task_value(child=child, task=claim.task)
        claim.status = Claim.Status.REJECTED
        claim.decided_at = timezone.now()
        claim.decided_by = by
        claim.points = value
        claim.save(update_fields=["status", "decided_at", "decided_by", "points"])
        moved = _record_without_points(
            signals.claim_rejected,
            "cancelled",
            child=child,
            claim=claim,
            by=by,
            occurred_at=claim.decided_at,
            rejected_by=by.pk,
        )
    return ClaimResult(claim=claim, child=moved.child, event=moved.event, extras=moved.extras)


def _record_without_points(
    signal: Signal,
    action: str,
    *,
    child: Child,
    claim: Claim,
    by: AbstractBaseUser | None,
    occurred_at: datetime,
    device_id: int | None = None,
    **extra: Any,
) -> ActionResult:
    """Announce a claim's step that moves no points (its `requested`, its rejection's
    `cancelled`) for the chore, at the chore's value for the child now, through the one writer."""
    task = claim.task
    value, override_applied = task_value(child=child, task=task)
    return move_points(
        by=by,
        device_id=device_id,
        child=child,
        to=child.points,
        signal=signal,
        sender=Task,
        entity_type=task.entity_type,
        entity_id=task.pk,
        action=action,
        occurred_at=occurred_at,
        metadata={
            "entity_name": task.name,
            "default_value": task.points,
            "override_applied": override_applied,
            "value": value,
            "claim_id": claim.pk,
            **extra,
        },
    )


def mark_claim_reversed(*, claim_id: int) -> Claim | None:
    """Record on an approved claim that its activation was undone. The caller holds the child's
    lock and moves the points back in the same transaction. None if the claim is gone (its chore
    was deleted): the points still go back.

    Raises StateConflict when the claim is not approved.
    """
    claim = Claim.objects.select_for_update(of=("self",)).filter(pk=claim_id).first()
    if claim is None:
        return None
    if claim.status != Claim.Status.APPROVED:
        raise StateConflict(NOT_APPROVED.format(claim_id=claim.pk, status=claim.status))
    claim.status = Claim.Status.REVERSED
    claim.save(update_fields=["status"])
    return claim


def _approves_automatically(household_id: int) -> bool:
    return bool(
        Household.objects.filter(pk=household_id)
        .values_list("auto_approve_claims", flat=True)
        .first()
    )


def _approve(
    *,
    child: Child,
    claim: Claim,
    by: AbstractBaseUser | None,
    decided_by: AbstractBaseUser | None,
    metadata: dict[str, Any],
    device_id: int | None = None,
) -> ClaimResult:
    """Activate a locked pending claim's chore and mark the claim approved, in the caller's
    transaction. `by` is who the event is recorded for; `decided_by` who approved (None for an
    automatic approval)."""
    task = claim.task
    if not child.tasks.filter(pk=task.pk).exists():
        raise StateConflict(
            NO_LONGER_ASSIGNED.format(
                task=task.name, task_id=task.pk, child=child.name, child_id=child.pk
            )
        )
    activated = activate_task(
        child=child,
        task=task,
        by=by,
        device_id=device_id,
        metadata=metadata,
    )
    event = activated.event  # always set: activate_task announces one event
    claim.status = Claim.Status.APPROVED
    claim.decided_at = event.occurred_at if event else timezone.now()
    claim.decided_by = decided_by
    claim.points = event.metadata["value"] if event else None
    claim.save(update_fields=["status", "decided_at", "decided_by", "points"])
    return ClaimResult(claim=claim, child=activated.child, event=event, extras=activated.extras)


def _lock_pending(claim: Claim) -> Claim:
    """Lock a claim under its child's lock, and check it is still pending.

    Raises NotFound when it was deleted after the view found it (with its chore; a deletion of
    its child fails `lock_child` first), StateConflict when it is no longer pending.
    """
    locked = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("task")
        .filter(pk=claim.pk)
        .first()
    )
    if locked is None:
        raise NotFound(CLAIM_GONE.format(claim_id=claim.pk))
    if locked.status != Claim.Status.PENDING:
        raise StateConflict(NOT_PENDING.format(claim_id=locked.pk, status=locked.status))
    return locked
