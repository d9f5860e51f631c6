"""An action's stream messages are written together (issue 16, target 1): on PostgreSQL one
statement for all of them, one counter bump per channel; and a failure to store them never fails the action
(on either database, in the function's exception block or in the savepoint)."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_eventstream.models import Event as StoredEvent

from children.models import Child
from children.services import activate_task
from tracking.live.channels import TRACKING_EVENT_CREATED, channel_for
from tracking.models import TrackingEvent
from tracking.tests.refused_inserts import refuse_inserts_sql

pytestmark = pytest.mark.django_db

REFUSE_STREAM_INSERT_SQL = refuse_inserts_sql(
    "django_eventstream_event", "stream insert refused by test"
)


def household_messages(child) -> list[tuple[int, str]]:
    return list(
        StoredEvent.objects.filter(channel=channel_for(child.household_id))
        .order_by("eid")
        .values_list("eid", "type")
    )


@pytest.mark.postgres
def test_an_actions_messages_are_stored_in_one_statement_with_consecutive_ids(child, chore):
    """Both messages (`tracking_event_created`, `task_activated`) in one statement, and one check of
    whether a paired device reads the child's channel for both."""
    activate_task(child=child, task=chore)  # the channel's first message creates its counter
    before = household_messages(child)
    with CaptureQueriesContext(connection) as queries:
        activate_task(child=child, task=chore)
    stored = [query["sql"] for query in queries if "django_eventstream" in query["sql"]]
    device_checks = [query["sql"] for query in queries if "devices_device" in query["sql"]]
    assert (len(stored), len(device_checks)) == (1, 1)
    assert "UPDATE" in stored[0] and "INSERT" in stored[0]
    last = before[-1][0]
    assert household_messages(child)[len(before) :] == [
        (last + 1, TRACKING_EVENT_CREATED),
        (last + 2, "task_activated"),
    ]


@pytest.mark.parametrize("counters", ["new channel", "existing channel"])
def test_a_refused_stream_insert_keeps_the_action_and_logs_its_messages(
    child, chore, caplog, counters
):
    if counters == "existing channel":
        activate_task(child=child, task=chore)
    before = household_messages(child)
    with connection.cursor() as cursor:
        for sql in REFUSE_STREAM_INSERT_SQL[connection.vendor]:
            cursor.execute(sql)
    caplog.set_level(logging.ERROR, logger="tracking.live.store")
    points = Child.objects.get(pk=child.pk).points

    result = activate_task(child=child, task=chore)

    assert result.extras["tracking_event"] is not None
    assert TrackingEvent.objects.filter(pk=result.extras["tracking_event"]["id"]).exists()
    assert Child.objects.get(pk=child.pk).points == points + chore.points
    assert household_messages(child) == before
    [record] = [r for r in caplog.records if "live events not stored" in r.getMessage()]
    assert "stream insert refused by test" in record.getMessage() + str(record.exc_info)
    assert "task_activated" in record.getMessage()
