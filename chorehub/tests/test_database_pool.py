"""psycopg's connection pool (`DATABASE_POOL_MAX_SIZE`, issue 16): a server keeps its PostgreSQL
connections across requests, whose threads differ under ASGI, and more concurrent requests than
connections wait for one instead of failing. A real server on the test database."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.db import connection

from testsupport.asgi_server import AsgiServer
from tracking.models import TrackingEvent
from tracking.tests.stream_support import StreamFamily

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]

POOL_SIZE = 3


def server_backends() -> set[tuple[int, str]]:
    """The server's connections to the test database: (backend pid, when it started)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start::text FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return set(cursor.fetchall())


def activate(family: StreamFamily) -> int:
    """The answer's status; a 200 must carry the event its action recorded."""
    response = httpx.post(
        f"{family.server.url}/api/children/{family.child.pk}/activate/",
        json={"task_id": family.chore.pk},
        headers={"Authorization": f"Token {family.token}"},
        timeout=30,
    )
    if response.status_code == 200:
        assert response.json()["tracking_event"] is not None, response.text
    return response.status_code


def recorded(family: StreamFamily) -> int:
    return TrackingEvent.objects.filter(child_id=family.child.pk, action="activated").count()


@pytest.fixture
def pooled_server(tmp_path):
    env = {"DATABASE_POOL_MAX_SIZE": str(POOL_SIZE), "CHOREHUB_LOG_DIR": str(tmp_path)}
    with AsgiServer(env=env, log_path=tmp_path / "server.log") as server:
        yield server


def test_a_pooled_server_keeps_its_connections_across_requests(pooled_server):
    family = StreamFamily(pooled_server)

    assert [activate(family) for _ in range(10)] == [200] * 10
    kept = server_backends()
    assert [activate(family) for _ in range(10)] == [200] * 10

    assert 1 <= len(kept) <= POOL_SIZE
    assert kept <= server_backends()  # the same backends served the second ten
    family.child.refresh_from_db()
    assert family.child.points == 20 * family.chore.points
    # Each request's thread prepares tracking's statements on whichever connection it gets.
    assert recorded(family) == 20


def test_more_concurrent_requests_than_connections_wait_for_one(pooled_server):
    family = StreamFamily(pooled_server)

    with ThreadPoolExecutor(max_workers=4 * POOL_SIZE) as clients:
        statuses = list(clients.map(lambda _: activate(family), range(4 * POOL_SIZE)))

    assert statuses == [200] * (4 * POOL_SIZE)
    assert 1 <= len(server_backends()) <= POOL_SIZE  # kept, and never more than the pool holds
    family.child.refresh_from_db()
    assert family.child.points == 4 * POOL_SIZE * family.chore.points
    assert recorded(family) == 4 * POOL_SIZE
