"""The credential watcher, driven directly in an event loop: the database connection it uses in
its own thread is closed when it stops, and after a database error, without the watcher failing."""

import asyncio
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from testsupport.factories import UserFactory, household_of
from tracking.live import open_streams as module
from tracking.live.open_streams import OpenStream, OpenStreams, ended_streams

pytestmark = pytest.mark.django_db(transaction=True)

WITHIN = 5.0  # seconds


@pytest.fixture(autouse=True)
def often(settings):
    settings.EVENTSTREAM_CREDENTIAL_CHECK_SECONDS = 0.05


def stream_of(user) -> OpenStream:
    return OpenStream(
        user_id=user.pk,
        household_id=household_of(user).pk,
        auth_hash=user.get_session_auth_hash(),
        token=None,
        session_key=None,
        deadline=time.monotonic() + 60,
    )


async def watch(stream: OpenStream, checked: list, *, checks: int = 1) -> asyncio.Task:
    """Run the watcher over `stream` until `checked` holds `checks` entries (or the watcher
    failed), then close the stream and wait for the watcher to stop."""
    streams = OpenStreams()
    streams.open(stream, limit=1)
    streams.ensure_watcher()
    watcher = streams._watcher
    deadline = time.monotonic() + WITHIN
    while len(checked) < checks and not watcher.done():
        assert time.monotonic() < deadline, "the watcher never checked the stream"
        await asyncio.sleep(0.01)
    streams.close(stream)
    await asyncio.wait({watcher}, timeout=WITHIN)
    assert watcher.done(), "the watcher did not stop once no stream was open"
    return watcher


def test_the_watcher_closes_the_connection_of_its_thread_when_it_stops(monkeypatch):
    stream = stream_of(UserFactory())
    used = []  # the connection of the watcher's thread (a thread has its own)

    def checking(streams):
        used.append(connections[DEFAULT_DB_ALIAS])
        return ended_streams(streams)

    monkeypatch.setattr(module, "ended_streams", checking)

    watcher = asyncio.run(watch(stream, used))

    assert watcher.exception() is None
    assert used[0] is not connections[DEFAULT_DB_ALIAS]
    assert used[0].connection is None


def test_after_a_database_error_the_watcher_checks_again_on_a_new_connection(monkeypatch):
    stream = stream_of(UserFactory())
    closed_before = []  # at each check: was the connection of the watcher's thread closed?

    def failing_once(streams):
        closed_before.append(connections[DEFAULT_DB_ALIAS].connection is None)
        ended = ended_streams(streams)
        if len(closed_before) == 1:
            raise DatabaseError("the connection was lost")
        return ended

    monkeypatch.setattr(module, "ended_streams", failing_once)

    watcher = asyncio.run(watch(stream, closed_before, checks=2))

    assert watcher.exception() is None
    assert closed_before[:2] == [True, True]
