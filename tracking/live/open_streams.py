"""The open streams of this server process: how many each user holds, and when each must end.

A stream ends when its credential ends (its token is deleted or expires, its session ends, the
user's password changes, the user is deactivated or deleted, the user leaves or is removed from
the household whose channel it reads, a paired device is revoked) and when its lifetime
(`EVENTSTREAM_MAX_LIFETIME_SECONDS`) is over; the client then resumes with `Last-Event-ID`, or gets
a 401 if its credential is gone. One watcher task per process re-checks every open stream every
`EVENTSTREAM_CREDENTIAL_CHECK_SECONDS`, with one query per credential model (users, memberships,
each token model, sessions, devices) whatever the number of streams, in a thread of its own so the event loop never
waits on the database.

Credentials are identified without knowing the token library: the user's pk, the token's model
and pk (`type(request.auth)`, `request.auth.pk`; DRF's authtoken and knox alike), its `expiry`
when it has one, the session key for a session, and the user's `get_session_auth_hash()` at open
(it changes with the password, as Django's own session check relies on).
"""

import asyncio
import contextlib
import datetime
import logging
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, models
from django.db.models import Q
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from devices.selectors import live_device_ids
from households.models import Membership
from households.selectors import household_id_of
from kernel.principals import is_device

logger = logging.getLogger(__name__)

QUERY_BATCH = 500  # ids per `IN (...)`: under SQLite's limit on query parameters
SLOT_RETRY_AFTER_SECONDS = 30
TOO_MANY_STREAMS = (
    "Too many open streams for this account ({limit}). Close one before opening another."
)


class TooManyStreams(exceptions.APIException):
    """A 429 with `Retry-After` (DRF's handler writes the header from `wait`)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "too_many_streams"

    def __init__(self, limit: int):
        super().__init__(TOO_MANY_STREAMS.format(limit=limit))
        self.wait = SLOT_RETRY_AFTER_SECONDS


@dataclass(eq=False)
class OpenStream:
    """One open stream: whose it is, the credential it was opened with, and when it must end.
    A paired child device's stream has no user: its credential is the device (`device_id`)."""

    user_id: Any
    household_id: Any  # the household whose channel it reads; leaving it ends the stream
    auth_hash: str
    token: tuple[type[models.Model], Any] | None  # the token's model and pk
    session_key: str | None
    deadline: float  # time.monotonic()
    device_id: Any = None
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def holder(self) -> Any:
        """Whose streams are counted together: an account's, or one device's."""
        return ("device", self.device_id) if self.device_id is not None else self.user_id

    @classmethod
    def for_request(cls, request: Request) -> "OpenStream":
        user = request.user
        now = time.monotonic()
        deadline = now + settings.EVENTSTREAM_MAX_LIFETIME_SECONDS
        if is_device(user):
            return cls(
                user_id=None,
                household_id=user.household_id,
                auth_hash="",
                token=None,
                session_key=None,
                deadline=deadline,
                device_id=user.device_id,
            )
        expiry = getattr(request.auth, "expiry", None)
        if isinstance(expiry, datetime.datetime):
            deadline = min(deadline, now + (expiry - timezone.now()).total_seconds())
        token = None
        if isinstance(request.auth, models.Model):
            token = (type(request.auth), request.auth.pk)
        session_key = None
        if isinstance(request.successful_authenticator, SessionAuthentication):
            session_key = request._request.session.session_key
        return cls(
            user_id=user.pk,
            household_id=household_id_of(user),
            auth_hash=user.get_session_auth_hash(),
            token=token,
            session_key=session_key,
            deadline=deadline,
        )


class OpenStreams:
    """This process's open streams (a stream is opened in a request's thread and closed in the
    event loop, hence the lock) and the watcher that ends those whose credential ended."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_user: dict[Any, set[OpenStream]] = {}
        self._watcher: asyncio.Task | None = None

    def open(self, stream: OpenStream, *, limit: int) -> None:
        """Count `stream` against its user's limit, or refuse it with a 429."""
        with self._lock:
            held = self._by_user.setdefault(stream.holder, set())
            if len(held) >= limit:
                raise TooManyStreams(limit)
            held.add(stream)

    def close(self, stream: OpenStream) -> None:
        """Free the stream's slot (twice is harmless)."""
        with self._lock:
            held = self._by_user.get(stream.holder)
            if held is not None:
                held.discard(stream)
                if not held:
                    del self._by_user[stream.holder]

    def snapshot(self) -> list[OpenStream]:
        with self._lock:
            return [stream for held in self._by_user.values() for stream in held]

    def ensure_watcher(self) -> None:
        """Start the watcher in the running event loop unless it already runs there."""
        loop = asyncio.get_running_loop()
        watcher = self._watcher
        if watcher is None or watcher.done() or watcher.get_loop() is not loop:
            self._watcher = loop.create_task(self._watch(), name="stream-credential-watcher")

    async def _watch(self) -> None:
        """Every few seconds, end the streams whose credential ended. Stops when no stream is
        open (the next stream starts it again) and closes its database connection then."""
        loop = asyncio.get_running_loop()
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stream-watcher")
        try:
            while True:
                await asyncio.sleep(settings.EVENTSTREAM_CREDENTIAL_CHECK_SECONDS)
                streams = self.snapshot()
                if not streams:
                    return
                try:
                    ended = await loop.run_in_executor(executor, ended_streams, streams)
                except DatabaseError:
                    # Checked again at the next turn, on a new connection.
                    logger.exception("could not check the credentials of %d streams", len(streams))
                    await loop.run_in_executor(executor, close_connection)
                    continue
                except Exception:
                    # Logged and tried again at the next turn: a watcher that died would leave
                    # every open stream of this process running past its credential.
                    logger.exception("could not check the credentials of %d streams", len(streams))
                    continue
                for stream in ended:
                    stream.ended.set()
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may be shutting down
                await loop.run_in_executor(executor, close_connection)
            executor.shutdown(wait=False)


open_streams = OpenStreams()


class GuardedStream:
    """The library's stream, ended when `stream` ends or its deadline passes. The stream's slot is
    freed when it ends, when Django closes the response (it calls `close()`), and when the
    response is dropped unsent (the client left while the view ran)."""

    def __init__(self, stream: OpenStream, parts: AsyncIterator[bytes]):
        self.stream = stream
        self.parts = _until_ended(stream, parts)
        weakref.finalize(self.parts, open_streams.close, stream)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.parts

    def close(self) -> None:
        open_streams.close(self.stream)


async def _until_ended(stream: OpenStream, parts: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    open_streams.ensure_watcher()
    iterator = aiter(parts)
    ended = asyncio.ensure_future(stream.ended.wait())
    next_part: asyncio.Future | None = None
    try:
        while not stream.ended.is_set():
            remaining = stream.deadline - time.monotonic()
            if remaining <= 0:
                return
            next_part = asyncio.ensure_future(anext(iterator))
            await asyncio.wait(
                {next_part, ended}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
            if stream.ended.is_set() or not next_part.done():
                return
            try:
                part = next_part.result()
            except StopAsyncIteration:
                return
            next_part = None
            yield part
    finally:
        ended.cancel()
        if next_part is not None and not next_part.done():
            # The library's generator is waiting inside this task: cancelling it runs its own
            # cleanup (it removes its listener).
            next_part.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await next_part
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()
        open_streams.close(stream)


# --- The check, in the watcher's thread ---------------------------------------------------------


def ended_streams(streams: list[OpenStream]) -> list[OpenStream]:
    """The streams whose credential ended: one query for the users, one for their memberships,
    one per token model, one for the sessions, one for the devices (each in batches of
    QUERY_BATCH ids; none for a kind of credential no stream holds)."""
    now = timezone.now()
    user_ids = {stream.user_id for stream in streams if stream.device_id is None}
    auth_hashes = current_auth_hashes(user_ids)
    households = current_households(user_ids)
    live_devices = live_device_ids(
        {stream.device_id for stream in streams if stream.device_id is not None}
    )
    token_pks: dict[type[models.Model], set[Any]] = defaultdict(set)
    for stream in streams:
        if stream.token is not None:
            token_pks[stream.token[0]].add(stream.token[1])
    live_tokens = {model: live_token_pks(model, pks, now) for model, pks in token_pks.items()}
    session_keys = {stream.session_key for stream in streams if stream.session_key}
    live_sessions = live_session_keys(session_keys, now) if session_keys else set()

    def has_ended(stream: OpenStream) -> bool:
        if stream.device_id is not None:
            return stream.device_id not in live_devices  # revoked, or deleted with its household
        if auth_hashes.get(stream.user_id) != stream.auth_hash:
            return True  # deleted, deactivated, or the password changed
        if households.get(stream.user_id) != stream.household_id:
            return True  # left the household, or removed from it
        if stream.token is not None and stream.token[1] not in live_tokens[stream.token[0]]:
            return True
        return stream.session_key is not None and stream.session_key not in live_sessions

    return [stream for stream in streams if has_ended(stream)]


def current_households(user_ids: set[Any]) -> dict[Any, Any]:
    """The household of each of these users that belongs to one."""
    return {
        user_id: household_id
        for batch in batches(user_ids)
        for user_id, household_id in Membership.objects.filter(user_id__in=batch).values_list(
            "user_id", "household_id"
        )
    }


def current_auth_hashes(user_ids: set[Any]) -> dict[Any, str]:
    """`get_session_auth_hash()` of each of these users that still exists and is active."""
    user_model = get_user_model()
    users = user_model._default_manager.only("password")
    if any(f.name == "is_active" for f in user_model._meta.concrete_fields):
        users = users.filter(is_active=True)
    return {
        user.pk: user.get_session_auth_hash()
        for batch in batches(user_ids)
        for user in users.filter(pk__in=batch)
    }


def live_token_pks(model: type[models.Model], pks: set[Any], now: datetime.datetime) -> set[Any]:
    """The pks among `pks` of tokens that still exist and, if they expire, have not expired."""
    tokens = model._default_manager.all()
    if any(f.name == "expiry" for f in model._meta.concrete_fields):
        tokens = tokens.filter(Q(expiry__isnull=True) | Q(expiry__gt=now))
    return {
        pk
        for batch in batches(pks)
        for pk in tokens.filter(pk__in=batch).values_list("pk", flat=True)
    }


def live_session_keys(keys: set[str], now: datetime.datetime) -> set[str]:
    """The keys among `keys` of sessions that still exist and have not expired. Database-backed
    engines (`db`, `cached_db`) answer in one query; signed cookies have nothing on the server to
    end (the user checks still hold); other engines are asked key by key."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store_class, "get_model_class"):
        sessions = store_class.get_model_class()._default_manager.filter(expire_date__gt=now)
        return {
            key
            for batch in batches(keys)
            for key in sessions.filter(session_key__in=batch).values_list("session_key", flat=True)
        }
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.signed_cookies":
        return set(keys)
    return {key for key in keys if store_class().exists(key)}


def close_connection() -> None:
    """Close the database connection of the calling thread. `connection` is a proxy to each
    thread's own: passing `connection.close` to the executor would bind the event loop's."""
    connection.close()


def batches(values: Iterable[Any]) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), QUERY_BATCH):
        yield values[start : start + QUERY_BATCH]
