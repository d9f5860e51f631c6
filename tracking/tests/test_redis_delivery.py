"""An action's events reach every process's listeners through Redis in one pipeline, in order and
in the format django-eventstream's RedisListener reads; with Redis down, every lost event is logged
(and stays stored for clients that resume)."""

import json
import logging
import time

import pytest
from django_eventstream import eventstream
from django_eventstream.event import Event
from redis import Redis

from testsupport.asgi_server import free_port
from tracking.live.store import REDIS_CHANNEL, deliver_all, fail_fast_on_redis_errors

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_client(monkeypatch):
    client = Redis.from_url(REDIS_URL)
    client.ping()  # a clear failure if Redis is not running
    monkeypatch.setattr(eventstream, "redis_client", client)
    yield client
    client.close()


def events() -> list[Event]:
    return [
        Event("household-7", "tracking_event_created", '{"tracking_event_id": 41}', id=12),
        Event("household-7", "task_activated", '{"entity_id": 3}', id=13),
        Event("child-9", "task_activated", '{"entity_id": 3}', id=4),
    ]


def published(subscriber, count: int) -> list[dict]:
    messages, deadline = [], time.monotonic() + 5
    while len(messages) < count and time.monotonic() < deadline:
        message = subscriber.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if message is not None:
            messages.append(json.loads(message["data"]))
    return messages


def test_every_event_is_published_in_order_in_the_listeners_format(redis_client):
    subscriber = Redis.from_url(REDIS_URL).pubsub()
    subscriber.subscribe(REDIS_CHANNEL)
    subscriber.get_message(timeout=1)  # the subscription's confirmation
    deliver_all(events())
    assert published(subscriber, 3) == [
        {
            "channel": "household-7",
            "event_type": "tracking_event_created",
            "data": '{"tracking_event_id": 41}',
            "pub_id": "12",
        },
        {
            "channel": "household-7",
            "event_type": "task_activated",
            "data": '{"entity_id": 3}',
            "pub_id": "13",
        },
        {
            "channel": "child-9",
            "event_type": "task_activated",
            "data": '{"entity_id": 3}',
            "pub_id": "4",
        },
    ]
    subscriber.close()


def test_they_go_in_one_round_trip(redis_client, monkeypatch):
    sent = []
    connection = redis_client.connection_pool.get_connection()
    redis_client.connection_pool.release(connection)
    original = type(connection).send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(type(connection), "send_packed_command", counting)
    deliver_all(events())
    assert len(sent) == 1


def test_with_redis_down_every_lost_event_is_logged(monkeypatch, caplog):
    monkeypatch.setattr(
        eventstream, "redis_client", Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    )
    fail_fast_on_redis_errors()
    with caplog.at_level(logging.ERROR, logger="tracking.live.store"):
        deliver_all(events())
    lost = [record.getMessage() for record in caplog.records]
    assert len(lost) == 3
    assert all(message.startswith("live event not sent to ") for message in lost)
    assert '"tracking_event_id": 41' in lost[0] and "child-9" in lost[2]
