"""The ledger's row goes with the reads its announcement needs (issue 16, target 1): on
PostgreSQL what the child's pending requests hold and whether a paired device reads its channel
are asked in the row's round trip; a read that fails never costs the row."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from children.selectors import available_points
from children.services import activate_task
from rewards.services import request_reward
from testsupport.factories import RewardFactory
from tracking.ledger.insert import insert_row
from tracking.models import TrackingEvent
from tracking.tests.factories import TrackingEventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_the_row_and_the_reads_of_its_messages_are_one_round_trip(child, chore):
    activate_task(child=child, task=chore)  # the household's channel gets its counter
    with CaptureQueriesContext(connection) as queries:
        activate_task(child=child, task=chore)
    tracking = [q["sql"] for q in queries if 'INSERT INTO "tracking_trackingevent"' in q["sql"]]
    held = [query["sql"] for query in queries if "rewards_rewardrequest" in query["sql"]]
    devices = [query["sql"] for query in queries if "devices_device" in query["sql"]]
    assert len(tracking) == 1
    assert tracking == held == devices


def test_what_a_request_holds_is_read_after_the_request_was_made(child, chore, parent):
    """The held points read with the row are the action's own: a request holds its cost at once,
    in the request's message and in what the action returns."""
    reward = RewardFactory(owner=parent, cost=3)
    child.rewards.add(reward)
    activate_task(child=child, task=chore)
    points = type(child).objects.get(pk=child.pk).points

    result = request_reward(child=child, reward=reward)

    assert available_points(result.child) == points - 3


def test_a_read_that_fails_leaves_the_row_written_alone(child):
    row = TrackingEventFactory.build(child_id=child.pk, user_id=None)
    answered = []
    with transaction.atomic():
        insert_row(row, reads=[(("SELECT * FROM no_such_table", []), answered.append)])
    assert TrackingEvent.objects.filter(pk=row.pk).exists()
    assert answered == []
