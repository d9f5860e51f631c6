"""Stored stream events: kept for replay, trimmed after the configured retention by
`trim_stream_events`, never on a request's path."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_eventstream.models import Event as StoredEvent

from testsupport.factories import UserFactory, household_of
from tracking.live.channels import UserChannelManager, channel_for
from tracking.live.store import RetainedEventStorage


@pytest.fixture
def storage():
    return RetainedEventStorage()


def stored_types() -> list[str]:
    # The library stores an empty placeholder (eid 0) per channel; it is not an event.
    return list(StoredEvent.objects.exclude(type="").order_by("eid").values_list("type", flat=True))


@pytest.mark.django_db
def test_trim_stream_events_deletes_events_older_than_the_retention(storage, settings):
    settings.EVENTSTREAM_RETENTION_MINUTES = 60
    for n in range(3):
        storage.append_event("user-1", "old", {"n": n})
    StoredEvent.objects.filter(type="old").update(
        created=timezone.now() - datetime.timedelta(minutes=61)
    )
    storage.append_event("user-1", "recent", {"n": 3})
    out = StringIO()

    call_command("trim_stream_events", stdout=out)

    assert stored_types() == ["recent"]
    assert "Deleted 3 stored stream event(s) older than 60 minutes." in out.getvalue()


@pytest.mark.django_db
def test_events_within_the_retention_are_kept_for_replay(storage, settings):
    settings.EVENTSTREAM_RETENTION_MINUTES = 60
    first = storage.append_event("user-1", "a", {"n": 1})
    storage.append_event("user-1", "b", {"n": 2})
    StoredEvent.objects.update(created=timezone.now() - datetime.timedelta(minutes=59))
    replayed = storage.get_events("user-1", first.id)
    assert [(event.type, event.data) for event in replayed] == [("b", {"n": 2})]


@pytest.mark.django_db
def test_appending_an_event_never_trims(storage, settings):
    settings.EVENTSTREAM_RETENTION_MINUTES = 1
    storage.append_event("user-1", "first", {})
    StoredEvent.objects.update(created=timezone.now() - datetime.timedelta(minutes=5))
    storage.append_event("user-1", "second", {})
    storage.trim_event_log()  # the library's hook: a no-op, trimming is the command's job
    assert stored_types() == ["first", "second"]


@pytest.mark.django_db
def test_a_user_reads_only_their_own_households_channel():
    manager = UserChannelManager()
    alice = UserFactory(username="alice")
    own, other = household_of(alice).pk, household_of(UserFactory()).pk
    assert manager.can_read_channel(alice, channel_for(own))
    assert not manager.can_read_channel(alice, channel_for(other))
    assert not manager.can_read_channel(None, channel_for(own))
