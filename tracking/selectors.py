"""Reads of tracking events, shared by the parent API, the staff API and the admin."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, QuerySet, Subquery

from tracking.models import TrackingEvent

CHAIN_ORDER = ("occurred_at", "created_at", "id")


def with_reversed_by(events: QuerySet[TrackingEvent]) -> QuerySet[TrackingEvent]:
    """Annotate `reversed_by`: the id of the event that undid each one, or None. Derived by query
    (one index lookup per row, on the unique `reverses` column): the original row never changes."""
    reversal = TrackingEvent.objects.filter(reverses=OuterRef("pk")).order_by().values("pk")[:1]
    return events.annotate(reversed_by=Subquery(reversal))


def events_for_child(*, user: AbstractBaseUser, child_id: int) -> QuerySet[TrackingEvent]:
    """One of a parent's children's events, oldest first (the order in which the chain reads)."""
    events = TrackingEvent.objects.filter(user=user, child_id=child_id).order_by(*CHAIN_ORDER)
    return with_reversed_by(events)


def events_of_user(*, user: AbstractBaseUser) -> QuerySet[TrackingEvent]:
    """Every event of a parent's children (those deleted since included)."""
    return TrackingEvent.objects.filter(user=user)


def all_events() -> QuerySet[TrackingEvent]:
    """Every user's events, oldest first: for staff only."""
    return with_reversed_by(TrackingEvent.objects.order_by(*CHAIN_ORDER))


def child_history_newest_first(*, child_id: int) -> QuerySet[TrackingEvent]:
    """A child's events, newest first, for the admin (reads the child index backwards); the child
    may have been deleted since."""
    return TrackingEvent.objects.filter(child_id=child_id).order_by(
        *(f"-{field}" for field in CHAIN_ORDER)
    )
