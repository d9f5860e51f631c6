"""The ledger's row goes with the reads its announcement needs (issue 16, target 1): on
PostgreSQL what the child's pending requests hold and whether a paired device reads its channel
are asked in the row's round trip, with what the listeners of `reading_with_row` ask to read; a
read that fails never costs the row."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from children.selectors import available_points
from children.services import activate_task
from rewards.services import request_reward
from testsupport.factories import RewardFactory
from tracking.ledger.insert import insert_row
from tracking.models import TrackingEvent
from tracking.signals import event_recorded, reading_with_row
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


NEWEST_ROW = ('SELECT id FROM "tracking_trackingevent" ORDER BY id DESC LIMIT 1', [])


@pytest.fixture
def listening():
    """`listening(asks)`: connect `asks` to `reading_with_row` for the test; returns what each
    row's `event_recorded` receivers found kept on it."""
    found: list[dict] = []

    def note(sender, *, row, **_):
        found.append({k: v for k, v in row.read_with_row.items() if k.startswith("test.")})

    def connect(asks):
        reading_with_row.connect(asks, dispatch_uid="test.asks", weak=False)
        event_recorded.connect(note, dispatch_uid="test.note")
        return found

    yield connect
    reading_with_row.disconnect(dispatch_uid="test.asks")
    event_recorded.disconnect(dispatch_uid="test.note")


def test_a_listeners_read_sees_the_row_and_its_rows_are_kept_on_the_row(listening, child, chore):
    found = listening(lambda sender, **_: {"test.newest": NEWEST_ROW})

    with CaptureQueriesContext(connection) as queries:
        result = activate_task(child=child, task=chore)

    assert found == [{"test.newest": [(result.extras["tracking_event"]["id"],)]}]
    if connection.vendor == "postgresql":
        trips = [q["sql"] for q in queries if "ORDER BY id DESC LIMIT 1" in q["sql"]]
        assert len(trips) == 1
        assert 'INSERT INTO "tracking_trackingevent"' in trips[0]  # in the row's round trip


def test_the_listener_is_told_the_action_and_the_child(listening, child, chore):
    told = []

    def asks(sender, *, event, child, **_):
        told.append((event.child_id, event.action, child.pk))

    listening(asks)
    activate_task(child=child, task=chore)

    assert told == [(child.pk, "activated", child.pk)]


def test_a_listener_that_fails_asks_for_nothing_and_the_row_is_written(
    listening, child, chore, caplog
):
    def broken(sender, **_):
        raise RuntimeError("this listener is broken")

    found = listening(broken)
    result = activate_task(child=child, task=chore)

    assert TrackingEvent.objects.filter(pk=result.extras["tracking_event"]["id"]).exists()
    assert found == [{}]
    assert "this listener is broken" in caplog.text  # logged by `send_robust`


def test_when_a_listeners_read_fails_none_is_kept_and_the_row_is_written(listening, child, chore):
    found = listening(
        lambda sender, **_: {
            "test.newest": NEWEST_ROW,
            "test.broken": ("SELECT * FROM nowhere", []),
        }
    )

    result = activate_task(child=child, task=chore)

    assert TrackingEvent.objects.filter(pk=result.extras["tracking_event"]["id"]).exists()
    assert found == [{}]
