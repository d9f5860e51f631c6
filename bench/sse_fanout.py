"""Live-event fan-out: how long one action takes to reach every open stream, and what an open
stream costs the server in memory.

One uvicorn process serves the project's ASGI app (chorehub.asgi:application) on a database of
the benchmark's own: SQLite in a temporary folder by default, or a `chorehub_bench_sse` database
created (and dropped afterwards) on the PostgreSQL server that DATABASE_URL names. One parent
holds --subscribers open streams on `/api/events/` (token auth), as one family with many
devices would: every action of that parent goes to all of them, so each action measures a full
fan-out. (500 parents with one stream each would measure 500 single deliveries, not a fan-out.)

The streams are httpx AsyncClient streams in this process (asyncio: no thread per stream); each
waits for `stream-open` before any action is taken. Then --actions times, one after the other:
activate a chore over HTTP, and stamp the arrival of its `tracking_event_created` at each stream.
Latency to a stream is measured from three points, all on this machine's one clock:

  - commit:  the event's `occurred_at` (in the payload), stamped inside the action's transaction
             just before the tracking insert and the commit; an upper bound of "from the commit".
  - stored:  the stored stream event's `created`, written in the action's transaction just
             before the commit (tracking.live.store), after occurred_at; a closer upper bound.
  - request: just before the HTTP request is sent (client side).

Memory per connection is the server's VmRSS (/proc/<pid>/status) with all streams open minus
before any was opened (after a warm-up), divided by the number of streams.

    .venv/bin/python bench/sse_fanout.py --subscribers 500 --actions 20
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

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

OPEN_AT_ONCE = 50
EVENT = b"tracking_event_created"


@dataclass
class Arrival:
    at: float  # time.time() when the chunk that completed the message was read
    sse_id: str
    occurred_at: float


@dataclass
class Deliveries:
    """Who received which tracking event, and a way to wait until all streams have it."""

    streams: int
    arrivals: dict[int, list[Arrival]] = field(default_factory=lambda: defaultdict(list))
    complete: dict[int, asyncio.Event] = field(default_factory=lambda: defaultdict(asyncio.Event))

    def add(self, tracking_event_id: int, arrival: Arrival) -> None:
        received = self.arrivals[tracking_event_id]
        received.append(arrival)
        if len(received) == self.streams:
            self.complete[tracking_event_id].set()


def parse_message(message: bytes) -> tuple[str, str, str]:
    event = sse_id = ""
    data = []
    for line in message.split(b"\n"):
        name, _, value = line.partition(b":")
        value = value[1:] if value.startswith(b" ") else value
        if name == b"event":
            event = value.decode()
        elif name == b"id":
            sse_id = value.decode()
        elif name == b"data":
            data.append(value.decode())
    return event, sse_id, "\n".join(data)


def timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


async def subscribe(
    client: httpx.AsyncClient, url: str, token: str, opened: asyncio.Event, got: Deliveries
) -> None:
    headers = {"Accept": "text/event-stream", "Authorization": f"Token {token}"}
    async with client.stream("GET", url, headers=headers) as response:
        if response.status_code != 200:
            raise RuntimeError(f"stream refused: {response.status_code}")
        buffer = b""
        async for chunk in response.aiter_raw():
            now = time.time()
            buffer += chunk
            *messages, buffer = buffer.split(b"\n\n")
            for message in messages:
                if EVENT not in message and b"stream-open" not in message:
                    continue
                event, sse_id, data = parse_message(message)
                if event == "stream-open":
                    opened.set()
                elif event == EVENT.decode():
                    payload = json.loads(data)
                    got.add(
                        payload["tracking_event_id"],
                        Arrival(now, sse_id, timestamp(payload["occurred_at"])),
                    )


def make_family() -> tuple[str, int, int]:
    """A parent with a token, a child and an assigned chore; returns (token, child id, task id)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from children.models import Child, Task
    from households.services import create_household
    from testsupport.tokens import token_for

    parent = get_user_model().objects.create_user(username="fanout-parent", password=None)
    household = create_household(owner=parent)
    child = Child.objects.create(household=household, name="Fan-out child")
    chore = Task.objects.create(household=household, name="Fan-out chore", points=1)
    child.tasks.add(chore)
    token = token_for(parent)
    connection.close()
    return token, child.pk, chore.pk


def stored_event_times(sse_ids: set[str]) -> dict[str, float]:
    """The stored stream events' `created`, by SSE id (`<channel>:<eid>`)."""
    from django.db import connection
    from django_eventstream.models import Event

    by_channel = defaultdict(set)
    for sse_id in sse_ids:
        channel, _, eid = sse_id.rpartition(":")
        by_channel[channel].add(int(eid))
    created = {}
    for channel, eids in by_channel.items():
        for eid, moment in Event.objects.filter(channel=channel, eid__in=eids).values_list(
            "eid", "created"
        ):
            created[f"{channel}:{eid}"] = moment.timestamp()
    connection.close()
    return created


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


async def measure(server: UvicornServer, args, token: str, child_id: int, task_id: int) -> dict:
    auth = {"Authorization": f"Token {token}"}
    activate_url = f"{server.url}/api/children/{child_id}/activate/"
    stream_url = f"{server.url}/api/events/"
    limits = httpx.Limits(max_connections=args.subscribers + 10, max_keepalive_connections=0)
    timeout = httpx.Timeout(30, read=None)
    async with (
        httpx.AsyncClient(timeout=timeout, limits=limits) as streams,
        httpx.AsyncClient(timeout=30) as http,
    ):
        # Warm-up: the first requests load the URLconf, DRF, the stream code; one stream opens
        # and closes, and a few actions reach it.
        warm = Deliveries(streams=1)
        opened = asyncio.Event()
        warm_task = asyncio.create_task(subscribe(streams, stream_url, token, opened, warm))
        await asyncio.wait_for(opened.wait(), 20)
        for _ in range(3):
            (
                await http.post(activate_url, json={"task_id": task_id}, headers=auth)
            ).raise_for_status()
        await asyncio.sleep(0.5)
        warm_task.cancel()
        await asyncio.gather(warm_task, return_exceptions=True)
        await asyncio.sleep(1)
        before = {"rss": server.status("VmRSS"), "threads": server.status("Threads")}

        # Open the streams, OPEN_AT_ONCE at a time, each counted once it has seen stream-open.
        got = Deliveries(streams=args.subscribers)
        gate = asyncio.Semaphore(OPEN_AT_ONCE)
        tasks = []
        started = time.monotonic()

        async def open_one() -> None:
            opened = asyncio.Event()
            async with gate:
                task = asyncio.create_task(subscribe(streams, stream_url, token, opened, got))
                tasks.append(task)
                waiter = asyncio.create_task(opened.wait())
                done, _ = await asyncio.wait(
                    [task, waiter], timeout=60, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                if task in done:
                    task.result()  # raises what went wrong
                if not opened.is_set():
                    raise TimeoutError("a stream did not open within 60 s")

        await asyncio.gather(*(open_one() for _ in range(args.subscribers)))
        open_seconds = time.monotonic() - started
        await asyncio.sleep(2)
        with_open = {"rss": server.status("VmRSS"), "threads": server.status("Threads")}

        # The actions, one at a time: the next one starts when every stream has the last one.
        samples = []
        cpu_before = server.cpu_seconds(), time.process_time()
        for _ in range(args.actions):
            sent = time.time()
            response = await http.post(activate_url, json={"task_id": task_id}, headers=auth)
            response.raise_for_status()
            tracking_event_id = response.json()["tracking_event"]["id"]
            await asyncio.wait_for(got.complete[tracking_event_id].wait(), 60)
            samples.append((sent, got.arrivals[tracking_event_id]))
            await asyncio.sleep(args.pause)
        server_cpu = (server.cpu_seconds() - cpu_before[0]) / args.actions
        client_cpu = (time.process_time() - cpu_before[1]) / args.actions
        after = {"rss": server.status("VmRSS"), "threads": server.status("Threads")}

        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "before": before,
        "open": with_open,
        "after": after,
        "open_seconds": open_seconds,
        "samples": samples,
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
    }


def report(
    args, database: str, command: str, server_command: str, result: dict, before: str
) -> None:
    sse_ids = {arrival.sse_id for _, arrivals in result["samples"] for arrival in arrivals}
    stored = stored_event_times(sse_ids)

    def latencies(origin: str) -> tuple[list[float], list[float]]:
        """Per action: ms to the last stream (the whole fan-out) and to the median stream."""
        last, median = [], []
        for sent, arrivals in result["samples"]:
            if origin == "request":
                start = sent
            elif origin == "commit":
                start = arrivals[0].occurred_at
            else:
                start = stored[arrivals[0].sse_id]
            times = [(arrival.at - start) * 1000 for arrival in arrivals]
            last.append(max(times))
            median.append(statistics.median(times))
        return last, median

    n, streams = len(result["samples"]), args.subscribers
    print()
    print("=== SSE fan-out (bench/sse_fanout.py) ===")
    print(f"reproduce:  {command}")
    print(f"machine:    {machine()}; the benchmark's clients share these cores with the server")
    print(f"server:     one process, {server_command} (chorehub.asgi, DEBUG off)")
    print(f"database:   {database}")
    print(f"other load: before the run {before}; after it {other_load()}")
    print(
        f"subscribers: {streams} open streams of ONE parent (channel user-<id>, a family with "
        f"{streams} devices): every action fans out to all {streams}; httpx AsyncClient streams "
        "in one asyncio process"
    )
    print(
        f"actions:    {n} chore activations over HTTP, one at a time, each waited for on all "
        f"streams; opening the {streams} streams took {result['open_seconds']:.1f} s"
    )
    print()
    print(f"latency of tracking_event_created, ms, over {n} actions (p50 / p95):")
    print(f"  {'measured from':<58} {'last of ' + str(streams):>18} {'median stream':>16}")
    rows = [
        ("commit", "the commit (occurred_at, stamped just before it)"),
        ("stored", "just before the commit (stored stream event's created)"),
        ("request", "the HTTP request being sent (client clock)"),
    ]
    for origin, label in rows:
        last, median = latencies(origin)
        print(
            f"  {label:<58} {percentile(last, 50):>8.1f} / {percentile(last, 95):<7.1f}"
            f" {percentile(median, 50):>7.1f} / {percentile(median, 95):<7.1f}"
        )
    first = [min(a.at for a in arrivals) for _, arrivals in result["samples"]]
    spread = [
        (max(a.at for a in arrivals) - earliest) * 1000
        for earliest, (_, arrivals) in zip(first, result["samples"], strict=True)
    ]
    print(
        f"  spread first to last stream: p50 {percentile(spread, 50):.1f} ms "
        f"({percentile(spread, 50) * 1000 / streams:.0f} us per stream)"
    )
    print(
        f"  CPU per action: server {result['server_cpu'] * 1000:.0f} ms, this benchmark's "
        f"clients {result['client_cpu'] * 1000:.0f} ms (two events per action reach each stream: "
        "tracking_event_created and task_activated)"
    )
    print()
    before, opened, after = result["before"], result["open"], result["after"]
    per_connection = (opened["rss"] - before["rss"]) / streams
    print("server memory (VmRSS of the uvicorn process):")
    print(
        f"  before streams {mib(before['rss'])} ({before['threads']} threads); with {streams} "
        f"open {mib(opened['rss'])} ({opened['threads']} threads); after {n} actions "
        f"{mib(after['rss'])}"
    )
    print(
        f"  per open connection: {per_connection:.0f} KiB "
        f"(({mib(opened['rss'])} - {mib(before['rss'])}) / {streams}); "
        f"threads per connection: {(opened['threads'] - before['threads']) / streams:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--actions", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between actions")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="a PostgreSQL server (default: DATABASE_URL; unset: SQLite in a temporary folder)",
    )
    args = parser.parse_args()
    raise_open_files_limit(args.subscribers * 2 + 256)
    before = other_load()
    command = (
        f"{'DATABASE_URL=' + args.database_url + ' ' if args.database_url else ''}"
        f".venv/bin/python bench/sse_fanout.py --subscribers {args.subscribers} "
        f"--actions {args.actions}"
    )
    with (
        tempfile.TemporaryDirectory(prefix="sse-fanout-") as folder,
        bench_database(args.database_url, "chorehub_bench_sse") as database_url,
    ):
        env = server_env(database_url, Path(folder) / "logs")
        migrate(env)
        setup_django(env)
        token, child_id, task_id = make_family()
        server = UvicornServer(
            "chorehub.asgi:application", env=env, log_path=Path(folder) / "server.log"
        )
        with server:
            result = asyncio.run(measure(server, args, token, child_id, task_id))
        database = (
            "SQLite (WAL), a fresh file in a temporary folder"
            if database_url.startswith("sqlite")
            else "PostgreSQL, database chorehub_bench_sse (created and dropped by the benchmark)"
        )
        report(args, database, command, server.command.split(" --port")[0], result, before)


if __name__ == "__main__":
    main()
