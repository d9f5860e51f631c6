"""Reads of tracking events, shared by the parent API, the staff API and the admin."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, Q, QuerySet, Subquery

from children.models import Child
from tracking.models import TrackingEvent

CHAIN_ORDER = ("occurred_at", "created_at", "id")


def with_reversed_by(events: QuerySet[TrackingEvent]) -> QuerySet[TrackingEvent]:
    """Annotate `reversed_by`: the id of the event that undid each one, or None. Derived by query
    (one index lookup per row, on the unique `reverses` column): the original row never changes."""
    reversal = TrackingEvent.objects.filter(reverses=OuterRef("pk")).order_by().values("pk")[:1]
    return events.annotate(reversed_by=Subquery(reversal))


def events_for_child(*, child_id: int) -> QuerySet[TrackingEvent]:
    """A child's events, oldest first (the order in which the chain reads). The caller found the
    child in its household: whoever acted (any member, now or formerly), the events are its."""
    events = TrackingEvent.objects.filter(child_id=child_id).order_by(*CHAIN_ORDER)
    return with_reversed_by(events)


def events_of_household(*, user: AbstractBaseUser) -> QuerySet[TrackingEvent]:
    """Every event of the caller's household: its children's, and those its members recorded
    (children deleted since included)."""
    return TrackingEvent.objects.filter(
        Q(child_id__in=Child.objects.filter(household__memberships__user_id=user.pk).values("pk"))
        | Q(user__membership__household__memberships__user_id=user.pk)
    )


def events_of_household_id(household_id: int) -> QuerySet[TrackingEvent]:
    """The same for a household named by id (the staff's filter): its children's events, and
    those its members recorded."""
    return TrackingEvent.objects.filter(
        Q(child_id__in=Child.objects.filter(household_id=household_id).values("pk"))
        | Q(user__membership__household_id=household_id)
    )


def all_events() -> QuerySet[TrackingEvent]:
    """Every user's events, oldest first: for staff only."""
    return with_reversed_by(TrackingEvent.objects.order_by(*CHAIN_ORDER))


def child_history_newest_first(*, child_id: int) -> QuerySet[TrackingEvent]:
    """A child's events, newest first, for the admin (reads the child index backwards); the child
    may have been deleted since."""
    return TrackingEvent.objects.filter(child_id=child_id).order_by(
        *(f"-{field}" for field in CHAIN_ORDER)
    )
