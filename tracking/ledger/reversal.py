"""Writes that start from a tracking event: undoing what it recorded.

A reversal is itself a ledger write: "once per event" rests on its row (the unique `reverses`
column), so when that row cannot be written the ledger's receiver raises HistoryUnavailable, this
transaction rolls back, points do not move, and the client gets a 503 it can retry.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import Http404

from children.claims import mark_claim_reversed
from children.services import ActionResult, lock_child, reverse_change
from kernel.errors import InvalidAction, NotFound, StateConflict
from rewards.services import mark_redemption_reversed
from tracking.models import REVERSIBLE_ACTIONS, Action, EntityType, TrackingEvent
from tracking.selectors import events_of_household

NOT_FOUND = "No such tracking event."
NOT_REVERSIBLE = (
    "Only activated, redeemed, adjusted and paused events can be reversed; this one is {action}."
)
ALREADY_REVERSED = "Tracking event {event_id} was already reversed by event {reversal_id}."
CHILD_GONE = "The child of tracking event {event_id} no longer exists."


def reverse_event(*, user: AbstractBaseUser, event_id: int, reason: str) -> ActionResult:
    """Undo one of a parent's tracked actions, once: apply the exact opposite of its delta
    (floored at 0); for a redemption mark its request `reversed`, for an approved claim's
    activation the claim.

    Raises Http404 for an unknown or foreign event, InvalidAction for an event that cannot be
    reversed (requested, cancelled, reversed), StateConflict when it was already reversed or its
    child is gone, HistoryUnavailable when the reversal's own row cannot be written.

    A gone child is a 409, not the 404 of `lock_child`, whether it was deleted long ago or while
    this ran: the URL names the event, which still exists (history outlives the child); what
    refuses the reversal is the state of another object.
    """
    original = events_of_household(user=user).filter(pk=event_id).first()
    if original is None:
        raise Http404(NOT_FOUND)
    if original.action not in REVERSIBLE_ACTIONS:
        raise InvalidAction(NOT_REVERSIBLE.format(action=original.action))
    with transaction.atomic():
        try:
            child = lock_child(original.child_id)
        except NotFound:
            raise StateConflict(CHILD_GONE.format(event_id=original.pk)) from None
        # Under the child's lock, every action on this child waits for us: this check cannot race.
        reversal_id = (
            TrackingEvent.objects.filter(reverses=original.pk).values_list("pk", flat=True).first()
        )
        if reversal_id is not None:
            raise StateConflict(
                ALREADY_REVERSED.format(event_id=original.pk, reversal_id=reversal_id)
            )
        request_id = original.metadata.get("request_id")
        if (
            original.entity_type == EntityType.REWARD
            and original.action == Action.REDEEMED
            and request_id is not None
        ):
            mark_redemption_reversed(request_id=request_id)
        claim_id = original.metadata.get("claim_id")
        if (
            original.entity_type == EntityType.TASK
            and original.action == Action.ACTIVATED
            and claim_id is not None
        ):
            mark_claim_reversed(claim_id=claim_id)
        return reverse_change(
            child=child,
            delta=original.delta,
            entity_type=original.entity_type,
            entity_id=original.entity_id,
            entity_name=original.metadata.get("entity_name", ""),
            reverses=original.pk,
            reason=reason,
            by=user,
        )
