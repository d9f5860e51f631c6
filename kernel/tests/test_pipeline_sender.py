"""`kernel.pipeline` sends its round trip through psycopg's libpq binding: each statement prepared
once per psycopg connection (its name kept for that connection, whichever Django connection
sends it), a transaction begun when none is, and a statement that did not run never answered."""

import pytest
from django.db import DatabaseError, connection, transaction
from django_eventstream.models import EventCounter

from kernel.one_trip import in_savepoint
from kernel.pipeline import prepared_on, send_each_in_savepoint
from kernel.tests.prepared import prepared_count

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TABLE = EventCounter._meta.db_table
INSERT = f"INSERT INTO {TABLE} (name, value, updated) VALUES (%s, 0, CURRENT_TIMESTAMP)"
PREPARED = INSERT.replace("%s", "$1")  # as PostgreSQL holds it


def insert_counter(name: object, tag: str = "") -> tuple[str, list]:
    """`tag` makes the statement's text the test's own: the connection, with what it prepared,
    outlives a test."""
    return (f"{INSERT} RETURNING name /* {tag} */", [name])


def prepared(tag: str) -> int:
    return prepared_count(f"{PREPARED} RETURNING name /* {tag} */")


class NotAdaptable:
    """A parameter psycopg refuses on the client."""


def names() -> set[str]:
    return set(EventCounter.objects.values_list("name", flat=True))


def test_a_statement_is_prepared_once_and_answers_every_round_trip():
    with transaction.atomic():
        before = len(prepared_on(connection.connection).names)
        first = in_savepoint([insert_counter("Ames", "once"), insert_counter("Bree", "once")])
        second = in_savepoint([insert_counter("Cole", "once")])
        assert prepared("once") == 1
    assert (first, second) == ([[("Ames",)], [("Bree",)]], [[("Cole",)]])
    assert len(prepared_on(connection.connection).names) == before + 1


@pytest.mark.parametrize(
    "failing",
    [insert_counter("Ames"), insert_counter(NotAdaptable())],
    ids=["fails on the server", "refused by psycopg"],
)
def test_the_statements_after_a_failed_one_do_not_run_and_are_not_answered(failing):
    with transaction.atomic():
        send_each_in_savepoint(connection, [insert_counter("Ames")], savepoint='"test"')
        answered, error = send_each_in_savepoint(
            connection,
            [insert_counter("Bree"), failing, insert_counter("Cole")],
            savepoint='"test"',
        )
        assert answered == [[("Bree",)]] and isinstance(error, DatabaseError)
        if connection.connection.info.transaction_status.name == "INERROR":
            with connection.cursor() as cursor:
                cursor.execute('ROLLBACK TO SAVEPOINT "test"')
        assert names() == {"Ames", "Bree"}


def test_a_statement_whose_prepare_failed_is_prepared_again_next_time():
    """Its name is not kept: sent again, it fails for its own reason again, not for a name the
    server never prepared."""
    broken = (f"INSERT INTO {TABLE} (no_such_column) VALUES (%s)", [1])
    with transaction.atomic():
        for _ in range(2):
            answered, error = send_each_in_savepoint(connection, [broken], savepoint='"test"')
            assert answered == [] and 'column "no_such_column"' in str(error)
            with connection.cursor() as cursor:
                cursor.execute('ROLLBACK TO SAVEPOINT "test"')
        kept = prepared_on(connection.connection).names
        assert not any(b"no_such_column" in query for query, _ in kept)
        assert in_savepoint([insert_counter("Ames")]) == [[("Ames",)]]


@pytest.mark.django_db(transaction=True)
def test_a_round_trip_that_opens_the_transaction_begins_it():
    """Nothing sent yet in the atomic block: the round trip begins the transaction, which then
    rolls back with the block."""
    with transaction.atomic():
        assert connection.connection.info.transaction_status.name == "IDLE"
        in_savepoint([insert_counter("Ames")])
        assert connection.connection.info.transaction_status.name == "INTRANS"
        transaction.set_rollback(True)
    assert names() == set()


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_its_statements_anew():
    with transaction.atomic():
        in_savepoint([insert_counter("Before")])
    old = connection.connection
    connection.close()
    with transaction.atomic():
        assert connection.connection is not old
        assert prepared_on(connection.connection).names == {}
        assert in_savepoint([insert_counter("After", "anew")]) == [[("After",)]]
        assert prepared("anew") == 1


def test_another_django_connection_handed_the_same_psycopg_connection_prepares_no_name_twice():
    """As the pool does: a request's Django connection gets a psycopg connection another one
    prepared statements on."""
    with transaction.atomic():
        in_savepoint([insert_counter("Ames", "first")])
        other = connection.copy()
        other.connection = connection.connection
        try:
            answered, error = send_each_in_savepoint(
                other, [insert_counter("Bree", "second")], savepoint='"test"'
            )
        finally:
            other.connection = None
        assert (answered, error) == ([[("Bree",)]], None)
        assert (prepared("first"), prepared("second")) == (1, 1)


def test_with_prepared_statements_off_nothing_is_prepared(monkeypatch):
    """`DATABASE_PREPARE_THRESHOLD=off` (psycopg's threshold None): sent unprepared."""
    with transaction.atomic():
        monkeypatch.setattr(connection.connection, "prepare_threshold", None)
        assert in_savepoint([insert_counter("Ames", "off")]) == [[("Ames",)]]
        assert prepared("off") == 0
