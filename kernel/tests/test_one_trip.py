"""`kernel.one_trip.in_savepoint`: statements in a savepoint of their own, one round trip on
PostgreSQL (prepared, in libpq's pipeline mode, or one query string while an execute wrapper is
installed), and a failure that rolls back only the savepoint, on either database."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_eventstream.models import EventCounter

from kernel.commit_rider import lead_next, ride_on_commit
from kernel.one_trip import in_savepoint
from kernel.tests.prepared import prepared_count

pytestmark = pytest.mark.django_db

TABLE = EventCounter._meta.db_table  # a table with few columns

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="one round trip on PostgreSQL only"
)


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


class NotAdaptable:
    """A parameter psycopg refuses on the client."""


def names() -> set[str]:
    return set(EventCounter.objects.values_list("name", flat=True))


@on_postgresql
def test_a_parameter_refused_on_the_client_undoes_what_went_before_it():
    with transaction.atomic():
        with pytest.raises(DatabaseError):
            in_savepoint([insert_counter("Sent"), insert_counter(NotAdaptable())])
        EventCounter.objects.create(name="After")
        assert names() == {"After"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_its_statements_are_prepared_once_per_connection():
    for name in ("First", "Second"):
        with transaction.atomic():
            in_savepoint([insert_counter(name)])
    assert prepared_count(f"INSERT INTO {TABLE}") == 1
    assert names() == {"First", "Second"}


@on_postgresql
def test_a_statement_waiting_for_the_commit_goes_first():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        ride_on_commit(insert_counter("Rider"), lambda rows: None)
        [read] = in_savepoint([(f"SELECT name FROM {TABLE} WHERE name = %s", ["Rider"])])
    assert read == [("Rider",)]
    rider, trip = (query["sql"] for query in queries)
    assert "Rider" in rider and trip.startswith('SAVEPOINT "one_trip"')


@on_postgresql
def test_a_waiting_lead_goes_in_front_in_the_same_round_trip():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lead_next("SELECT 'lead'")
        in_savepoint([insert_counter("Led")])
    [trip] = (query["sql"] for query in queries)
    assert trip.startswith("SELECT 'lead'; SAVEPOINT \"one_trip\"; INSERT")


@on_postgresql
def test_an_execute_wrapper_sees_its_statements_in_one_query_string():
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(wrapper):
        [[(pk,)]] = in_savepoint([insert_counter("Wrapped")])
    [sent] = seen
    assert sent.startswith("SAVEPOINT") and "INSERT" in sent and "RELEASE SAVEPOINT" in sent
    assert EventCounter.objects.get(pk=pk).name == "Wrapped"


@on_postgresql
def test_under_an_execute_wrapper_a_refused_parameter_leaves_the_transaction_usable():
    with transaction.atomic(), connection.execute_wrapper(lambda execute, *args: execute(*args)):
        with pytest.raises(DatabaseError):
            in_savepoint([insert_counter("Sent"), insert_counter(NotAdaptable())])
        EventCounter.objects.create(name="After")
        assert names() == {"After"}
