"""The event stream across server processes through Redis, and with Redis down."""

import pytest
from redis import Redis

from children.models import Child
from testsupport.asgi_server import AsgiServer, free_port
from tracking.live.channels import TRACKING_EVENT_CREATED
from tracking.models import TrackingEvent
from tracking.tests.sse_client import SseClient
from tracking.tests.test_stream import Family, stream_url

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def servers(django_db_blocker, tmp_path):
    env = {"REDIS_URL": REDIS_URL, "CHOREHUB_LOG_DIR": str(tmp_path)}
    Redis.from_url(REDIS_URL).ping()  # a clear failure if Redis is not running
    with django_db_blocker.unblock():
        first = AsgiServer(env=env, log_path=tmp_path / "first.log").start()
        second = AsgiServer(env=env, log_path=tmp_path / "second.log").start()
    yield first, second
    first.stop()
    second.stop()


def test_an_event_caused_through_one_process_reaches_a_client_of_another(servers):
    listening, acting = servers
    family = Family(points=3)
    with SseClient(stream_url(listening), token=family.token) as client:
        family.activate(acting)
        message = client.next(TRACKING_EVENT_CREATED, timeout=2).json()
    event = TrackingEvent.objects.get(child_id=family.child.pk)
    assert (message["tracking_event_id"], message["points_after"]) == (event.pk, 3)


def test_with_redis_down_the_action_succeeds_and_the_failure_is_logged(django_db_blocker, tmp_path):
    family = Family(points=5)
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    log = tmp_path / "server.log"
    with (
        django_db_blocker.unblock(),
        AsgiServer(
            env={"REDIS_URL": dead_redis, "CHOREHUB_LOG_DIR": str(tmp_path)}, log_path=log
        ) as server,
    ):
        response = family.activate(server)
    assert response.json()["child"]["points"] == 5
    assert Child.objects.get(pk=family.child.pk).points == 5
    assert TrackingEvent.objects.filter(child_id=family.child.pk).count() == 1
    server_log = log.read_text()
    assert "ERROR tracking.live.store live event not sent" in server_log
    assert '"tracking_event_id"' in server_log
