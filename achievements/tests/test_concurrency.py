"""Awards under concurrency, in real threads with their own PostgreSQL connections: however
actions and awards interleave, a badge is awarded once for a period, with one event."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from achievements.awarding import award
from achievements.catalog import BUILT_IN
from achievements.models import BadgeAward
from children.models import Child
from children.services import activate_task
from tracking.models import TrackingEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHORES_10 = next(badge for badge in BUILT_IN if badge.key == "chores_10")


def test_ten_simultaneous_awards_of_one_badge_make_one_award_and_one_event(concurrently, child):
    """Without the child's lock (which every action takes first), the database alone decides."""

    def give(_: int):
        with transaction.atomic():
            return award(child=Child.objects.get(pk=child.pk), badge=CHORES_10, start=None)

    outcomes = concurrently(10, give)

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    made = [event for _, event in outcomes if event is not None]
    assert len(made) == 1
    events = TrackingEvent.objects.filter(child_id=child.pk, entity_type="badge")
    assert list(events.values_list("pk", flat=True)) == [made[0].pk]
    assert BadgeAward.objects.get(child=child).award_event_id == made[0].pk


def test_the_tenth_chore_awarded_by_racing_activations_awards_its_badge_once(
    concurrently, child, chore
):
    outcomes = concurrently(
        12, lambda _: activate_task(child=Child.objects.get(pk=child.pk), task=chore)
    )

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    awarded = TrackingEvent.objects.filter(child_id=child.pk, action="awarded")
    assert [event.metadata["badge_key"] for event in awarded] == ["chores_10"]
    call_command("verify_tracking", "--no-progress", stdout=StringIO())
    out = StringIO()
    call_command("rebuild_projections", "--no-progress", stdout=out, stderr=StringIO())
    assert "DIFFERENCE" not in out.getvalue()
