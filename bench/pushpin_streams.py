"""Issue 16, target 4: 10,000 open event streams through Pushpin on this machine (2,500 households
with 4 streams each, actions in random households), against the same server holding them itself.

One uvicorn process serves the project's ASGI app (chorehub.asgi:application) on a PostgreSQL
database of the benchmark's own (`chorehub_bench_pushpin`, created and dropped on the server that
DATABASE_URL names). Two variants, one after the other, each on a fresh server process:

  - pushpin:  a private Pushpin (deploy.pushpin) in front of the server, which has GRIP_URL: the
              server answers each stream request with GRIP instructions and keeps no connection;
              events are published to Pushpin after each commit (tracking/live/held_streams.py).
  - embedded: the same server without GRIP_URL, holding every stream itself (no Pushpin), with
              fewer households (--embedded-households).

--households households are made in bulk, each with one owner, one child, one assigned chore and
one API token per stream (a family's devices). This process opens --streams-per-household streams
on `/api/events/` for each: raw asyncio HTTP/1.1 connections (no HTTP library: 10,000 of them in
one process), --open-at-once at a time, each counted once it has seen `stream-open`. The server's
VmRSS and threads (/proc/<pid>/status) and the VmRSS of Pushpin's processes (the session its
runner starts: pushpin, condure, zurl, pushpin-proxy, pushpin-handler) are read before any
stream, and again as the streams grow (--steps).

Pushpin asks the server for a held stream's next link (`/pushpin/held/<sealed>/?link=next`) a
second after the stream subscribes to a channel new to Pushpin, to recover what it may have missed:
each held stream has a close channel of its own, so every stream is asked for once (Pushpin 1.36
has no setting to turn this off). At most 10 such requests a second in all (pushpin-handler's rate,
not configurable), and what is published to a stream waiting for its turn is held until its own
request is answered: opening 10,000 streams quickly queues about 10,000 requests, about 1,000 s of
them. After that Pushpin comes back only when the stream's lifetime is over (the link's timeout is
the stream's remaining lifetime; not every 120 s, its default for a link without one). The
next-link requests are counted from Pushpin's log (log level 2, the system's).

So, through Pushpin, once all streams are open the benchmark settles: it waits until Pushpin has
asked for as many next links as streams were opened and none came for 2 s, or none came for 10 s,
or --settle-max seconds passed, and prints how long that took. --no-settle skips it: the actions
then run while the queue drains (the thundering herd after a restart, when every client
reconnects at once). The report says which of the two its figures are.

Then, all streams open (and settled), --idle-seconds without any action (the load of the open
streams alone), and --actions chore activations in random households at --rate per second, sent
straight to the uvicorn server (not through Pushpin). The benchmark waits until every stream has
its events, or no delivery came for --stall seconds, or --wait-max seconds passed.

Latency is measured from the event's `occurred_at` (stamped in the action's transaction just
before the commit, on this machine's one clock: an upper bound of "from the commit");
sse_fanout.py explains the other origins. Every stream must receive exactly its household's
`tracking_event_created` events, once each, and no other: any loss, misdelivery, duplicate or
stream that ended early is printed and the exit status is 1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/pushpin_streams.py
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    UvicornServer,
    bench_database,
    machine,
    migrate,
    other_load,
    percentile,
    raise_open_files_limit,
    server_env,
    setup_django,
)
from bench.sse_fanout import Arrival, mib, parse_message, stored_event_times, timestamp
from deploy.pushpin import Pushpin

DATABASE = "chorehub_bench_pushpin"
STREAM_PATH = "/api/events/"
EVENT = b"tracking_event_created"
OPEN_TIMEOUT = 60
READING_PAUSE_SECONDS = 2  # after each step of streams opened, before memory is read
SETTLE_QUIET_SECONDS = 10  # settled: no next-link request for this long
SETTLE_QUIET_ALL_SECONDS = 2  # ... or for this long once there was one per stream opened
PROGRESS_SECONDS = 30
WARM_UP_ATTEMPTS = 10
EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception|Refused|Timeout)\b")
# What differs from one log line to the next of the same problem: the sealed stream in a next
# link's path, the library's es-meta, ids, numbers.
MASKED = re.compile(r"(?<=/pushpin/held/)[^/?\s]+|es-meta=[^&\s]+|[0-9a-f]{8}-[0-9a-f-]{27}|\d+")
TARGET_P95_MS = 250
FAILURES = ("lost (not received when the wait ended)", "misdelivered", "duplicated", "ended early")
STREAM_SETTINGS = {"EVENTSTREAM_MAX_LIFETIME_SECONDS": str(24 * 3600)}


@dataclass
class Household:
    index: int
    tokens: list[str]  # one per stream: each of the family's devices signed in on its own
    child_id: int
    task_id: int


@dataclass
class Stream:
    """One open stream of a household, and every `tracking_event_created` it received."""

    household: int  # Household.index
    opened: asyncio.Event = field(default_factory=asyncio.Event)
    received: dict[int, list[Arrival]] = field(default_factory=dict)  # by tracking_event_id
    ended: str = ""  # why it ended before the benchmark closed it

    def take(self, message: bytes, now: float) -> None:
        if message.startswith(b"event: stream-open"):
            self.opened.set()
        if EVENT not in message:
            return
        event, sse_id, data = parse_message(message)
        if event == EVENT.decode():
            payload = json.loads(data)
            arrival = Arrival(now, sse_id, timestamp(payload["occurred_at"]))
            self.received.setdefault(payload["tracking_event_id"], []).append(arrival)


@dataclass
class Action:
    household: int
    tracking_event_id: int
    sent: float  # time.time() just before the request
    answered: float  # time.time() when its response was read


@dataclass
class Reading:
    """The server's and Pushpin's memory at one moment."""

    label: str
    streams: int
    django_rss: int  # KiB
    django_threads: int
    pushpin_rss: dict[str, int]  # KiB by process name; empty for the embedded path


@dataclass
class Load:
    """What the server and Pushpin did over a stretch of time."""

    seconds: float = 0.0
    django_cpu: float = 0.0  # CPU seconds
    pushpin_cpu: float = 0.0  # CPU seconds, its processes together
    next_links: int = 0  # Pushpin's requests for held streams' next links

    def describe(self, pushpin: bool) -> str:
        seconds = max(self.seconds, 1e-9)
        text = f"Django used {self.django_cpu / seconds:.0%} of a core"
        if pushpin:
            text += (
                f", Pushpin's processes {self.pushpin_cpu / seconds:.0%}; Pushpin asked Django "
                f"for {self.next_links} next links ({self.next_links / seconds:.1f}/s)"
            )
        return text


@dataclass
class Settle:
    """The wait, through Pushpin, for its first-subscription next-link requests to drain."""

    load: Load  # from the last stream opened until settled
    since_opening: int  # next-link requests from the first stream opened until settled
    streams: int  # streams opened
    why: str  # what ended the wait

    def describe(self) -> str:
        return (
            f"settled {self.load.seconds:.1f} s after the last stream opened ({self.why}): "
            f"Pushpin asked Django for {self.since_opening} next links since the first stream "
            f"opened ({self.streams} streams), {self.load.next_links} of them while settling"
        )


def make_households(count: int, streams_per_household: int) -> list[Household]:
    """`count` households made in bulk (bulk_create: no signals, which nothing here needs), each
    with an owner, a child, a chore assigned to it, and one knox token per stream."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone
    from knox.models import AuthToken, get_digest_token
    from knox.settings import CONSTANTS, knox_settings

    from children.models import Child, Task
    from households.models import Household as HouseholdRow
    from households.models import Membership, Role

    user_model = get_user_model()
    expiry = timezone.now() + knox_settings.TOKEN_TTL
    with transaction.atomic():
        users = []
        for index in range(count):
            user = user_model(username=f"pushpin-parent-{index}")
            user.set_unusable_password()
            users.append(user)
        users = user_model.objects.bulk_create(users)
        homes = HouseholdRow.objects.bulk_create(
            HouseholdRow(name=f"Pushpin family {index}") for index in range(count)
        )
        Membership.objects.bulk_create(
            Membership(user=user, household=home, role=Role.OWNER)
            for user, home in zip(users, homes, strict=True)
        )
        children = Child.objects.bulk_create(
            Child(household=home, name=f"Child {index}") for index, home in enumerate(homes)
        )
        chores = Task.objects.bulk_create(
            Task(household=home, name=f"Chore {index}", points=1)
            for index, home in enumerate(homes)
        )
        Child.tasks.through.objects.bulk_create(
            Child.tasks.through(child=child, task=chore)
            for child, chore in zip(children, chores, strict=True)
        )
        keys, tokens = [], []
        for user in users:
            for _ in range(streams_per_household):
                digest, key = get_digest_token()
                keys.append(key)
                token_key = key[: CONSTANTS.TOKEN_KEY_LENGTH]
                tokens.append(
                    AuthToken(token_key=token_key, digest=digest, user=user, expiry=expiry)
                )
        AuthToken.objects.bulk_create(tokens, batch_size=2000)
    connection.close()
    per = streams_per_household
    return [
        Household(index, keys[index * per : (index + 1) * per], child.pk, chore.pk)
        for index, (child, chore) in enumerate(zip(children, chores, strict=True))
    ]


def last_event_id() -> int:
    """The id of the last tracking event written (0: none yet)."""
    from django.db import connection
    from django.db.models import Max

    from tracking.models import TrackingEvent

    last = TrackingEvent.objects.aggregate(last=Max("id"))["last"] or 0
    connection.close()  # run in a thread of its own: leave no connection behind
    return last


def events_after(event_id: int) -> dict[int, int]:
    """The tracking events written after `event_id`: their child, by id."""
    from django.db import connection

    from tracking.models import TrackingEvent

    events = dict(TrackingEvent.objects.filter(id__gt=event_id).values_list("id", "child_id"))
    connection.close()
    return events


async def chunked_body(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    """The body of a `Transfer-Encoding: chunked` response, chunk by chunk, until its end."""
    while True:
        size_line = await reader.readline()
        if not size_line:
            return
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return
        yield (await reader.readexactly(size + 2))[:-2]


async def plain_body(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    while data := await reader.read(65536):
        yield data


async def read_stream(front: str, token: str, stream: Stream) -> None:
    """Open `/api/events/` on `front` with `token` over a bare connection and feed each SSE
    message to `stream` until the server ends it (or the task is cancelled)."""
    address = urlsplit(front)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        writer.write(
            f"GET {STREAM_PATH} HTTP/1.1\r\nHost: {address.netloc}\r\n"
            f"Accept: text/event-stream\r\nCache-Control: no-cache\r\n"
            f"Authorization: Token {token}\r\n\r\n".encode()
        )
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status_line, *header_lines = head.strip().split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines)
        }
        if status_line.split()[1] != "200":
            refusal = await asyncio.wait_for(reader.read(500), 5)
            raise RuntimeError(f"stream refused: {status_line} {refusal[:200]!r}")
        chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        buffer = b""
        async for data in chunked_body(reader) if chunked else plain_body(reader):
            now = time.time()
            buffer += data
            *messages, buffer = buffer.split(b"\n\n")
            for message in messages:
                stream.take(message, now)
        stream.ended = f"the server ended it at {time.strftime('%H:%M:%S')}"
    except (OSError, asyncio.IncompleteReadError) as error:
        stream.ended = f"{type(error).__name__} at {time.strftime('%H:%M:%S')}: {error}"
    finally:
        writer.close()


def process_status(pid: int, field_name: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1])
    return 0  # a zombie has no VmRSS


def session_processes(sid: int) -> Iterator[tuple[int, str, list[str]]]:
    """(pid, name, the fields of /proc/<pid>/stat after the name) of each process in `sid`."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except (FileNotFoundError, ProcessLookupError):
            continue  # it ended while we looked
        fields = text.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid:
            yield int(entry), text[text.index("(") + 1 : text.rindex(")")], fields


def session_rss(sid: int) -> dict[str, int]:
    """VmRSS (KiB) of every process in the session `sid`, summed by process name."""
    by_name: dict[str, int] = {}
    for pid, name, _ in session_processes(sid):
        try:
            by_name[name] = by_name.get(name, 0) + process_status(pid, "VmRSS")
        except (FileNotFoundError, ProcessLookupError):
            continue
    return by_name


def session_cpu_seconds(sid: int) -> float:
    """User + system CPU time the processes of the session `sid` have used so far."""
    ticks = sum(int(fields[11]) + int(fields[12]) for _, _, fields in session_processes(sid))
    return ticks / os.sysconf("SC_CLK_TCK")


class NextLinkLog:
    """Counts the requests Pushpin made for held streams' next links (`link=next` in the URL),
    from the requests its handler logs (log level 2, the system configuration's)."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0
        self.requests = 0

    def poll(self) -> int:
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            text = log.read()
        complete = text.rfind(b"\n") + 1
        self.offset += complete
        self.requests += sum(
            1
            for line in text[:complete].split(b"\n")
            if b"[handler] GET " in line and b"link=next" in line
        )
        return self.requests


class Variant:
    """One server (behind Pushpin or alone), its streams, its actions, its readings."""

    def __init__(self, name: str, server: UvicornServer, pushpin: Pushpin | None, households, args):
        self.name = name
        self.server = server
        self.pushpin = pushpin
        self.front = pushpin.url if pushpin else server.url
        self.households: list[Household] = households
        self.args = args
        self.streams = [Stream(h.index) for h in households for _ in h.tokens]
        self.tokens = [token for household in households for token in household.tokens]
        self.tasks: list[asyncio.Task] = []
        self.readings: list[Reading] = []
        self.chooser = random.Random(args.seed)
        self.actions: list[Action] = []
        self.next_links = NextLinkLog(pushpin.folder / "pushpin.log") if pushpin else None
        self.opening = Load()  # from the first stream opened to the last
        self.settle: Settle | None = None  # None: not settled (--no-settle, or no Pushpin)
        self.idle = Load()  # all streams open, no action
        self.acting = Load()  # from the first action until the last delivery
        self.deliveries_seconds = 0.0  # from the last answer until the last delivery
        self.household_of = {household.child_id: household.index for household in households}
        self.baseline_event_id = 0  # the last tracking event before the streams opened
        self.events: dict[int, int] = {}  # tracking events written since: their child, by id
        self.open_seconds = 0.0

    def read_memory(self, label: str, streams: int) -> None:
        pushpin = session_rss(self.pushpin.process.pid) if self.pushpin else {}
        django = self.server.status("VmRSS"), self.server.status("Threads")
        self.readings.append(Reading(label, streams, *django, pushpin))

    async def open_one(self, stream: Stream, token: str, gate: asyncio.Semaphore) -> None:
        async with gate:
            task = asyncio.create_task(read_stream(self.front, token, stream))
            self.tasks.append(task)
            waiter = asyncio.create_task(stream.opened.wait())
            await asyncio.wait(
                [task, waiter], timeout=OPEN_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
            )
            waiter.cancel()
            if not stream.opened.is_set():
                if task.done():
                    task.result()  # raises what went wrong
                task.cancel()
                raise RuntimeError(
                    f"{self.name}: a stream did not open within {OPEN_TIMEOUT} s "
                    f"({stream.ended or 'no stream-open'})"
                )

    async def activate(self, http: httpx.AsyncClient, household: Household) -> Action:
        sent = time.time()
        url = f"{self.server.url}/api/children/{household.child_id}/activate/"
        request = {"json": {"task_id": household.task_id}}
        request["headers"] = {"Authorization": f"Token {household.tokens[0]}"}
        try:
            response = await http.post(url, **request)
        except httpx.TransportError as error:
            # Once more: what is expected is read from the database, so an action that went
            # through twice only adds an event that every stream of its household must get.
            print(f"  {self.name}: an action failed ({error!r}), sent again")
            response = await http.post(url, **request)
        response.raise_for_status()
        event_id = response.json()["tracking_event"]["id"]
        return Action(household.index, event_id, sent, time.time())

    async def send_actions(self, http: httpx.AsyncClient, count: int) -> list[Action]:
        """`count` activations in random households, sent at --rate per second whatever the
        answers take."""
        picks = [self.chooser.choice(self.households) for _ in range(count)]
        started = time.monotonic()

        async def send(number: int, household: Household) -> Action:
            await asyncio.sleep(max(0.0, started + number / self.args.rate - time.monotonic()))
            return await self.activate(http, household)

        return list(await asyncio.gather(*(send(n, h) for n, h in enumerate(picks))))

    def delivered(self) -> int:
        """Deliveries of the events the streams must receive (each stream counts an event once)."""
        return sum(
            1 for stream in self.streams for event_id in stream.received if event_id in self.events
        )

    async def warm_up(self, http: httpx.AsyncClient) -> None:
        """One stream opened, reached by a few actions and closed, so the readings before any
        stream are of a process that has loaded its code (and Pushpin has routed once)."""
        household = self.households[0]
        for attempt in range(WARM_UP_ATTEMPTS):
            # Pushpin listens before its parts are wired together: its first requests can be
            # dropped or answered "Accept service unavailable".
            stream = Stream(household.index)
            try:
                await self.open_one(stream, household.tokens[0], asyncio.Semaphore(1))
                break
            except (RuntimeError, OSError) as error:
                self.tasks.pop()
                if attempt == WARM_UP_ATTEMPTS - 1:
                    raise
                print(f"  {self.name}: warm-up stream not opened ({error}), trying again")
                await asyncio.sleep(1)
        actions = [await self.activate(http, household) for _ in range(3)]
        deadline = time.monotonic() + 30
        while any(a.tracking_event_id not in stream.received for a in actions):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: the warm-up stream missed its events")
            await asyncio.sleep(0.05)
        task = self.tasks.pop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(1)

    async def settle_next_links(self, opening: Load) -> Settle:
        """Wait until Pushpin's next-link requests since `opening` (the first stream opened) have
        drained: one per stream opened and none for a moment, or none for a while, or
        --settle-max seconds."""
        assert self.next_links is not None
        total = len(self.streams)
        start = self.snapshot()
        seen = start.next_links - opening.next_links
        changed = reported = time.monotonic()
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            count = self.next_links.poll() - opening.next_links
            if count != seen:
                seen, changed = count, now
            quiet = now - changed
            if seen >= total and quiet >= SETTLE_QUIET_ALL_SECONDS:
                why = f"one request per stream or more, then none for {SETTLE_QUIET_ALL_SECONDS} s"
                break
            if quiet >= SETTLE_QUIET_SECONDS:
                why = f"no request for {SETTLE_QUIET_SECONDS} s"
                break
            if now - start.seconds >= self.args.settle_max:
                why = f"--settle-max {self.args.settle_max:g} s reached, still asking"
                break
            if now - reported > PROGRESS_SECONDS:
                print(
                    f"  {self.name}: settling, {seen} of {total} next-link requests after "
                    f"{now - start.seconds:.0f} s",
                    flush=True,
                )
                reported = now
        return Settle(self.since(start), seen, total, why)

    async def open_streams(self) -> None:
        """Every stream, --open-at-once at a time; memory read at each of --steps."""
        total = len(self.streams)
        steps = sorted({min(total, max(1, round(total * step))) for step in self.args.steps})
        if steps[-1] != total:
            steps.append(total)
        gate = asyncio.Semaphore(self.args.open_at_once)
        opened = 0
        started = time.monotonic()
        for step in steps:
            await asyncio.gather(
                *(
                    self.open_one(self.streams[number], self.tokens[number], gate)
                    for number in range(opened, step)
                )
            )
            self.open_seconds += time.monotonic() - started
            opened = step
            print(f"  {self.name}: {opened} streams open", flush=True)
            await asyncio.sleep(READING_PAUSE_SECONDS)
            self.read_memory("", opened)
            started = time.monotonic()

    def snapshot(self) -> Load:
        """Counters since the start (a Load of absolute values, to subtract)."""
        return Load(
            time.monotonic(),
            self.server.cpu_seconds(),
            session_cpu_seconds(self.pushpin.process.pid) if self.pushpin else 0.0,
            self.next_links.poll() if self.next_links else 0,
        )

    def since(self, start: Load) -> Load:
        now = self.snapshot()
        return Load(*(getattr(now, name) - getattr(start, name) for name in vars(start)))

    async def wait_for_deliveries(self) -> float:
        """Read which events the actions wrote (theirs, and any badge they earned), then wait
        until every stream of each event's household has it, or no delivery came for --stall
        seconds, or --wait-max seconds passed."""
        started = time.monotonic()
        self.events = await asyncio.to_thread(events_after, self.baseline_event_id)
        per = self.args.streams_per_household
        expected = sum(per for child_id in self.events.values() if child_id in self.household_of)
        delivered, progressed, reported = self.delivered(), time.monotonic(), time.monotonic()
        while delivered < expected:
            now = time.monotonic()
            if now - progressed > self.args.stall or now - started > self.args.wait_max:
                break
            if now - reported > PROGRESS_SECONDS:
                print(f"  {self.name}: {delivered} of {expected} deliveries", flush=True)
                reported = now
            await asyncio.sleep(0.2)
            if self.delivered() != delivered:
                delivered, progressed = self.delivered(), time.monotonic()
        return progressed - started

    async def run(self) -> None:
        args = self.args
        total = len(self.streams)
        # Connections idle for less than uvicorn's keep-alive (5 s) only: reusing one it is
        # closing fails the request (httpx.ReadError).
        limits = httpx.Limits(keepalive_expiry=2)
        async with httpx.AsyncClient(timeout=120, limits=limits) as http:
            await self.warm_up(http)
            self.baseline_event_id = await asyncio.to_thread(last_event_id)
            self.read_memory("before any stream", 0)
            opening = self.snapshot()
            await self.open_streams()
            self.opening = self.since(opening)
            if self.pushpin and args.settle:
                self.settle = await self.settle_next_links(opening)
                print(f"  {self.name}: {self.settle.describe()}", flush=True)
                self.read_memory("after settling", total)
            start = self.snapshot()
            await asyncio.sleep(args.idle_seconds)
            self.idle = self.since(start)
            self.read_memory(f"after {args.idle_seconds:g} s idle", total)
            start = self.snapshot()
            self.actions = await self.send_actions(http, args.actions)
            self.deliveries_seconds = await self.wait_for_deliveries()
            self.acting = self.since(start)
            self.read_memory("after the actions", total)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def deliveries(self) -> tuple[dict[str, int], list[str]]:
        """Counts (expected, received, lost, misdelivered, duplicated, ended early) and the first
        few failures. Expected: every event written after the streams opened (each action's and
        any badge it earned, read from the database), at every stream of its household."""
        household_of_event = {
            event_id: self.household_of.get(child_id) for event_id, child_id in self.events.items()
        }
        counts = dict.fromkeys(["received", "misdelivered", "duplicated"], 0)
        failures = []
        for number, stream in enumerate(self.streams):
            for event_id, arrivals in stream.received.items():
                if household_of_event.get(event_id, "none") == stream.household:
                    counts["received"] += 1
                    counts["duplicated"] += len(arrivals) - 1
                    continue
                counts["misdelivered"] += len(arrivals)
                whose = (
                    f"of household {household_of_event[event_id]}"
                    if event_id in household_of_event
                    else "written before the streams opened"
                )
                failures.append(
                    f"stream {number} of household {stream.household} got event {event_id} "
                    f"(id {arrivals[0].sse_id}), {whose}"
                )
            if stream.ended:
                failures.append(f"stream {number} ended early: {stream.ended}")
        per = self.args.streams_per_household
        expected = sum(per for household in household_of_event.values() if household is not None)
        counts = {
            "events written (actions' and badges')": len(self.events),
            "deliveries expected": expected,
            **counts,
            "lost (not received when the wait ended)": expected - counts["received"],
            "ended early": sum(1 for stream in self.streams if stream.ended),
        }
        return counts, failures[:10]

    def latencies(self, actions: list[Action]) -> dict[str, list[float]]:
        """Milliseconds to each stream's arrival from the commit, the stored event and the
        request; per action, from the commit to the last of its household's streams; and each
        action's answer time."""
        streams_of: dict[int, list[Stream]] = {}
        for stream in self.streams:
            streams_of.setdefault(stream.household, []).append(stream)
        arrivals = [
            (action, stream.received[action.tracking_event_id][0])
            for action in actions
            for stream in streams_of[action.household]
            if action.tracking_event_id in stream.received
        ]
        stored = stored_event_times({arrival.sse_id for _, arrival in arrivals})
        last: dict[int, float] = {}
        for action, arrival in arrivals:
            ms = (arrival.at - arrival.occurred_at) * 1000
            last[action.tracking_event_id] = max(last.get(action.tracking_event_id, 0), ms)
        return {
            "commit": [(a.at - a.occurred_at) * 1000 for _, a in arrivals],
            "last": list(last.values()),
            "stored": [(a.at - stored[a.sse_id]) * 1000 for _, a in arrivals if a.sse_id in stored],
            "request": [(a.at - action.sent) * 1000 for action, a in arrivals],
            "answer": [(action.answered - action.sent) * 1000 for action in actions],
        }


def start_variant(name: str, env: dict, folder: Path, households, args) -> Variant:
    """The server, and Pushpin in front of it in testsupport.fronts' order: Pushpin's ports and
    key are known first, the server starts with its GRIP_URL, then Pushpin routes to it."""
    pushpin = Pushpin([], folder=folder / f"{name}-pushpin") if name == "pushpin" else None
    if pushpin:
        env = {**env, "GRIP_URL": pushpin.grip_url}
    server = UvicornServer(
        "chorehub.asgi:application", env=env, log_path=folder / f"{name}-server.log"
    )
    server.start()
    if pushpin:
        pushpin.upstreams = [f"127.0.0.1:{server.port}"]
        try:
            pushpin.start()
        except RuntimeError:
            server.stop()
            raise
    return Variant(name, server, pushpin, households, args)


def run_variant(name: str, env: dict, folder: Path, households, args) -> Variant:
    print(f"{name}: {len(households) * args.streams_per_household} streams", flush=True)
    variant = start_variant(name, env, folder, households, args)
    try:
        asyncio.run(variant.run())
    except BaseException:
        # The folder goes with the run: show what the server and Pushpin said first.
        print(f"--- {name}: the end of the server's log ---\n{log_tail(variant.server.log_path)}")
        if variant.pushpin:
            print(f"--- {name}: the end of Pushpin's log ---\n{variant.pushpin.log()[-2000:]}")
        raise
    finally:
        if variant.pushpin:
            variant.pushpin.stop()
        variant.server.stop()
    return variant


def log_tail(path: Path, size: int = 4000) -> str:
    return path.read_text(errors="replace")[-size:] if path.exists() else "(no log)"


def log_problems(variant: Variant) -> list[str]:
    """What went wrong in the server's and Pushpin's logs, counted: the server's exceptions and
    errors, Pushpin's warnings and errors and its next-link requests that failed."""
    problems: Counter[str] = Counter()
    server_log = variant.server.log_path
    for line in server_log.read_text(errors="replace").splitlines() if server_log.exists() else []:
        if EXCEPTION_LINE.match(line) or " ERROR " in line:
            problems[f"server: {MASKED.sub('#', line)[:160]}"] += 1
    if variant.pushpin:
        pushpin_log = variant.pushpin.folder / "pushpin.log"
        for line in pushpin_log.read_text(errors="replace").splitlines():
            failed_link = (
                "[handler] GET " in line and "link=next" in line and " code=200 " not in line
            )
            if failed_link or line.startswith(("[WARN]", "[ERR")) or line.endswith(" error"):
                problems[f"pushpin: {MASKED.sub('#', line[30:])[:160]}"] += 1
    return [f"{count} x {problem}" for problem, count in problems.most_common(8)]


def figures(values: list[float]) -> str:
    if not values:
        return "n/a"
    quantiles = " / ".join(f"{percentile(values, q):.1f}" for q in (50, 95, 99))
    return f"{quantiles} / {max(values):.1f}"


def print_latencies(variant: Variant, actions: list[Action], title: str) -> float:
    """One latency table; returns the commit-to-arrival p95."""
    latencies = variant.latencies(actions)
    print(f"| {title}, ms | p50 / p95 / p99 / max |")
    print("|---|---|")
    rows = [
        ("commit", "commit (occurred_at) -> arrival, each stream"),
        ("last", "commit -> arrival at the last of the household's streams"),
        ("stored", "stored stream event's created -> arrival"),
        ("request", "request sent -> arrival"),
        ("answer", "request sent -> the action's HTTP answer read"),
    ]
    for key, label in rows:
        print(f"| {label} | {figures(latencies[key])} |")
    print()
    return percentile(latencies["commit"], 95)


def print_memory(variant: Variant) -> None:
    """The readings as streams grew, and what one open stream costs Django and Pushpin."""
    names = sorted({name for reading in variant.readings for name in reading.pushpin_rss})
    columns = ["open streams", "Django VmRSS", "Django threads"]
    if variant.pushpin:
        columns += ["Pushpin VmRSS (sum)", *names]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for reading in variant.readings:
        cells = [
            f"{reading.streams}" + (f" ({reading.label})" if reading.label else ""),
            mib(reading.django_rss),
            str(reading.django_threads),
        ]
        if variant.pushpin:
            cells.append(mib(sum(reading.pushpin_rss.values())))
            cells += [mib(reading.pushpin_rss.get(name, 0)) for name in names]
        print("| " + " | ".join(cells) + " |")
    streams = len(variant.streams)
    before, full = variant.readings[0], variant.readings[-2]  # [-1]: after the actions
    per_stream = (
        f"per open stream ({full.streams} open, {full.label or 'just opened'}, minus before "
        f"any): Django {(full.django_rss - before.django_rss) / streams:.2f} KiB and "
        f"{(full.django_threads - before.django_threads) / streams:.3f} threads"
    )
    if variant.pushpin:
        growth = sum(full.pushpin_rss.values()) - sum(before.pushpin_rss.values())
        per_stream += f"; Pushpin {growth / streams:.2f} KiB"
    print()
    print(per_stream)


def settle_case(variant: Variant) -> str:
    """Which case the variant's action figures are: after Pushpin settled, or not."""
    if variant.pushpin is None:
        return "no settle (no Pushpin: nothing to wait for)"
    if variant.settle is None:
        return (
            "not settled (--no-settle): the actions ran right after the last stream opened, while "
            "Pushpin's first-subscription next-link requests were still queued (the thundering "
            "herd after a restart)"
        )
    return variant.settle.describe()


def report_variant(variant: Variant) -> bool:
    """Print one variant's figures; True when every stream got exactly its household's events."""
    args = variant.args
    streams = len(variant.streams)
    how = (
        "through Pushpin (Django answers with GRIP instructions; Pushpin holds the streams)"
        if variant.pushpin
        else "EMBEDDED path (no Pushpin: the uvicorn process holds every stream itself)"
    )
    print()
    print(f"### {variant.name}: {streams} streams {how}")
    print()
    print(
        f"{len(variant.households)} households x {args.streams_per_household} streams, opened in "
        f"{variant.open_seconds:.1f} s ({streams / max(variant.open_seconds, 1e-9):.0f}/s, "
        f"{args.open_at_once} at a time). {len(variant.actions)} actions at {args.rate:g}/s in "
        f"random households, sent straight to uvicorn; the last delivery came "
        f"{variant.deliveries_seconds:.1f} s after the last answer."
    )
    pushpin = variant.pushpin is not None
    print(
        f"While the streams opened ({variant.opening.seconds:.0f} s, with the memory readings): "
        f"{variant.opening.describe(pushpin)}."
    )
    case = settle_case(variant)
    if pushpin:
        print(f"{case[0].upper()}{case[1:]}.")
    print(
        f"All streams open, {variant.idle.seconds:.0f} s without actions: "
        f"{variant.idle.describe(pushpin)}."
    )
    print(
        f"From the first action to the last delivery ({variant.acting.seconds:.0f} s): "
        f"{variant.acting.describe(pushpin)}."
    )
    print()
    counts, failures = variant.deliveries()
    print("| deliveries of tracking_event_created | count |")
    print("|---|---|")
    for name, count in counts.items():
        print(f"| {name} | {count} |")
    print()
    for failure in failures:
        print(f"  {failure}")
    short = ""
    if pushpin:
        short = ", after settling" if variant.settle else ", right after opening (no settle)"
    p95 = print_latencies(variant, variant.actions, f"{len(variant.actions)} actions{short}")
    verdict = "met" if p95 <= TARGET_P95_MS else "NOT met"
    print(f"commit-to-arrival p95 {p95:.1f} ms{short}: target p95 <= {TARGET_P95_MS} ms {verdict}")
    print()
    print_memory(variant)
    problems = log_problems(variant)
    print()
    print("problems in the logs: " + ("none" if not problems else ""))
    for problem in problems:
        print(f"  {problem}")
    ok = not any(counts[name] for name in FAILURES)
    print(
        "deliveries: every stream got exactly its household's events, once each"
        if ok
        else "DELIVERY FAILURE: see the counts above"
    )
    return ok


def kept_or_temporary(folder: Path | None) -> contextlib.AbstractContextManager[str]:
    """`folder` (created, kept afterwards), or a temporary folder removed afterwards."""
    if folder is None:
        return tempfile.TemporaryDirectory(prefix="pushpin-streams-")
    folder.mkdir(parents=True, exist_ok=True)
    return contextlib.nullcontext(str(folder))


def pushpin_version() -> str:
    try:
        answer = subprocess.run(["pushpin", "--version"], capture_output=True, text=True)
    except OSError:
        return "pushpin (version unknown)"
    return answer.stdout.strip() or "pushpin (version unknown)"


def parse_steps(text: str) -> list[float]:
    steps = [float(value) for value in text.split(",")]
    if not all(0 < step <= 1 for step in steps):
        raise argparse.ArgumentTypeError("steps are fractions of the streams, in (0, 1]")
    return steps


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=2500)
    parser.add_argument("--streams-per-household", type=int, default=4)
    parser.add_argument("--actions", type=int, default=200, help="once every stream is open")
    parser.add_argument(
        "--rate",
        type=float,
        default=5,
        help="actions sent per second (one uvicorn process answers about 10 a second here: "
        "faster, the answers queue and the figures measure the backlog)",
    )
    parser.add_argument(
        "--embedded-households",
        type=int,
        default=250,
        help="households whose streams the server holds itself, without Pushpin (0: skip)",
    )
    parser.add_argument(
        "--steps",
        type=parse_steps,
        default=[0.1, 0.25, 0.5, 1],
        help="fractions of the streams at which memory and threads are read (and before any)",
    )
    parser.add_argument(
        "--open-at-once",
        type=int,
        default=50,
        help="streams being opened at once (each opening request takes a thread and a database "
        "connection in the server: 200 at once exceed PostgreSQL's 100 connections)",
    )
    parser.add_argument(
        "--stall",
        type=float,
        default=300,
        help="stop waiting for deliveries when none came for this many seconds",
    )
    parser.add_argument(
        "--wait-max", type=float, default=1800, help="stop waiting for deliveries after this"
    )
    parser.add_argument(
        "--settle-max",
        type=float,
        default=1800,
        help="through Pushpin, wait at most this long after the last stream opened for its "
        "first-subscription next-link requests (about one per stream, 10 a second) to drain",
    )
    parser.add_argument(
        "--no-settle",
        dest="settle",
        action="store_false",
        help="through Pushpin, run the idle period and the actions right after the last stream "
        "opened, while those requests queue (the thundering-herd case)",
    )
    parser.add_argument(
        "--idle-seconds",
        type=float,
        default=30,
        help="all streams open, no action: the load of the open streams alone",
    )
    parser.add_argument(
        "--logs",
        type=Path,
        help="keep the servers' and Pushpin's logs in this folder (default: a temporary one)",
    )
    parser.add_argument("--seed", type=int, default=4, help="picks the actions' households")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="the PostgreSQL server (default: DATABASE_URL)",
    )
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgres"):
        parser.error("needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/")
    if args.embedded_households > args.households:
        parser.error("--embedded-households cannot exceed --households")
    streams = args.households * args.streams_per_household
    limit = raise_open_files_limit(streams + 1024)
    if limit < streams + 256:
        parser.error(f"{streams} streams need more open files than the limit allows ({limit})")
    return args


def main() -> None:
    args = parse_args()
    command = f"DATABASE_URL={args.database_url} .venv/bin/python {shlex.join(sys.argv)}"
    load_before = other_load()
    with (
        kept_or_temporary(args.logs) as folder,
        bench_database(args.database_url, DATABASE) as database_url,
    ):
        # A full run outlasts a stream's default lifetime (an hour), which would end them all.
        env = {**server_env(database_url, Path(folder) / "logs"), **STREAM_SETTINGS}
        migrate(env)
        setup_django(env)
        started = time.monotonic()
        households = make_households(args.households, args.streams_per_household)
        made_in = time.monotonic() - started
        variants = [run_variant("pushpin", env, Path(folder), households, args)]
        failure = None  # the embedded run's: the Pushpin run's figures are reported all the same
        if args.embedded_households:
            embedded = households[: args.embedded_households]
            try:
                variants.append(run_variant("embedded", env, Path(folder), embedded, args))
            except Exception as error:
                failure = error
        load_after = other_load()
        print()
        print("## Event streams through Pushpin (bench/pushpin_streams.py)")
        print()
        print(f"reproduce:  {command}")
        print(f"machine:    {machine()}; the benchmark's clients, the server, Pushpin and")
        print("            PostgreSQL share these cores")
        print(f"other load: before the run {load_before}; after it {load_after}")
        print(
            f"servers:    one uvicorn process (chorehub.asgi, DEBUG off) per variant; "
            f"{pushpin_version()} (deploy.pushpin: its own folder and ports)"
        )
        print(
            f"database:   PostgreSQL, database {DATABASE} (created and dropped by the benchmark); "
            f"{args.households} households made in bulk in {made_in:.1f} s"
        )
        print(
            "streams:    raw asyncio HTTP/1.1 connections in this one process, each counted once "
            "it has seen stream-open; one token per stream"
        )
        print(
            "latency:    commit = the event's occurred_at, stamped in the action's transaction "
            "just before the commit (an upper bound); all on this machine's clock"
        )
        ok = [report_variant(variant) for variant in variants]
        if failure is not None:
            print()
            print(f"### embedded: not measured, it failed: {failure!r}")
            raise failure
    if not all(ok):
        sys.exit(1)


if __name__ == "__main__":
    main()
