"""What a stream refuses before it starts: more open streams than a user may hold (429), and a
`Last-Event-ID` that is not one of the caller's channel (400). A real server, real streams."""

import time
from contextlib import ExitStack

import pytest

from testsupport.asgi_server import AsgiServer
from testsupport.factories import household_of
from tracking.live.channels import TRACKING_EVENT_CREATED, channel_for
from tracking.live.open_streams import SLOT_RETRY_AFTER_SECONDS, TOO_MANY_STREAMS
from tracking.live.resume import FOREIGN_EVENT_ID, HEADER, MALFORMED_EVENT_ID, PARAMETER
from tracking.tests.sse_client import SseClient
from tracking.tests.stream_support import StreamFamily, stream_status, stream_url

pytestmark = pytest.mark.django_db(transaction=True)

DEFAULT_MAX_PER_USER = 20


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    logs = tmp_path_factory.mktemp("server-logs")
    with (
        django_db_blocker.unblock(),
        AsgiServer(env={"CHOREHUB_LOG_DIR": str(logs)}, log_path=logs / "server.log") as running,
    ):
        yield running


# --- Open streams per user ----------------------------------------------------------------------


def test_the_stream_after_the_users_twentieth_is_a_429_until_one_closes(server):
    family, neighbour = StreamFamily(server), StreamFamily(server)
    with ExitStack() as streams:
        clients = [
            streams.enter_context(SseClient(stream_url(server), token=family.token))
            for _ in range(DEFAULT_MAX_PER_USER)
        ]
        refused = stream_status(server, token=family.token)
        assert refused.status_code == 429
        assert refused.json() == {"detail": TOO_MANY_STREAMS.format(limit=DEFAULT_MAX_PER_USER)}
        assert refused.headers["Retry-After"] == str(SLOT_RETRY_AFTER_SECONDS)
        assert stream_status(server, token=neighbour.token).status_code == 200

        clients[0].close()
        deadline = time.monotonic() + 5
        while (status := stream_status(server, token=family.token).status_code) != 200:
            assert status == 429
            assert time.monotonic() < deadline, "the closed stream's slot was not freed"
            time.sleep(0.1)


def test_streams_refused_or_closed_hold_no_slot(server):
    family = StreamFamily(server)
    for _ in range(DEFAULT_MAX_PER_USER + 5):
        # Each opens and is closed by the client at once; none may stay counted.
        assert stream_status(server, token=family.token).status_code == 200
    for _ in range(3):
        refused = stream_status(server, token=family.token, headers={"Last-Event-ID": "a:b:c"})
        assert refused.status_code == 400
    with ExitStack() as streams:
        for _ in range(DEFAULT_MAX_PER_USER):
            streams.enter_context(SseClient(stream_url(server), token=family.token))


# --- Last-Event-ID ------------------------------------------------------------------------------

MALFORMED = [
    pytest.param("{channel}:abc", id="letters"),
    pytest.param("{channel}:1.5", id="decimal"),
    pytest.param("{channel}:" + "9" * 5000, id="5000-digits"),
    pytest.param("{channel}:9223372036854775808", id="over-64-bits"),
    pytest.param("{channel}:-1", id="negative"),
    pytest.param("{channel}:", id="no-number"),
    pytest.param("a:b:c", id="three-parts"),
    pytest.param("{channel}:1,{channel}:2", id="two-ids"),
    pytest.param("error", id="no-colon"),
]


@pytest.mark.parametrize("where", [HEADER, PARAMETER])
@pytest.mark.parametrize("value", MALFORMED)
def test_a_malformed_last_event_id_is_a_400_before_the_stream_starts(server, where, value):
    family = StreamFamily(server)
    channel = channel_for(household_of(family.parent).pk)
    sent = value.format(channel=channel)
    if where == HEADER:
        response = stream_status(server, token=family.token, headers={HEADER: sent})
    else:
        response = stream_status(server, token=family.token, params={PARAMETER: sent})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {where: [MALFORMED_EVENT_ID.format(channel=channel)]}


@pytest.mark.parametrize("where", [HEADER, PARAMETER])
def test_an_id_of_another_channel_is_a_400(server, where):
    family, stranger = StreamFamily(server), StreamFamily(server)
    foreign = f"{channel_for(household_of(stranger.parent).pk)}:1"
    if where == HEADER:
        response = stream_status(server, token=family.token, headers={HEADER: foreign})
    else:
        response = stream_status(server, token=family.token, params={PARAMETER: foreign})
    assert response.status_code == 400
    assert response.json() == {
        where: [FOREIGN_EVENT_ID.format(channel=channel_for(household_of(family.parent).pk))]
    }


def test_each_last_event_id_parameter_is_checked_not_refused_as_repeated(server):
    family, stranger = StreamFamily(server), StreamFamily(server)
    own = f"{channel_for(household_of(family.parent).pk)}:1"
    foreign = f"{channel_for(household_of(stranger.parent).pk)}:1"

    response = stream_status(
        server, token=family.token, params=[(PARAMETER, own), (PARAMETER, foreign)]
    )

    assert response.status_code == 400
    assert response.json() == {
        PARAMETER: [FOREIGN_EVENT_ID.format(channel=channel_for(household_of(family.parent).pk))]
    }


def test_resuming_with_the_query_parameter_replays_missed_events(server):
    family = StreamFamily(server, points=1)
    with SseClient(stream_url(server), token=family.token) as client:
        family.activate()
        last_seen = client.next("task_activated").id
    family.activate()
    url = f"{stream_url(server)}?{PARAMETER}={last_seen}"
    with SseClient(url, token=family.token) as resumed:
        assert resumed.next(TRACKING_EVENT_CREATED).json()["points_after"] == 2


def test_an_empty_last_event_id_is_no_id(server):
    family = StreamFamily(server)
    assert stream_status(server, token=family.token, headers={HEADER: ""}).status_code == 200
    assert stream_status(server, token=family.token, params={PARAMETER: ""}).status_code == 200
