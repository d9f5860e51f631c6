"""Fixtures shared by every app's tests: parents, their clients, and a small family.

Who is signed in is a chain of fixtures: parent → token → parent_client (as in pretix's API tests).
"""

import threading
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.dispatch import Signal
from django.utils import timezone
from rest_framework.test import APIClient

from kernel.events import PointsChanged
from testsupport.factories import (
    ChildFactory,
    PenaltyFactory,
    RewardFactory,
    TaskFactory,
    UserFactory,
)
from testsupport.tokens import token_for


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` prove database-level guarantees SQLite cannot give; skip them there."""
    if on_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def fast_password_hasher(settings):
    """MD5 instead of Argon2, for test modules that create hundreds of parents (Argon2 would spend
    most of their time hashing). chorehub/tests/test_settings.py proves Argon2 is the real one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def parent(db):
    return UserFactory()


@pytest.fixture
def other_parent(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True)


def client_for(user) -> APIClient:
    """A client signed in as `user` with a token of its own (a new one each call, as a sign-in)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Every test starts with no request counted by the throttles (Django's cache), as a test's
    database starts empty: a test's own requests are far below the default rates, but the suite's
    thousands of requests from 127.0.0.1, and user ids that repeat on SQLite, are not."""
    cache.clear()


@pytest.fixture
def parent_client(parent) -> APIClient:
    return client_for(parent)


@pytest.fixture
def other_client(other_parent) -> APIClient:
    return client_for(other_parent)


@pytest.fixture
def staff_client(staff_user) -> APIClient:
    return client_for(staff_user)


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def child(parent):
    return ChildFactory(owner=parent)


@pytest.fixture
def chore(parent, child):
    task = TaskFactory(owner=parent, points=10)
    child.tasks.add(task)
    return task


@pytest.fixture
def penalty(parent, child):
    task = PenaltyFactory(owner=parent, points=30)
    child.tasks.add(task)
    return task


@pytest.fixture
def reward(parent, child):
    item = RewardFactory(owner=parent, cost=20)
    child.rewards.add(item)
    return item


class SignalRecorder:
    """A real receiver: keeps the keyword arguments (and sender) of every call, in order."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, sender, signal, **kwargs) -> None:
        self.calls.append({"sender": sender, **kwargs})

    def single_call(self, *, start: datetime, end: datetime) -> dict:
        """The one call received, without `occurred_at`, after checking that it was sent once and
        that `occurred_at` is aware, UTC, and between `start` and `end`. A points signal's typed
        `event` is given as a dict of its fields (so a test compares every one of them)."""
        assert len(self.calls) == 1, self.calls
        call = dict(self.calls[0])
        if "event" in call:
            event = call["event"]
            assert isinstance(event, PointsChanged)
            call["event"] = {f.name: getattr(event, f.name) for f in fields(event)}
            call["event"]["metadata"] = dict(event.metadata)
            occurred_at = call["event"].pop("occurred_at")
        else:
            occurred_at = call.pop("occurred_at")
        assert timezone.is_aware(occurred_at)
        assert occurred_at.utcoffset() == timedelta(0)
        assert start <= occurred_at <= end
        return call


@pytest.fixture
def record():
    """`record(signal)` connects a fresh SignalRecorder to `signal` until the test ends."""
    connected: list[tuple[Signal, SignalRecorder]] = []

    def connect(signal: Signal) -> SignalRecorder:
        recorder = SignalRecorder()
        signal.connect(recorder, weak=False)
        connected.append((signal, recorder))
        return recorder

    yield connect
    for signal, recorder in connected:
        signal.disconnect(recorder)


def run_together(count: int, action: Callable[[int], Any]) -> list[tuple[str, Any]]:
    """Run `action(index)` in `count` threads that start at the same moment (a barrier releases
    them once each has its own database connection). Returns, per thread, ("ok", result) or
    ("error", exception)."""
    barrier = threading.Barrier(count)
    outcomes: list[tuple[str, Any]] = [("error", RuntimeError("thread did not finish"))] * count

    def worker(index: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            outcomes[index] = ("ok", action(index))
        except Exception as error:  # reported to the test, which asserts on it
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes


@pytest.fixture
def concurrently(settings, tmp_path):
    """`concurrently(count, action)`: see `run_together`. Actions really commit here, so the
    audit log they write on commit goes to this test's own directory, not the project's logs/."""
    settings.CHOREHUB_LOG_DIR = tmp_path / "logs"
    return run_together
