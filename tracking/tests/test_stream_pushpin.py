"""What only Pushpin's path has (issue 16): the server holds no thread per stream, several server
processes share one Pushpin, and the server believes only requests that Pushpin signed. Every other
stream test runs through Pushpin as well (the `server` fixtures' "pushpin" front)."""

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from testsupport.asgi_server import database_url
from testsupport.factories import MembershipFactory, household_of
from testsupport.fronts import serving
from testsupport.tokens import token_for
from tracking.live.channels import TRACKING_EVENT_CREATED
from tracking.live.open_streams import OpenStream
from tracking.live.stream_grant import HeldStream, seal
from tracking.live.views import STREAMS_THROUGH_PUSHPIN
from tracking.models import TrackingEvent
from tracking.tests.sse_client import SseClient
from tracking.tests.stream_support import StreamFamily, revoke_tokens_of, stream_status, stream_url

pytestmark = pytest.mark.django_db(transaction=True)

STREAMS = 30


@pytest.fixture(scope="module")
def two_processes(django_db_setup, django_db_blocker, tmp_path_factory):
    logs = tmp_path_factory.mktemp("server-logs")
    with django_db_blocker.unblock(), serving("pushpin", logs, processes=2) as running:
        yield running


def threads_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


def pushpin_signature(key: str) -> str:
    """A `Grip-Sig` as Pushpin signs what it forwards."""
    return jwt.encode({"iss": "pushpin", "exp": int(time.time()) + 60}, key, algorithm="HS256")


def test_streams_held_by_pushpin_hold_no_server_thread(two_processes):
    family = StreamFamily(two_processes)
    server_pids = [pid for server in two_processes.servers for pid in server.serving_pids()]
    assert len(server_pids) == 2
    with SseClient(stream_url(two_processes), token=family.token):  # warm: watcher, pools
        before = [threads_of(pid) for pid in server_pids]
        clients = [SseClient(stream_url(two_processes), token=family.token) for _ in range(STREAMS)]
        try:
            for client in clients:
                client.__enter__()
            during = [threads_of(pid) for pid in server_pids]
            family.activate()
            for client in clients:
                assert client.next(TRACKING_EVENT_CREATED, timeout=5).json()["child_id"] == (
                    family.child.pk
                )
        finally:
            for client in clients:
                client.close()
    assert sum(during) - sum(before) <= 4, (before, during)


def test_an_action_on_either_process_reaches_every_stream(two_processes):
    """Two server processes behind one Pushpin: whichever process answered a stream's request,
    an action taken on either process reaches it."""
    family = StreamFamily(two_processes)
    clients = [SseClient(stream_url(two_processes), token=family.token) for _ in range(6)]
    try:
        for client in clients:
            client.__enter__()
        for server in two_processes.servers:
            response = httpx.post(
                f"{server.url}/api/children/{family.child.pk}/activate/",
                json={"task_id": family.chore.pk},
                headers={"Authorization": f"Token {family.token}"},
            )
            assert response.status_code == 200, response.text
        expected = list(
            TrackingEvent.objects.filter(child_id=family.child.pk)
            .order_by("id")
            .values_list("id", flat=True)
        )
        assert len(expected) == 2
        for client in clients:
            received = [
                client.next(TRACKING_EVENT_CREATED, timeout=5).json()["tracking_event_id"]
                for _ in expected
            ]
            assert received == expected
    finally:
        for client in clients:
            client.close()


def test_several_pushpins_in_front_of_one_server_each_receive_every_event(
    django_db_blocker, tmp_path
):
    with django_db_blocker.unblock(), serving("pushpin", tmp_path, pushpins=2) as served:
        family = StreamFamily(served)
        first, second = (f"{pushpin.url}/api/events/" for pushpin in served.pushpins)
        with (
            SseClient(first, token=family.token) as through_first,
            SseClient(second, token=family.token) as through_second,
        ):
            family.activate()
            for client in (through_first, through_second):
                assert client.next(TRACKING_EVENT_CREATED, timeout=5).json()["child_id"] == (
                    family.child.pk
                )


def test_a_revoked_token_ends_its_streams_whichever_process_holds_them(two_processes):
    family = StreamFamily(two_processes)
    clients = [SseClient(stream_url(two_processes), token=family.token) for _ in range(4)]
    try:
        for client in clients:
            client.__enter__()
        revoke_tokens_of(family.parent)
        assert all(client.ended_by_server(5.0) for client in clients)
    finally:
        for client in clients:
            client.close()


def ask_for_every_next_link_at_once(served, channel: str) -> None:
    """A GRIP `hint` on the channel: Pushpin requests the next link of every stream on it, as it
    does when it recovers a gap (at its own pace: about ten a second)."""
    item = {"channel": f"events-{channel}", "formats": {"http-stream": {"action": "hint"}}}
    for pushpin in served.pushpins:
        response = httpx.post(
            f"http://127.0.0.1:{pushpin.ports.publish}/publish/", json={"items": [item]}
        )
        assert response.status_code == 200, response.text


@contextlib.contextmanager
def server_slowed_down() -> Iterator[None]:
    """The users table locked from another connection: the server's answers wait, so Pushpin's
    next-link requests are all in flight at once, as on a busy server."""
    with psycopg.connect(database_url().replace("postgres://", "postgresql://")) as blocker:
        blocker.execute(f"LOCK TABLE {get_user_model()._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        yield


@pytest.mark.postgres
def test_streams_recovered_together_keep_their_own_credentials(two_processes):
    """Pushpin answers simultaneous next-link requests that have the same path (and `Grip-Last`)
    with one shared answer. Each held stream must keep its own credential and close channel
    through that: revoking one member's token ends that member's streams and no one else's."""
    family = StreamFamily(two_processes)
    other = MembershipFactory(household=household_of(family.parent)).user
    other_token = token_for(other)
    revoked = [SseClient(stream_url(two_processes), token=family.token) for _ in range(8)]
    kept = [SseClient(stream_url(two_processes), token=other_token) for _ in range(8)]
    try:
        for first, second in zip(revoked, kept, strict=True):
            first.__enter__()
            second.__enter__()
        time.sleep(1)
        with server_slowed_down():
            ask_for_every_next_link_at_once(two_processes, f"household-{household_of(other).pk}")
            time.sleep(3)
        time.sleep(2)
        revoke_tokens_of(family.parent)
        still_open = [client for client in revoked if not client.ended_by_server(8.0)]
        wrongly_ended = [client for client in kept if client.ended_by_server(0.1)]
        assert (len(still_open), len(wrongly_ended)) == (0, 0)
        family.activate(other_token)
        for client in kept:
            assert client.next(TRACKING_EVENT_CREATED, timeout=5).json()["child_id"] == (
                family.child.pk
            )
    finally:
        for client in revoked + kept:
            client.close()


def test_a_grip_signature_pushpin_did_not_make_is_not_believed(two_processes):
    """Straight to a server, a forged `Grip-Sig` gets no hold instructions: the WSGI server behind
    Pushpin, which cannot stream itself, refuses the stream with a 503 that says where to go."""
    family = StreamFamily(two_processes)
    server = two_processes.servers[0]
    forged = {"Grip-Sig": pushpin_signature("a-key-that-pushpin-does-not-sign-with")}
    response = stream_status(server, token=family.token, headers=forged)
    assert response.status_code == 503
    assert response.json() == {"detail": STREAMS_THROUGH_PUSHPIN}
    assert "Grip-Hold" not in response.headers
    signed = {"Grip-Sig": pushpin_signature(two_processes.pushpins[0].sig_key)}
    held = httpx.get(
        stream_url(server), headers={"Authorization": f"Token {family.token}", **signed}
    )
    assert (held.status_code, held.headers["Grip-Hold"]) == (200, "stream")


def test_pushpin_coming_back_for_a_stream_is_checked_again(two_processes):
    """Pushpin's next link carries none of the client's headers: the sealed stream in it must be
    one this server sealed, and its credential must still hold, or the stream ends there."""
    family = StreamFamily(two_processes)
    server = two_processes.servers[0]
    signed = {"Grip-Sig": pushpin_signature(two_processes.pushpins[0].sig_key)}
    opened = httpx.get(
        stream_url(server), headers={"Authorization": f"Token {family.token}", **signed}
    )
    next_link = opened.headers["Grip-Link"].split(">")[0].lstrip("<")
    timeout = int(opened.headers["Grip-Link"].split("timeout=")[1])
    assert (
        settings.EVENTSTREAM_MAX_LIFETIME_SECONDS - 5
        <= timeout
        <= (settings.EVENTSTREAM_MAX_LIFETIME_SECONDS)
    )
    followed = httpx.get(f"{server.url}{next_link}", headers=signed)
    assert (followed.status_code, followed.headers.get("Grip-Hold")) == (200, "stream")

    assert next_link.startswith("/pushpin/held/")
    tampered = httpx.get(f"{server.url}{next_link.replace('/held/', '/held/x')}", headers=signed)
    assert tampered.status_code == 401
    unsigned = httpx.get(f"{server.url}{next_link}")
    assert unsigned.status_code == 401

    revoke_tokens_of(family.parent)
    ended = httpx.get(f"{server.url}{next_link}", headers=signed)
    assert (ended.status_code, ended.content) == (200, b"")
    assert "Grip-Hold" not in ended.headers


# How Pushpin logs the next links it follows (its handler's line for each).
FOLLOWED_NEXT_LINK = re.compile(
    r"\[handler\] GET http://[^/\s]+(/pushpin/held/[^/?\s]+/)\?\S* .*code=(\d+)"
)


def next_link_pushpin_followed(log: Path, after: int) -> tuple[str, int]:
    """The path of the first next link Pushpin followed (logged past `after` bytes) and the status
    the server answered it with."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = FOLLOWED_NEXT_LINK.search(log.read_bytes()[after:].decode(errors="replace"))
        if found:
            return found.group(1), int(found.group(2))
        time.sleep(0.2)
    raise AssertionError(f"Pushpin followed no next link: {log.read_text()[-2000:]}")


def read_for_a_while(
    url: str, headers: dict[str, str] | None = None, seconds: float = 2.0
) -> tuple[int, bytes]:
    """What a client without any credential gets from `url`: the status, and the body until it
    ends or stays silent for `seconds`."""
    body = b""
    headers = {"Accept": "text/event-stream", **(headers or {})}
    with (
        httpx.Client(timeout=httpx.Timeout(5, read=seconds)) as client,
        client.stream("GET", url, headers=headers) as response,
        contextlib.suppress(httpx.ReadTimeout),
    ):
        for chunk in response.iter_raw():
            body += chunk
    return response.status_code, body


def test_a_next_link_from_pushpins_log_reads_nothing_without_a_credential(two_processes):
    """Pushpin logs every next link it follows, and signs every request it forwards, a client's
    included: replaying a stream's sealed link through Pushpin, a client without a credential got
    the household's events (and with `lastEventId`, its history). Pushpin now forwards a client's
    request for a path under /pushpin signed with a key no server knows (deploy/pushpin.py), so it
    is a 401 there; Pushpin's own request for the link, routed by the route the stream came in on,
    is still signed with the servers' key. Also with a slash of the path percent-encoded, which
    the server decodes and Pushpin's routing does not, and naming a route in `Pushpin-Route`."""
    family = StreamFamily(two_processes)
    family.activate()  # history the link could replay
    household = f"household-{household_of(family.parent).pk}"
    log = two_processes.pushpins[0].folder / "pushpin.log"
    with SseClient(stream_url(two_processes), token=family.token) as guardian:
        link, status = next_link_pushpin_followed(log, after=log.stat().st_size)
        assert status == 200  # Pushpin itself may follow it
        replays = [
            (link, {}),
            (link.replace("/pushpin/held/", "/pushpin%2Fheld/"), {}),
            (link.replace("/pushpin/held/", "/pushpin/held%2F"), {}),
            (link.replace("/pushpin/", "/%70ushpin/"), {}),
            (link, {"Pushpin-Route": "chorehub"}),  # the route Pushpin's own request takes
        ]
        for path, headers in replays:
            for query in (f"?link=next&lastEventId={household}:0", "?link=next"):
                status, body = read_for_a_while(f"{two_processes.url}{path}{query}", headers)
                assert (status, TRACKING_EVENT_CREATED.encode() in body) == (401, False), (
                    path,
                    query,
                    headers,
                    body[:300],
                )
        family.activate()
        assert guardian.next(TRACKING_EVENT_CREATED, timeout=5).json()["child_id"] == (
            family.child.pk
        )


def test_a_sealed_stream_hides_the_credential_it_names():
    stream = OpenStream(
        user_id=1,
        household_id=1,
        auth_hash="the-users-auth-hash",
        token=None,
        session_key="the-session-key",
        deadline=time.monotonic() + 60,
    )
    sealed = seal(HeldStream(stream, "stream-x"))
    assert "the-session-key" not in sealed
    assert "the-users-auth-hash" not in sealed


def test_with_pushpin_down_the_action_succeeds_and_the_failure_is_logged(
    django_db_blocker, tmp_path
):
    with django_db_blocker.unblock(), serving("pushpin", tmp_path) as served:
        family = StreamFamily(served)
        served.pushpins[0].stop()
        server = served.servers[0]
        family.server = server  # straight to the server: Pushpin is gone
        family.activate()
        log = tmp_path / "server-0.log"
        deadline = time.monotonic() + 20  # django-grip's publisher retries before it reports
        while "live event not published to Pushpin" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.1)
    assert TrackingEvent.objects.filter(child_id=family.child.pk).count() == 1


def test_pushpin_ends_a_held_stream_at_its_lifetime_without_the_servers_watcher(
    django_db_blocker, tmp_path
):
    """The next link's timeout is the stream's remaining lifetime: Pushpin comes back then, and is
    told the stream ended. So a stream ends on time even if the process that noted it is gone (here
    its watcher checks too rarely to be the one that ends it)."""
    with (
        django_db_blocker.unblock(),
        serving(
            "pushpin",
            tmp_path,
            EVENTSTREAM_MAX_LIFETIME_SECONDS="3",
            EVENTSTREAM_CREDENTIAL_CHECK_SECONDS="600",
        ) as served,
    ):
        family = StreamFamily(served)
        with SseClient(stream_url(served), token=family.token) as client:
            assert client.ended_by_server(15.0)
