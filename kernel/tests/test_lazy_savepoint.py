"""`kernel.lazy_savepoint`: what `transaction.atomic()` does for a block inside a transaction (an
error undoes the block alone, and its commit hooks), on either database; on PostgreSQL without
round trips of its own but the RELEASE, and none at all for a block that sends no statement."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_eventstream.models import EventCounter

from kernel.lazy_savepoint import lazy_savepoint

pytestmark = pytest.mark.django_db

RELEASE = 'RELEASE SAVEPOINT "lazy_savepoint"'


def names() -> set[str]:
    return set(EventCounter.objects.values_list("name", flat=True))


def test_what_the_block_writes_and_reads_is_as_without_it():
    with transaction.atomic():
        EventCounter.objects.create(name="Before")
        with lazy_savepoint():
            read = list(EventCounter.objects.values_list("name", flat=True))
            counter = EventCounter.objects.create(name="Inside")
            counter.value = 7
            counter.save(update_fields=["value"])  # the UPDATE's row count is read
            updated = EventCounter.objects.filter(name="Inside").update(value=8)
    assert read == ["Before"]
    assert updated == 1
    assert EventCounter.objects.get(name="Inside").value == 8


def test_an_error_undoes_the_block_alone_and_the_transaction_goes_on():
    with transaction.atomic():
        EventCounter.objects.create(name="Before")
        with pytest.raises(IntegrityError), lazy_savepoint():
            EventCounter.objects.create(name="Undone")
            EventCounter.objects.create(name="Before")  # a duplicate name
        assert not connection.needs_rollback
        EventCounter.objects.create(name="After")
    assert names() == {"Before", "After"}


@pytest.mark.django_db(transaction=True)
def test_commit_hooks_of_an_undone_block_do_not_run():
    ran = []
    with transaction.atomic():
        transaction.on_commit(lambda: ran.append("before"))
        with pytest.raises(ValueError), lazy_savepoint():
            EventCounter.objects.create(name="Undone")
            transaction.on_commit(lambda: ran.append("undone"))
            raise ValueError("not a database error: the block is undone all the same")
        with lazy_savepoint():
            transaction.on_commit(lambda: ran.append("kept"))
    assert ran == ["before", "kept"]
    assert "Undone" not in names()


def test_an_inner_atomic_that_fails_leaves_the_block_going():
    with transaction.atomic(), lazy_savepoint():
        EventCounter.objects.create(name="Kept")
        with pytest.raises(IntegrityError), transaction.atomic():
            EventCounter.objects.create(name="Kept")
        EventCounter.objects.create(name="Also kept")
    assert names() == {"Kept", "Also kept"}


def test_nested_blocks_each_undo_their_own():
    with transaction.atomic(), lazy_savepoint():
        EventCounter.objects.create(name="Outer")
        with pytest.raises(IntegrityError), lazy_savepoint():
            EventCounter.objects.create(name="Inner")
            EventCounter.objects.create(name="Outer")
        EventCounter.objects.create(name="Outer again")
    assert names() == {"Outer", "Outer again"}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_is_a_transaction():
    assert not connection.in_atomic_block
    with pytest.raises(IntegrityError), lazy_savepoint():
        EventCounter.objects.create(name="Half")
        EventCounter.objects.create(name="Half")
    assert "Half" not in names()


@pytest.mark.postgres
def test_on_postgresql_the_savepoint_rides_on_the_first_statement_and_the_release_on_the_next():
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            with lazy_savepoint():
                EventCounter.objects.create(name="One")
            EventCounter.objects.create(name="Two")
        sent = [query["sql"] for query in captured.captured_queries]
    assert len(sent) == 2
    assert sent[0].startswith('SAVEPOINT "lazy_savepoint"; INSERT')  # what was sent, in one
    assert sent[1].startswith(f"{RELEASE}; INSERT")
    assert names() == {"One", "Two"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_last_release_goes_with_the_commit():
    with CaptureQueriesContext(connection) as captured:
        with transaction.atomic(), lazy_savepoint():
            EventCounter.objects.create(name="One")
        sent = [query["sql"] for query in captured.captured_queries]
    assert sent[-1] == f"{RELEASE}; COMMIT"
    assert names() == {"One"}


@pytest.mark.postgres
def test_the_release_goes_before_the_next_blocks_savepoint():
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            with lazy_savepoint():
                EventCounter.objects.create(name="One")
            with pytest.raises(IntegrityError), lazy_savepoint():
                EventCounter.objects.create(name="Two")
                EventCounter.objects.create(name="One")  # a duplicate: the second block is undone
            with lazy_savepoint():
                rows = list(EventCounter.objects.values_list("name", flat=True).iterator(2))
        sent = [query["sql"] for query in captured.captured_queries]
    assert sent[1].startswith(f'{RELEASE}; SAVEPOINT "lazy_savepoint"; INSERT')
    assert rows == ["One"]  # the first block's row, kept; a server-side cursor's first read


@pytest.mark.postgres
def test_on_postgresql_a_block_that_sends_nothing_costs_nothing():
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured, lazy_savepoint():
            pass
        assert captured.captured_queries == []


@pytest.mark.postgres
def test_a_server_side_cursor_first_still_reads_its_rows():
    for name in ("A", "B", "C"):
        EventCounter.objects.create(name=name)
    with transaction.atomic(), lazy_savepoint():
        read = list(
            EventCounter.objects.order_by("name").values_list("name", flat=True).iterator(2)
        )
    assert read == ["A", "B", "C"]


@pytest.mark.postgres
def test_a_release_waiting_goes_before_a_server_side_cursor():
    with transaction.atomic():
        with lazy_savepoint():
            EventCounter.objects.create(name="One")
        plain = list(EventCounter.objects.values_list("name", flat=True).iterator(2))
        with lazy_savepoint():
            EventCounter.objects.create(name="Two")
        with lazy_savepoint():  # its SAVEPOINT goes alone, after the RELEASE waiting
            inside = list(EventCounter.objects.values_list("name", flat=True).iterator(2))
        with pytest.raises(IntegrityError), lazy_savepoint():
            EventCounter.objects.create(name="Three")
            EventCounter.objects.create(name="One")
        many = EventCounter.objects.bulk_create([EventCounter(name="Four")])
    assert plain == ["One"]
    assert sorted(inside) == ["One", "Two"]
    assert len(many) == 1
    assert names() == {"One", "Two", "Four"}


@pytest.mark.postgres
def test_a_release_waiting_goes_before_an_executemany():
    table = EventCounter._meta.db_table
    with transaction.atomic():
        with lazy_savepoint():
            EventCounter.objects.create(name="One")
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (name, value, updated) VALUES (%s, 0, now())",
                [["Two"], ["Three"]],
            )
        with pytest.raises(IntegrityError), lazy_savepoint():
            EventCounter.objects.create(name="One")
    assert names() == {"One", "Two", "Three"}
