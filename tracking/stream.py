"""Live updates over server-sent events (django-eventstream).

Each parent reads one channel, `user-<id>`. Every event is sent after the action's transaction
commits (`transaction.on_commit(..., robust=True)`), so a rolled-back action sends nothing, and a
failure to send (Redis down, say) is logged and never fails the action.

Events are stored (DjangoModelStorage) so that a client reconnecting with `Last-Event-ID` gets what
it missed; stored events older than `EVENTSTREAM_RETENTION_MINUTES` are trimmed.
"""

import datetime
import json
import logging
import threading
import time
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_eventstream import send_event
from django_eventstream.channelmanager import ChannelManagerBase
from django_eventstream.storage import DjangoModelStorage
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Domain signal action → the name of the event the frontend receives.
DOMAIN_EVENT_NAMES = {
    "activated": "task_activated",
    "requested": "reward_requested",
    "redeemed": "reward_redeemed",
    "cancelled": "reward_cancelled",
    "adjusted": "points_adjusted",
    "reversed": "points_reversed",
}
TRACKING_EVENT_CREATED = "tracking_event_created"
TRIM_INTERVAL_SECONDS = 60
TRIM_BATCH = 1000


def channel_for(user_id: int) -> str:
    return f"user-{user_id}"


class UserChannelManager(ChannelManagerBase):
    """A signed-in user reads their own channel and no other; anonymous reads nothing."""

    def get_channels_for_request(self, request, view_kwargs) -> set[str]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return set()
        return {channel_for(user.pk)}

    def can_read_channel(self, user: AbstractBaseUser | None, channel: str) -> bool:
        return user is not None and channel == channel_for(user.pk)

    def is_channel_reliable(self, channel: str) -> bool:
        return True


_trim_lock = threading.Lock()
_last_trim = 0.0


class RetainedEventStorage(DjangoModelStorage):
    """The library's database storage with a configurable retention, trimmed at most once a
    minute per process in bulk (the library deletes row by row on every append)."""

    def trim_event_log(self) -> None:
        global _last_trim
        with _trim_lock:
            if time.monotonic() - _last_trim < TRIM_INTERVAL_SECONDS:
                return
            _last_trim = time.monotonic()
        trim_stored_events()

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


def trim_stored_events() -> int:
    """Delete stored events older than the retention; returns how many went."""
    from django_eventstream.models import Event

    cutoff = timezone.now() - datetime.timedelta(minutes=settings.EVENTSTREAM_RETENTION_MINUTES)
    deleted = 0
    while True:
        ids = list(
            Event.objects.filter(created__lt=cutoff)
            .order_by("id")
            .values_list("id", flat=True)[:TRIM_BATCH]
        )
        if not ids:
            return deleted
        deleted += Event.objects.filter(id__in=ids).delete()[0]


def fail_fast_on_redis_errors() -> None:
    """Publishing runs on the request's path after commit: with Redis down, redis-py's default
    retries would add seconds to every action. One try, then log (the event stays stored, so a
    reconnecting client still gets it)."""
    from django_eventstream import eventstream

    if eventstream.redis_client is not None:
        eventstream.redis_client.set_retry(Retry(NoBackoff(), 0))


def publish(user_id: int | None, event_type: str, data: dict[str, Any]) -> None:
    """Send one event to a user's channel now. Failures are logged with the event, not raised:
    the action that caused it has already committed."""
    if user_id is None:
        return
    try:
        send_event(channel_for(user_id), event_type, data)
    except (RedisError, DatabaseError, OSError):
        logger.exception(
            "live event not sent to %s: %s %s",
            channel_for(user_id),
            event_type,
            json.dumps(data, cls=DjangoJSONEncoder),
        )


def publish_on_commit(user_id: int | None, event_type: str, data: dict[str, Any]) -> None:
    transaction.on_commit(partial(publish, user_id, event_type, data), robust=True)


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def tracking_event_payload(event: Any) -> dict[str, Any]:
    """The `tracking_event_created` data: the contract's fields of the stored TrackingEvent."""
    return {
        "tracking_event_id": event.pk,
        "child_id": event.child_id,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "action": event.action,
        "points_before": event.points_before,
        "points_after": event.points_after,
        "delta": event.delta,
        "occurred_at": iso(event.occurred_at),
    }


def child_payload(child: Any) -> dict[str, Any]:
    return {"id": child.pk, "name": child.name, "age": child.age, "points": child.points}


# --- Receivers of the domain signals (connected in TrackingConfig.ready) -------------------------


def on_points_action(
    sender: type,
    *,
    user: AbstractBaseUser,
    child: Any,
    entity: Any,
    entity_type: str,
    action: str,
    points_before: int,
    points_after: int,
    occurred_at: datetime.datetime,
    metadata: dict[str, Any],
    **extra: Any,
) -> None:
    """task_activated, reward_requested, reward_redeemed, reward_cancelled, points_adjusted,
    points_reversed."""
    data = {
        "child": child_payload(child),
        "entity_type": entity_type,
        "entity_id": entity.pk if entity is not None else extra.get("entity_id"),
        "entity_name": metadata.get("entity_name"),
        "action": action,
        "points_before": points_before,
        "points_after": points_after,
        "actor": metadata.get("actor"),
        "request_id": metadata.get("request_id"),
        "reason": metadata.get("reason"),
        "occurred_at": iso(occurred_at),
    }
    publish_on_commit(user.pk, DOMAIN_EVENT_NAMES[action], data)


def on_child_created(sender: type, *, user, child, occurred_at, **extra: Any) -> None:
    publish_on_commit(
        user.pk, "child_created", {"child": child_payload(child), "occurred_at": iso(occurred_at)}
    )


def on_child_changed(sender: type, *, user, child, changed, occurred_at, **extra: Any) -> None:
    publish_on_commit(
        user.pk,
        "child_changed",
        {"child": child_payload(child), "changed": changed, "occurred_at": iso(occurred_at)},
    )


def on_child_deleted(
    sender: type, *, user, child_id, child_name, occurred_at, **extra: Any
) -> None:
    publish_on_commit(
        user.pk,
        "child_deleted",
        {"child_id": child_id, "child_name": child_name, "occurred_at": iso(occurred_at)},
    )
