"""`kernel.pipeline` keeps its psycopg cursors on the connection and uses them again: a round trip
must never answer with what a cursor held from an earlier one, and a new connection gets cursors
of its own."""

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from django_eventstream.models import EventCounter

from kernel.one_trip import in_savepoint
from kernel.pipeline import send_each_in_savepoint

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TABLE = EventCounter._meta.db_table


def insert_counter(name: object) -> tuple[str, list]:
    return (
        f"INSERT INTO {TABLE} (name, value, updated) VALUES (%s, 0, CURRENT_TIMESTAMP) "
        "RETURNING name",
        [name],
    )


class NotAdaptable:
    """A parameter psycopg refuses on the client."""


def test_the_cursors_serve_round_trip_after_round_trip():
    with transaction.atomic():
        first = in_savepoint([insert_counter("Ames"), insert_counter("Bree")])
        kept = list(connection.pipeline_cursors)
        second = in_savepoint([insert_counter("Cole"), insert_counter("Dunn")])
    assert (first, second) == ([[("Ames",)], [("Bree",)]], [[("Cole",)], [("Dunn",)]])
    assert connection.pipeline_cursors == kept  # the same cursors, none made anew
    assert all(not cursor.closed for cursor in kept)


@pytest.mark.parametrize(
    "failing",
    [insert_counter("Ames"), insert_counter(NotAdaptable())],
    ids=["fails on the server", "refused by psycopg"],
)
def test_a_statement_that_did_not_run_is_not_answered_with_an_earlier_trips_rows(failing):
    """The second trip's first statement fails, so its second never runs: its cursor still held
    rows from the first trip, and they must not come back as its answer."""
    with transaction.atomic():
        answered, error = send_each_in_savepoint(
            connection, [insert_counter("Ames"), insert_counter("Bree")], savepoint='"test"'
        )
        assert (answered, error) == ([[("Ames",)], [("Bree",)]], None)
        answered, error = send_each_in_savepoint(
            connection, [failing, insert_counter("Cole")], savepoint='"test"'
        )
        assert answered == [] and isinstance(error, DatabaseError)
        if connection.connection.info.transaction_status.name == "INERROR":
            with connection.cursor() as cursor:
                cursor.execute('ROLLBACK TO SAVEPOINT "test"')
        names = set(EventCounter.objects.values_list("name", flat=True))
    assert names == {"Ames", "Bree"}


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_gets_cursors_of_its_own():
    with transaction.atomic():
        in_savepoint([insert_counter("Before")])
    old = connection.connection
    connection.close()
    assert connection.pipeline_cursors == []  # closed with their connection
    with transaction.atomic():
        [[(name,)]] = in_savepoint([insert_counter("After")])
    assert name == "After"
    assert connection.connection is not old
    assert all(cursor.connection is connection.connection for cursor in connection.pipeline_cursors)


def test_a_connection_that_keeps_no_cursors_gets_new_ones_closed_after(monkeypatch):
    """Another backend's connection has no `pipeline_cursors`: each round trip makes its own."""
    made = []
    real_cursor = psycopg.Cursor

    def recording(*args, **kwargs):
        made.append(real_cursor(*args, **kwargs))
        return made[-1]

    monkeypatch.delattr(connection, "pipeline_cursors")
    monkeypatch.setattr("kernel.pipeline.psycopg.Cursor", recording)
    with transaction.atomic():
        first = in_savepoint([insert_counter("Ames")])
        second = in_savepoint([insert_counter("Bree")])
    assert (first, second) == ([[("Ames",)]], [[("Bree",)]])
    assert len(made) == 4 and all(cursor.closed for cursor in made)
