"""`kernel.one_trip.in_savepoint`: statements in a savepoint of their own, one round trip on
PostgreSQL, and a failure that rolls back only the savepoint, on either database."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_eventstream.models import EventCounter

from kernel.one_trip import in_savepoint

pytestmark = pytest.mark.django_db

TABLE = EventCounter._meta.db_table  # a table with few columns


def insert_counter(name: str) -> tuple[str, list]:
    return (
        f"INSERT INTO {TABLE} (name, value, updated) VALUES (%s, 0, CURRENT_TIMESTAMP) RETURNING id",
        [name],
    )


def test_each_statement_gives_its_rows_in_order():
    with transaction.atomic():
        written, read, nothing = in_savepoint(
            [
                insert_counter("Ames"),
                (f"SELECT name FROM {TABLE} WHERE name = %s", ["Ames"]),
                (f"UPDATE {TABLE} SET value = value WHERE name = %s", ["nobody"]),
            ]
        )
    assert EventCounter.objects.get(pk=written[0][0]).name == "Ames"
    assert (read, nothing) == ([("Ames",)], [])


def test_a_failure_undoes_only_its_savepoint_and_the_transaction_goes_on():
    with transaction.atomic():
        before = EventCounter.objects.create(name="Before")
        with pytest.raises(DatabaseError):
            in_savepoint([insert_counter("Undone"), insert_counter("Before")])  # a duplicate name
        after = EventCounter.objects.create(name="After")
        assert not connection.needs_rollback
    names = set(EventCounter.objects.values_list("name", flat=True))
    assert {before.name, after.name} <= names
    assert "Undone" not in names


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_takes_a_transaction_of_its_own():
    """In autocommit (no test transaction around it), a savepoint needs a transaction: the
    statements get one, all or nothing."""
    assert not connection.in_atomic_block
    [[(pk,)]] = in_savepoint([insert_counter("Alone")])
    assert EventCounter.objects.filter(pk=pk).exists()
    with pytest.raises(DatabaseError):
        in_savepoint([insert_counter("Half"), insert_counter("Alone")])
    assert not EventCounter.objects.filter(name="Half").exists()


@pytest.mark.postgres
def test_on_postgresql_the_savepoint_and_its_statements_are_one_round_trip():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        in_savepoint([insert_counter("One trip"), ("SELECT 1", [])])
    [sent] = [query["sql"] for query in queries]
    assert sent.startswith("SAVEPOINT") and "INSERT" in sent and "RELEASE SAVEPOINT" in sent
