"""The staff's household filter (`events_of_household_id`): the same events as the OR it replaced,
on a mix of live children, deleted children, members who moved and users who left; and on
PostgreSQL a plan that reads indexes, not the whole events table."""

import random

import pytest
from django.db.models import Q

from children.models import Child
from demo.bulk_history import seed_events
from households.models import Household, Membership
from testsupport.factories import ChildFactory, MembershipFactory, UserFactory, owner_of
from tracking.models import TrackingEvent
from tracking.selectors import all_events, events_of_household_id
from tracking.staff.admin import TrackingEventAdmin
from tracking.tests.factories import TrackingEventFactory

pytestmark = pytest.mark.django_db

SEQ_SCAN = "Seq Scan on tracking_trackingevent"


def the_or_it_replaced(household_id: int):
    """The expression before the rewrite, kept here as the definition of the result."""
    return TrackingEvent.objects.filter(
        Q(child_id__in=Child.objects.filter(household_id=household_id).values("pk"))
        | (
            Q(user__membership__household_id=household_id)
            & ~Q(child_id__in=Child.objects.values("pk"))
        )
    )


def ids(events) -> set[int]:
    return set(events.values_list("pk", flat=True))


def test_the_household_filter_gives_exactly_the_events_of_the_or_it_replaced():
    ada, ben = ChildFactory(name="Ada"), ChildFactory(name="Ben")
    home, away = ada.household, ben.household
    guardian = MembershipFactory(household=home).user
    mover = MembershipFactory(household=away).user
    leaver = MembershipFactory(household=home).user
    gone = ChildFactory(owner=owner_of(ada), name="Cleo")
    gone_away = ChildFactory(owner=owner_of(ben), name="Dan")
    for child, user in [
        (ada, owner_of(ada)),
        (ada, guardian),
        (ben, owner_of(ben)),
        (ben, mover),  # recorded in `away`, then moved to `home`
        (gone, guardian),
        (gone, leaver),  # a member who then left every household
        (gone_away, mover),  # of a deleted child of `away`, by who is now in `home`
        (gone_away, owner_of(ben)),
        (gone, None),  # its recorder's account deleted
        (987654, UserFactory(household=False)),  # a child that never existed here, no household
    ]:
        TrackingEventFactory(child_id=child if isinstance(child, int) else child.pk, user=user)
    Membership.objects.filter(user=mover).update(household=home)
    Membership.objects.filter(user=leaver).delete()
    Child.objects.filter(pk__in=[gone.pk, gone_away.pk]).delete()

    for household in Household.objects.all():
        assert ids(events_of_household_id(household.pk)) == ids(the_or_it_replaced(household.pk))
    assert ids(events_of_household_id(home.pk))  # the data set is not empty on either side
    assert ids(events_of_household_id(away.pk))


def plan(queryset) -> str:
    return queryset.explain()


@pytest.mark.postgres
def test_the_household_filter_reads_indexes_not_the_whole_events_table():
    """On enough rows that PostgreSQL would read the whole table for the OR (the guard below says
    it does), neither the filter nor the admin's page of it does."""
    # No ANALYZE: its statistics would outlive the test's rollback, and the admin's unfiltered
    # count reads them (`fast_count`).
    seed_events(events=20_000, children=60, progress=False, rng=random.Random(7))
    household_id = Child.objects.order_by("pk").values_list("household_id", flat=True).first()
    page = (all_events() & events_of_household_id(household_id)).order_by(
        *TrackingEventAdmin.ordering
    )[: TrackingEventAdmin.list_per_page]

    assert SEQ_SCAN in plan(the_or_it_replaced(household_id))  # the rows are enough to tell
    assert SEQ_SCAN not in plan(events_of_household_id(household_id))
    assert SEQ_SCAN not in plan(page)
