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
on `/api/events/` for each: raw asyncio HTTP/1.1 connections (no HTTP library: 10,000 of them
in one process), --open-at-once at a time, each counted once it has seen `stream-open`. The
server's VmRSS and threads (/proc/<pid>/status) and the sum of the VmRSS of Pushpin's processes
(its process group) are read before any stream, and again as the streams grow (--steps).

Then --actions chore activations, each in a random household, are sent at --rate per second
straight to the uvicorn server (not through Pushpin), and the arrival of each action's
`tracking_event_created` is stamped at every stream. Latency is measured from the event's
`occurred_at` (stamped in the action's transaction just before the commit, on this machine's one
clock: an upper bound of "from the commit"); sse_fanout.py explains the other two origins.
Every stream must receive exactly its household's events, once each, and no other: any loss,
misdelivery, duplicate or stream that ended early is printed and the exit status is 1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/pushpin_streams.py
"""

import argparse
import asyncio
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
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
SETTLE_SECONDS = 2
TARGET_P95_MS = 250


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
        if b"stream-open" in message:
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
    """The server's and Pushpin's memory with `streams` open."""

    streams: int
    django_rss: int  # KiB
    django_threads: int
    pushpin_rss: dict[str, int]  # KiB by process name; empty for the embedded path


def make_households(count: int, streams_per_household: int) -> list[Household]:
    """`count` households made in bulk (the ORM's bulk_create: no signals, as nothing here needs
    them), each with an owner, a child, a chore assigned to it, and one knox token per stream."""
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
                tokens.append(
                    AuthToken(
                        token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
                        digest=digest,
                        user=user,
                        expiry=expiry,
                    )
                )
        AuthToken.objects.bulk_create(tokens, batch_size=2000)
    connection.close()
    per = streams_per_household
    return [
        Household(index, keys[index * per : (index + 1) * per], child.pk, chore.pk)
        for index, (child, chore) in enumerate(zip(children, chores, strict=True))
    ]


async def chunked_body(reader: asyncio.StreamReader):
    """The body of a `Transfer-Encoding: chunked` response, chunk by chunk, until its end."""
    while True:
        size_line = await reader.readline()
        if not size_line:
            return
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return
        yield (await reader.readexactly(size + 2))[:-2]


async def plain_body(reader: asyncio.StreamReader):
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
        stream.ended = "the server ended it"
    except (OSError, asyncio.IncompleteReadError) as error:
        stream.ended = f"{type(error).__name__}: {error}"
    finally:
        writer.close()


def process_status(pid: int, field_name: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1])
    return 0  # a kernel thread or a zombie has no VmRSS


def session_rss(sid: int) -> dict[str, int]:
    """VmRSS (KiB) of every process in the session `sid`, summed by process name."""
    by_name: dict[str, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
            name = text[text.index("(") + 1 : text.rindex(")")]
            if int(text.rsplit(")", 1)[1].split()[3]) != sid:
                continue
            by_name[name] = by_name.get(name, 0) + process_status(int(entry), "VmRSS")
        except (FileNotFoundError, ProcessLookupError):
            continue  # it ended while we looked
    return by_name


def read_memory(streams: int, server: UvicornServer, pushpin: Pushpin | None) -> Reading:
    return Reading(
        streams,
        server.status("VmRSS"),
        server.status("Threads"),
        session_rss(pushpin.process.pid) if pushpin else {},
    )


class Variant:
    """One server (behind Pushpin or alone), its streams, its actions, its readings."""

    def __init__(
        self,
        name: str,
        server: UvicornServer,
        pushpin: Pushpin | None,
        households: list[Household],
        args,
    ):
        self.name = name
        self.server = server
        self.pushpin = pushpin
        self.front = pushpin.url if pushpin else server.url
        self.households = households
        self.args = args
        self.streams = [
            Stream(household.index) for household in households for _ in household.tokens
        ]
        self.tokens = [token for household in households for token in household.tokens]
        self.tasks: list[asyncio.Task] = []
        self.readings: list[Reading] = []
        self.actions: list[Action] = []
        self.open_seconds = 0.0
        self.straggler_seconds = 0.0

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
                raise RuntimeError(
                    f"{self.name}: a stream did not open within {OPEN_TIMEOUT} s "
                    f"({stream.ended or 'no stream-open'})"
                )

    async def activate(self, http: httpx.AsyncClient, household: Household) -> Action:
        sent = time.time()
        response = await http.post(
            f"{self.server.url}/api/children/{household.child_id}/activate/",
            json={"task_id": household.task_id},
            headers={"Authorization": f"Token {household.tokens[0]}"},
        )
        response.raise_for_status()
        event_id = response.json()["tracking_event"]["id"]
        return Action(household.index, event_id, sent, time.time())

    async def warm_up(self, http: httpx.AsyncClient) -> None:
        """One stream opened, reached by a few actions and closed, so the readings before any
        stream are of a process that has loaded its code (and Pushpin has routed once)."""
        household = self.households[0]
        stream = Stream(household.index)
        await self.open_one(stream, household.tokens[0], asyncio.Semaphore(1))
        actions = [await self.activate(http, household) for _ in range(3)]
        deadline = time.monotonic() + 20
        while any(a.tracking_event_id not in stream.received for a in actions):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: the warm-up stream missed its events")
            await asyncio.sleep(0.05)
        self.tasks.pop().cancel()
        await asyncio.sleep(1)

    async def run(self) -> None:
        args = self.args
        async with httpx.AsyncClient(timeout=60) as http:
            await self.warm_up(http)
            self.readings.append(read_memory(0, self.server, self.pushpin))
            total = len(self.streams)
            steps = sorted({min(total, max(1, round(total * step))) for step in args.steps})
            if steps[-1] != total:
                steps.append(total)
            gate = asyncio.Semaphore(args.open_at_once)
            opened = 0
            started = time.monotonic()
            for step in steps:
                await asyncio.gather(
                    *(
                        self.open_one(self.streams[number], self.tokens[number], gate)
                        for number in range(opened, step)
                    )
                )
                opened = step
                print(f"  {self.name}: {opened} streams open", flush=True)
                await asyncio.sleep(SETTLE_SECONDS)
                self.readings.append(read_memory(opened, self.server, self.pushpin))
            self.open_seconds = time.monotonic() - started - SETTLE_SECONDS * len(steps)
            await self.act(http)
            self.readings.append(read_memory(total, self.server, self.pushpin))
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def act(self, http: httpx.AsyncClient) -> None:
        """--actions activations in random households, sent at --rate per second whatever the
        answers take; then up to --wait seconds for every delivery."""
        chooser = random.Random(self.args.seed)
        picks = [chooser.choice(self.households) for _ in range(self.args.actions)]
        started = time.monotonic()

        async def send(number: int, household: Household) -> Action:
            await asyncio.sleep(max(0.0, started + number / self.args.rate - time.monotonic()))
            return await self.activate(http, household)

        self.actions = list(await asyncio.gather(*(send(n, h) for n, h in enumerate(picks))))
        answered = time.monotonic()
        expected = len(self.actions) * self.args.streams_per_household
        while time.monotonic() - answered < self.args.wait:
            if sum(len(stream.received) for stream in self.streams) >= expected:
                break
            await asyncio.sleep(0.1)
        self.straggler_seconds = time.monotonic() - answered

    def deliveries(self) -> dict[str, int]:
        """Expected, received, lost, misdelivered (another household's, or no action's) and
        duplicated deliveries, and the streams that ended before the benchmark closed them."""
        household_of = {action.tracking_event_id: action.household for action in self.actions}
        counts = dict.fromkeys(["received", "misdelivered", "duplicated"], 0)
        for stream in self.streams:
            for event_id, arrivals in stream.received.items():
                if household_of.get(event_id) != stream.household:
                    counts["misdelivered"] += len(arrivals)
                    continue
                counts["received"] += 1
                counts["duplicated"] += len(arrivals) - 1
        expected = len(self.actions) * self.args.streams_per_household
        return {
            "expected": expected,
            **counts,
            "lost": expected - counts["received"],
            "ended early": sum(1 for stream in self.streams if stream.ended),
        }

    def latencies(self) -> dict[str, list[float]]:
        """Milliseconds to each stream's arrival, from the commit, the stored event and the
        request; and per action, from the commit to the last of its household's streams."""
        streams_of: dict[int, list[Stream]] = {}
        for stream in self.streams:
            streams_of.setdefault(stream.household, []).append(stream)
        arrivals = [
            (action, stream.received[action.tracking_event_id][0])
            for action in self.actions
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
            "stored": [(a.at - stored[a.sse_id]) * 1000 for _, a in arrivals if a.sse_id in stored],
            "request": [(a.at - action.sent) * 1000 for action, a in arrivals],
            "last": list(last.values()),
            "answer": [(a.answered - a.sent) * 1000 for a in self.actions],
        }


def start_variant(name: str, env: dict, folder: Path, households, args) -> Variant:
    """The server (and Pushpin in front of it, in testsupport.fronts' order: Pushpin's ports
    and key are known first, the server starts with its GRIP_URL, then Pushpin routes to it)."""
    pushpin = Pushpin([], folder=folder / f"{name}-pushpin") if name == "pushpin" else None
    server_env_ = {**env, "GRIP_URL": pushpin.grip_url} if pushpin else env
    server = UvicornServer(
        "chorehub.asgi:application", env=server_env_, log_path=folder / f"{name}-server.log"
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
    print(f"{name}: {len(households)} households", flush=True)
    variant = start_variant(name, env, folder, households, args)
    try:
        asyncio.run(variant.run())
    finally:
        if variant.pushpin:
            variant.pushpin.stop()
        variant.server.stop()
    return variant


def figures(values: list[float]) -> str:
    if not values:
        return "n/a"
    return " / ".join(f"{percentile(values, q):.1f}" for q in (50, 95, 99)) + (
        f" / {max(values):.1f}"
    )


def report_variant(variant: Variant) -> bool:
    """Print one variant's figures; True when nothing was lost or misdelivered."""
    args = variant.args
    streams = len(variant.streams)
    title = (
        "through Pushpin (Django answers with GRIP instructions; Pushpin holds the streams)"
        if variant.pushpin
        else "EMBEDDED path (no Pushpin: the uvicorn process holds every stream itself)"
    )
    print()
    print(f"### {variant.name}: {streams} streams {title}")
    print(
        f"{len(variant.households)} households x {args.streams_per_household} streams; "
        f"opened in {variant.open_seconds:.1f} s ({streams / max(variant.open_seconds, 1e-9):.0f}"
        f"/s, {args.open_at_once} at a time); {len(variant.actions)} actions at {args.rate}/s "
        f"sent straight to uvicorn; waited {variant.straggler_seconds:.1f} s after the last answer"
    )
    print()
    counts = variant.deliveries()
    print("| deliveries of tracking_event_created | count |")
    print("|---|---|")
    for name, count in counts.items():
        print(f"| {name} | {count} |")
    print()
    latencies = variant.latencies()
    print("| latency, ms | p50 / p95 / p99 / max |")
    print("|---|---|")
    rows = [
        ("commit", "commit (occurred_at) -> arrival at each stream"),
        ("last", "commit -> arrival at the last of the household's streams"),
        ("stored", "stored stream event's created -> arrival"),
        ("request", "request sent (client clock) -> arrival"),
        ("answer", "request sent -> action's HTTP answer read"),
    ]
    for key, label in rows:
        print(f"| {label} | {figures(latencies[key])} |")
    p95 = percentile(latencies["commit"], 95)
    verdict = "met" if p95 <= TARGET_P95_MS else "NOT met"
    print()
    print(f"commit-to-arrival p95 {p95:.1f} ms: target p95 <= {TARGET_P95_MS} ms {verdict}")
    print()
    print_memory(variant)
    ok = not any(counts[name] for name in ("lost", "misdelivered", "duplicated", "ended early"))
    print(
        "deliveries: every stream got exactly its household's events, once each"
        if ok
        else "DELIVERY FAILURE: see the counts above"
    )
    return ok


def print_memory(variant: Variant) -> None:
    """The readings as streams grew, and what one open stream costs Django and Pushpin."""
    names = sorted({name for reading in variant.readings for name in reading.pushpin_rss})
    columns = ["open streams", "Django VmRSS", "Django threads"]
    if variant.pushpin:
        columns += ["Pushpin VmRSS (sum)", *names]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for number, reading in enumerate(variant.readings):
        cells = [
            f"{reading.streams}"
            + (" after the actions" if number == len(variant.readings) - 1 else ""),
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
        f"per open stream (with {streams} open, minus before any): Django "
        f"{(full.django_rss - before.django_rss) / streams:.2f} KiB and "
        f"{(full.django_threads - before.django_threads) / streams:.3f} threads"
    )
    if variant.pushpin:
        pushpin_growth = sum(full.pushpin_rss.values()) - sum(before.pushpin_rss.values())
        per_stream += f"; Pushpin {pushpin_growth / streams:.2f} KiB"
    print()
    print(per_stream)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=2500)
    parser.add_argument("--streams-per-household", type=int, default=4)
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20, help="actions sent per second")
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
    parser.add_argument("--open-at-once", type=int, default=200)
    parser.add_argument("--wait", type=float, default=10, help="seconds to wait for stragglers")
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
    command = f"DATABASE_URL={args.database_url} .venv/bin/python {shlex.join(sys.argv)}"
    load_before = other_load()
    with (
        tempfile.TemporaryDirectory(prefix="pushpin-streams-") as folder,
        bench_database(args.database_url, DATABASE) as database_url,
    ):
        env = server_env(database_url, Path(folder) / "logs")
        migrate(env)
        setup_django(env)
        started = time.monotonic()
        households = make_households(args.households, args.streams_per_household)
        made_in = time.monotonic() - started
        variants = [run_variant("pushpin", env, Path(folder), households, args)]
        if args.embedded_households:
            embedded = households[: args.embedded_households]
            variants.append(run_variant("embedded", env, Path(folder), embedded, args))
        load_after = other_load()
        print()
        print("## Event streams through Pushpin (bench/pushpin_streams.py)")
        print()
        print(f"reproduce:  {command}")
        print(f"machine:    {machine()}; this benchmark's clients, the server, Pushpin and")
        print("            PostgreSQL share these cores")
        print(f"other load: before the run {load_before}; after it {load_after}")
        print(
            f"servers:    one uvicorn process (chorehub.asgi, DEBUG off) per variant; "
            f"{pushpin_version()} (deploy.pushpin, its own folder and ports)"
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
    if not all(ok):
        sys.exit(1)


if __name__ == "__main__":
    main()
