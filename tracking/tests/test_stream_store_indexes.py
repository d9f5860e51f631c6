"""The stream store's tables keep the indexes their reads use and no others (migration 0006), and
the migration gives the library's indexes back when it is reversed."""

import pytest
from django.core.management import call_command
from django.db import connection
from django_eventstream.models import Event as StoredEvent
from django_eventstream.models import EventCounter

from tracking.live.store import RetainedEventStorage, store_event


def indexed_columns(model) -> set[tuple[tuple[str, ...], bool]]:
    """Each index of the model's table: its columns, and whether it is unique."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        (tuple(details["columns"]), bool(details["unique"] or details["primary_key"]))
        for details in constraints.values()
        if details["index"] or details["unique"] or details["primary_key"]
    }


KEPT = {
    StoredEvent: {(("id",), True), (("channel", "eid"), True), (("created",), False)},
    EventCounter: {(("id",), True), (("name",), True)},
}


@pytest.mark.django_db
@pytest.mark.parametrize("model", [StoredEvent, EventCounter], ids=["event", "counter"])
def test_the_stream_store_keeps_only_the_indexes_its_reads_use(model):
    assert indexed_columns(model) == KEPT[model]


@pytest.mark.django_db
def test_replay_and_the_current_id_still_read_through_the_kept_indexes():
    storage = RetainedEventStorage()
    first = store_event("household-1", "tracking_event_created", '{"n": 1}')
    store_event("household-1", "tracking_event_created", '{"n": 2}')
    store_event("household-2", "tracking_event_created", '{"n": 3}')

    assert [event.data for event in storage.get_events("household-1", first.id)] == ['{"n": 2}']
    assert storage.get_current_id("household-1") == first.id + 1


@pytest.fixture
def before_lean_indexes(transactional_db):
    call_command("migrate", "tracking", "0005", verbosity=0)
    yield
    call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_reversing_the_migration_gives_the_library_its_indexes_back(before_lean_indexes):
    single = {
        StoredEvent: {("channel",), ("eid",), ("type",)},
        EventCounter: {("updated",)},
    }
    for model, columns in single.items():
        assert {columns for columns, _ in indexed_columns(model)} >= columns

    call_command("migrate", "tracking", verbosity=0)

    for model in single:
        assert indexed_columns(model) == KEPT[model]
