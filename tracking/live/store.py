"""Where live events are kept and how they reach listeners.

An event is stored in the action's own transaction, so a rolled-back action leaves none: all of an
action's messages together, at the end of its announcement (`one_write_per_action`), on PostgreSQL
in one statement (one counter bump per channel and one INSERT) sent with the COMMIT
(`kernel.commit_rider`), and delivered after the commit: to
this process's listeners, or through Redis to every process's. A client that reconnects with
`Last-Event-ID` reads what it missed from the store. This replaces django-eventstream's
`send_event`, which stores and publishes in a transaction of its own after the action (six
queries each); the wire format and the library's readers are unchanged.
"""

import contextlib
import contextvars
import datetime
import json
import logging
from collections.abc import Iterator
from functools import cache
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_eventstream.event import Event
from django_eventstream.models import Event as StoredEvent
from django_eventstream.models import EventCounter
from django_eventstream.storage import DjangoModelStorage
from django_eventstream.utils import publish_event
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from kernel.commit_hooks import after_commit
from kernel.commit_rider import ride_on_commit, send_riders_now
from kernel.one_trip import in_savepoint

logger = logging.getLogger(__name__)

TRIM_BATCH = 1000
REDIS_CHANNEL = "events_channel"  # the one django-eventstream's RedisListener subscribes to


Message = tuple[str, str, str]  # channel, event type, the data's JSON text

# The messages of the action being announced (`one_write_per_action`), written together at its end.
_pending: contextvars.ContextVar[list[Message] | None] = contextvars.ContextVar(
    "live_messages_pending", default=None
)


def store_on_channels_and_deliver_on_commit(
    channels: list[str], event_type: str, data: dict[str, Any]
) -> None:
    """One message for several channels (a household's and a child's), each with its channel's
    next id, stored in the current transaction and delivered once it commits. Within
    `one_write_per_action`, kept and written with the action's other messages at its end."""
    text = json.dumps(data, cls=DjangoJSONEncoder)
    messages = [(channel, event_type, text) for channel in channels]
    pending = _pending.get()
    if pending is not None:
        pending.extend(messages)
    else:
        store_and_deliver_on_commit(messages)


@contextlib.contextmanager
def one_write_per_action() -> Iterator[None]:
    """Every message stored inside is written at the end, together: on PostgreSQL one statement
    and one counter bump per channel for the whole action. Nothing is written if the block
    raises (the action is refused). Nested, the outermost one writes."""
    if _pending.get() is not None:
        yield
        return
    pending: list[Message] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        store_and_deliver_on_commit(pending)


def store_and_deliver_on_commit(messages: list[Message]) -> None:
    """Store the messages in order, all or none, in a savepoint, so that a failure never fails the
    action: on PostgreSQL one statement for all of them, sent with the transaction's COMMIT
    (`_store_together`), else a counter bump and an INSERT per message. They are delivered once
    the transaction commits. A failure is logged with the messages and never raised."""
    if connection.vendor == "postgresql":
        _store_together(messages)
        return
    try:
        with transaction.atomic():  # a savepoint: an error here must not poison the action
            events = [store_event(channel, kind, text) for channel, kind, text in messages]
    except DatabaseError:
        logger.exception(NOT_STORED, messages)
        return
    after_commit(deliver_all, events)


NOT_STORED = "live events not stored: %s"


def deliver_all(events: list[Event]) -> None:
    """Deliver an action's events in order (one commit hook for all of them: registering one
    costs more than delivering an event in this process): to Pushpin when it holds streams
    (GRIP_URL), and to the listeners, through Redis when it is configured (every process, all
    the events in one round trip), else in this process. A failure is logged with the event it
    lost, and the others are still delivered; every event stays stored, so a client that
    reconnects with Last-Event-ID gets it."""
    from django_eventstream import eventstream
    from django_eventstream.views import get_listener_manager

    redis_client = eventstream.redis_client
    for event in events:
        try:
            if settings.GRIP_PROXIES:
                publish_to_proxy(event)
            if redis_client is None:
                get_listener_manager().add_to_queues(event.channel, event)
        except Exception:
            logger.exception("live event not delivered: %s %s", event.channel, event.type)
    if redis_client is not None and events:
        publish_to_redis(redis_client, events)


def publish_to_redis(redis_client: Any, events: list[Event]) -> None:
    """Every process's listeners, woken through Redis (the channel and message format
    django-eventstream's RedisListener reads), the events in one pipeline: one round trip."""
    pipeline = redis_client.pipeline(transaction=False)
    for event in events:
        message = {
            "channel": event.channel,
            "event_type": event.type,
            "data": event.data,
            "pub_id": str(event.id),
        }
        pipeline.publish(REDIS_CHANNEL, json.dumps(message))
    try:
        pipeline.execute()
    except (RedisError, OSError):
        for event in events:
            logger.exception(
                "live event not sent to %s: %s %s", event.channel, event.type, event.data
            )


class _Together:
    """An action's messages in one statement, and their events once its rows are back."""

    def __init__(self, messages: list[Message]) -> None:
        self.messages = messages
        self.events: list[Event] = []
        self.answered = False

    def answer(self, result: list[tuple] | DatabaseError) -> None:
        self.answered = True
        if isinstance(result, DatabaseError):
            logger.error(NOT_STORED, self.messages, exc_info=result)
            return
        first = dict(result)
        ranks: dict[str, int] = {}
        for channel, kind, text in self.messages:
            ranks[channel] = ranks.get(channel, 0) + 1
            self.events.append(Event(channel, kind, text, id=first[channel] + ranks[channel]))

    def deliver(self) -> None:
        if not self.answered:  # a commit hook run without a commit (the tests')
            send_riders_now()
        deliver_all(self.events)


def _store_together(messages: list[Message]) -> None:
    """All the messages in one statement (one counter bump per channel, by its number of
    messages, and one INSERT, their ids counted on from each channel's counter), sent with the
    COMMIT (`kernel.commit_rider`), or at once outside a transaction. A plain statement, not a
    server-side function: a function is compiled again in every new database connection, and
    without the connection pool a request opens one (about 1.3 ms more, measured)."""
    now = timezone.now()
    counts: dict[str, int] = {}
    rows: list[Any] = []
    for channel, kind, text in messages:
        counts[channel] = counts.get(channel, 0) + 1
        # The library stores the JSON text JSON-encoded once more; its reader decodes it once.
        rows += [channel, kind, json.dumps(text), counts[channel]]
    parameters = [*(value for item in counts.items() for value in item), now, now, now, *rows]
    statement = (_store_together_sql(len(counts), len(messages)), parameters)
    together = _Together(messages)
    if not ride_on_commit(statement, together.answer):
        try:
            [result] = in_savepoint([statement])
        except DatabaseError as error:
            together.answer(error)
            return
        together.answer(result)
    transaction.on_commit(together.deliver, robust=True)


@cache
def _store_together_sql(channels: int, messages: int) -> str:
    """Its SQL. Parameters: each channel with its number of messages; the time, three times (the
    counters' update, the placeholders', the messages'); each message with its rank in its
    channel. A channel's first message creates its counter and, as the library does, the id-0
    placeholder that lets a client which connected before it resume from 0."""
    quote = connection.ops.quote_name
    counter, table = quote(EventCounter._meta.db_table), quote(StoredEvent._meta.db_table)
    counts = ", ".join(["(%s, %s::bigint)"] * channels)
    rows = ", ".join(["(%s, %s, %s, %s::bigint)"] * messages)
    return f"""
        WITH counts (channel, n) AS (VALUES {counts}),
        bumps AS (
            INSERT INTO {counter} AS counter (name, value, updated)
            SELECT channel, n, %s FROM counts
            ON CONFLICT (name) DO UPDATE
            SET value = counter.value + EXCLUDED.value, updated = EXCLUDED.updated
            RETURNING counter.name, counter.value
        ),
        bases AS (
            SELECT bumps.name, bumps.value - counts.n AS base
            FROM bumps JOIN counts ON counts.channel = bumps.name
        ),
        placeholders AS (
            INSERT INTO {table} (channel, type, data, eid, created)
            SELECT name, '', '', 0, %s FROM bases WHERE base = 0
            ON CONFLICT (channel, eid) DO NOTHING
        ),
        stored AS (
            INSERT INTO {table} (channel, type, data, eid, created)
            SELECT m.channel, m.type, m.data, bases.base + m.rank, %s
            FROM (VALUES {rows}) AS m (channel, type, data, rank)
            JOIN bases ON bases.name = m.channel
        )
        SELECT name, base FROM bases
    """


def store_event(channel: str, event_type: str, text: str) -> Event:
    """Append an event to a channel: next id from the channel's counter, then the row (both
    hand-written, their SQL built once per process: this runs for every message of every
    action, and compiling the ORM's INSERT cost more than the round trip)."""
    bump, insert, created_field = _store_sql()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(bump, [now, channel])
        row = cursor.fetchone()
    # The library stores the JSON text JSON-encoded once more; its reader decodes it once.
    stored = json.dumps(text)
    if row is None:
        # A channel's first event: the library's own path creates the counter and the id-0
        # placeholder that lets a client which connected before it resume from 0.
        first = StoredEvent(channel=channel, type=event_type, data=stored)
        first.save()
        return Event(channel, event_type, text, id=first.eid)
    created = created_field.get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(insert, [channel, event_type, stored, row[0], created])
    return Event(channel, event_type, text, id=row[0])


@cache
def _store_sql() -> tuple[str, str, Any]:
    """The counter's bump, the row's insert, and the `created` field (to adapt its value)."""
    quote = connection.ops.quote_name
    counter, table = quote(EventCounter._meta.db_table), quote(StoredEvent._meta.db_table)
    return (
        f"UPDATE {counter} SET value = value + 1, updated = %s WHERE name = %s RETURNING value",
        f"INSERT INTO {table} (channel, type, data, eid, created) VALUES (%s, %s, %s, %s, %s)",
        StoredEvent._meta.get_field("created"),
    )


def publish_to_proxy(event: Event) -> None:
    """Hand the event to Pushpin (django-eventstream's GRIP format: the id Pushpin writes into
    each stream, and the previous id, from which Pushpin sees a gap and fetches what it missed
    from the store). Sent by django-grip's publisher thread, so the request does not wait; a
    failure is logged, and the event stays stored for clients that resume."""

    def sent(success: bool, message: str) -> None:
        if not success:
            logger.error(
                "live event not published to Pushpin for %s: %s %s (%s)",
                event.channel,
                event.type,
                event.data,
                message,
            )

    publish_event(
        event.channel, event.type, event.data, str(event.id), str(event.id - 1), callback=sent
    )


def fail_fast_on_redis_errors() -> None:
    """Delivery runs on the request's path after commit: with Redis down, redis-py's default
    retries would add seconds to every action. One try, then log (the event stays stored, so a
    reconnecting client still gets it)."""
    from django_eventstream import eventstream

    if eventstream.redis_client is not None:
        eventstream.redis_client.set_retry(Retry(NoBackoff(), 0))


def trim_stored_events() -> int:
    """Delete stored events older than the retention, in batches; returns how many went. Run by
    `manage.py trim_stream_events` (from a timer), never on a request's path."""
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.EVENTSTREAM_RETENTION_MINUTES)
    deleted = 0
    while True:
        ids = list(
            StoredEvent.objects.filter(created__lt=cutoff)
            .order_by("id")
            .values_list("id", flat=True)[:TRIM_BATCH]
        )
        if not ids:
            return deleted
        deleted += StoredEvent.objects.filter(id__in=ids).delete()[0]


class RetainedEventStorage(DjangoModelStorage):
    """django-eventstream's database storage (the library reads through it) with our append. The
    library would trim on every append; retention is `trim_stream_events`' job instead."""

    def append_event(self, channel: str, event_type: str, data: str) -> Event:
        return store_event(channel, event_type, data)

    def trim_event_log(self) -> None:
        """Not on the request path: see `trim_stored_events`."""

    def get_events(self, channel, last_id, limit=100):
        try:
            return super().get_events(channel, last_id, limit=limit)
        finally:
            release_stream_connection()

    def get_current_id(self, channel):
        try:
            return super().get_current_id(channel)
        finally:
            release_stream_connection()


def release_stream_connection() -> None:
    """Each open stream reads the database from a thread of its own; closing the connection after
    each read keeps idle streams from holding one database connection each."""
    if not connection.in_atomic_block:
        connection.close()
