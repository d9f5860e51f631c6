"""Reads of tracking events, shared by the parent API, the staff API and the admin."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from tracking.models import TrackingEvent

CHAIN_ORDER = ("occurred_at", "created_at", "id")


def events_for_child(*, user: AbstractBaseUser, child_id: int) -> QuerySet[TrackingEvent]:
    """One of a parent's children's events, oldest first (the order in which the chain reads)."""
    return TrackingEvent.objects.filter(user=user, child_id=child_id).order_by(*CHAIN_ORDER)


def all_events() -> QuerySet[TrackingEvent]:
    """Every user's events, oldest first: for staff only."""
    return TrackingEvent.objects.order_by(*CHAIN_ORDER)
