"""Reads of tracking events, shared by the parent API, the staff API and the admin."""

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BooleanField, F, Func, OuterRef, Q, QuerySet, Subquery

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
    """The caller's household's events: its children's, and those the caller recorded of a child
    deleted since.

    An event names its child, not its household: once the child is gone, only who recorded it
    is left. That is the caller alone, never any current member: a member who recorded events in
    another household before joining this one would otherwise bring that household's events in.

    Still an OR, unlike `events_of_household_id`: its one caller, the reversal, narrows it to one
    id, which PostgreSQL looks up in the primary key before testing the OR on that row (0.08 ms
    at 200,000 events); a UNION of ids would collect the whole household's first (26 ms for
    30,000 events). Unnarrowed, the OR reads the whole table: a household-wide list needs the
    UNION shape.
    """
    return TrackingEvent.objects.filter(
        Q(child_id__in=Child.objects.filter(household__memberships__user_id=user.pk).values("pk"))
        | (Q(user_id=user.pk) & ~Q(child_id__in=Child.objects.values("pk")))
    )


def events_of_household_id(household_id: int) -> QuerySet[TrackingEvent]:
    """The same for a household named by id (the staff's filter): its children's events, and those
    its members recorded of a child deleted since (the best the history can tell of those).

    The two halves are a UNION of ids, not an OR: PostgreSQL cannot use an index for an OR of
    two subqueries and read the whole table (2.3 s at a million events); each half alone reads
    its own index (the children's `event_child_timeline`, the members' `event_user_timeline`).
    """
    children_events = TrackingEvent.objects.filter(
        child_id__in=Child.objects.filter(household_id=household_id).values("pk")
    )
    deleted_childrens_events = TrackingEvent.objects.filter(
        Q(user__membership__household_id=household_id) & ~Q(child_id__in=Child.objects.values("pk"))
    )
    # A compound statement's parts take no ORDER BY (the model's ordering): ids only.
    ids = (
        children_events.order_by()
        .values("pk")
        .union(deleted_childrens_events.order_by().values("pk"))
    )
    if connection.vendor != "postgresql":
        return TrackingEvent.objects.filter(pk__in=ids)
    # Not `id IN (...)`: PostgreSQL cannot tell how few of a member's events name a deleted child,
    # expects thousands of ids and hashes the whole table against them. An array of the ids is
    # computed first and looked up in the primary key.
    return TrackingEvent.objects.filter(EqualsAny(F("pk"), ArraySubquery(ids)))


class EqualsAny(Func):
    """`expression = ANY(array)`, as a filter."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


def all_events() -> QuerySet[TrackingEvent]:
    """Every user's events, oldest first: for staff only."""
    return with_reversed_by(TrackingEvent.objects.order_by(*CHAIN_ORDER))


def child_history_newest_first(*, child_id: int) -> QuerySet[TrackingEvent]:
    """A child's events, newest first, for the admin (reads the child index backwards); the child
    may have been deleted since."""
    return TrackingEvent.objects.filter(child_id=child_id).order_by(
        *(f"-{field}" for field in CHAIN_ORDER)
    )
