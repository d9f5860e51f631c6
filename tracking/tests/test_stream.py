"""The event stream against a real ASGI server (uvicorn in a subprocess) with a real SSE client."""

import time

import httpx
import pytest
from django.db import transaction
from django_eventstream.models import Event as StoredEvent

from children.services import activate_task
from testsupport.asgi_server import AsgiServer
from testsupport.factories import ChildFactory, TaskFactory, UserFactory, household_of
from testsupport.fronts import FRONTS, serving
from testsupport.tokens import token_for
from tracking.live.channels import TRACKING_EVENT_CREATED, channel_for
from tracking.live.views import FOREIGN_CHANNEL
from tracking.models import TrackingEvent
from tracking.tests.sse_client import SseClient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", params=FRONTS)
def server(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The server on its own, then behind Pushpin (issue 16): every test here runs through both."""
    logs = tmp_path_factory.mktemp("server-logs")
    with django_db_blocker.unblock(), serving(request.param, logs) as running:
        yield running


class Family:
    """A parent with a token, one child and one assigned chore, committed for the server to see."""

    def __init__(self, points: int = 10):
        self.parent = UserFactory()
        self.token = token_for(self.parent)
        self.child = ChildFactory(owner=self.parent)
        self.chore = TaskFactory(owner=self.parent, points=points)
        self.child.tasks.add(self.chore)

    def activate(self, server: AsgiServer) -> httpx.Response:
        response = httpx.post(
            f"{server.url}/api/children/{self.child.pk}/activate/",
            json={"task_id": self.chore.pk},
            headers={"Authorization": f"Token {self.token}"},
        )
        assert response.status_code == 200, response.text
        return response


def stream_url(server: AsgiServer) -> str:
    return f"{server.url}/api/events/"


def test_http_activation_reaches_the_parents_stream_within_two_seconds(server):
    family = Family(points=7)
    with SseClient(stream_url(server), token=family.token) as client:
        started = time.monotonic()
        family.activate(server)
        message = client.next(TRACKING_EVENT_CREATED, timeout=2)
        elapsed = time.monotonic() - started
    event = TrackingEvent.objects.get(child_id=family.child.pk)
    assert elapsed < 2
    # The row as rendered; the projections add the child's `figures` (insights' tests).
    row_fields = {name: value for name, value in message.json().items() if name != "figures"}
    assert row_fields == {
        "tracking_event_id": event.pk,
        "child_id": family.child.pk,
        "entity_type": "task",
        "entity_id": family.chore.pk,
        "action": "activated",
        "points_before": 0,
        "points_after": 7,
        "delta": 7,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
    }
    assert message.id.startswith(f"{channel_for(household_of(family.parent).pk)}:")


def test_the_domain_event_follows_with_the_childs_new_points(server):
    family = Family(points=4)
    with SseClient(stream_url(server), token=family.token) as client:
        family.activate(server)
        data = client.next("task_activated").json()
    assert data["child"] == {
        "id": family.child.pk,
        "name": family.child.name,
        "age": family.child.age,
        "points": 4,
        "available_points": 4,
    }
    assert (data["entity_type"], data["entity_id"], data["action"]) == (
        "task",
        family.chore.pk,
        "activated",
    )
    assert (data["points_before"], data["points_after"], data["actor"]) == (0, 4, "guardian")


def test_child_changes_are_streamed(server):
    family = Family()
    headers = {"Authorization": f"Token {family.token}"}
    with SseClient(stream_url(server), token=family.token) as client:
        created = httpx.post(f"{server.url}/api/children/", json={"name": "Zoe"}, headers=headers)
        child_id = created.json()["id"]
        httpx.patch(f"{server.url}/api/children/{child_id}/", json={"age": 5}, headers=headers)
        httpx.delete(f"{server.url}/api/children/{child_id}/", headers=headers)
        assert client.next("child_created").json()["child"]["name"] == "Zoe"
        changed = client.next("child_changed").json()
        deleted = client.next("child_deleted").json()
    assert (changed["child"]["age"], changed["changed"]) == (5, ["age"])
    assert deleted == {
        "child_id": child_id,
        "child_name": "Zoe",
        "occurred_at": deleted["occurred_at"],
    }


def test_another_parents_stream_receives_nothing(server):
    family, stranger = Family(), Family()
    with SseClient(stream_url(server), token=stranger.token) as watcher:
        with SseClient(stream_url(server), token=family.token) as own:
            family.activate(server)
            own.next(TRACKING_EVENT_CREATED)
        assert watcher.drain(wait=1.0) == []


def test_asking_for_another_users_channel_is_refused(server):
    family, stranger = Family(), Family()
    response = httpx.get(
        stream_url(server),
        params={"channel": channel_for(household_of(stranger.parent).pk)},
        headers={"Authorization": f"Token {family.token}"},
    )
    assert response.status_code == 403
    assert response.json() == {"detail": FOREIGN_CHANNEL}


def test_anonymous_and_bad_tokens_are_refused(server):
    assert httpx.get(stream_url(server)).status_code == 401
    bad = httpx.get(stream_url(server), headers={"Authorization": "Token not-a-real-token"})
    assert bad.status_code == 401


def test_a_browser_session_cookie_opens_the_stream(server):
    family = Family()
    with httpx.Client(base_url=server.url) as browser:
        browser.get("/accounts/login/")
        login = browser.post(
            "/accounts/login/",
            data={
                "username": family.parent.username,
                "password": "correct-horse-battery",
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
        )
        assert login.status_code == 302
        with browser.stream("GET", "/api/events/") as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")


def test_reconnecting_with_last_event_id_replays_missed_events_in_order(server):
    family = Family(points=1)
    with SseClient(stream_url(server), token=family.token) as client:
        family.activate(server)
        last_seen = client.next("task_activated").id
    for _ in range(3):
        family.activate(server)
    with SseClient(stream_url(server), token=family.token, last_event_id=last_seen) as client:
        missed = [client.next(TRACKING_EVENT_CREATED).json() for _ in range(3)]
    assert [m["points_after"] for m in missed] == [2, 3, 4]
    ids = list(
        TrackingEvent.objects.filter(child_id=family.child.pk)
        .order_by("id")
        .values_list("id", flat=True)
    )
    assert [m["tracking_event_id"] for m in missed] == ids[1:]


def test_a_rolled_back_action_sends_nothing(server):
    family = Family()
    with SseClient(stream_url(server), token=family.token) as client:
        family.activate(server)
        last_seen = client.next("task_activated").id
    stored_before = StoredEvent.objects.count()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        activate_task(child=family.child, task=family.chore)
        raise Abort

    assert StoredEvent.objects.count() == stored_before
    with SseClient(stream_url(server), token=family.token, last_event_id=last_seen) as client:
        assert client.drain(wait=1.0) == []
        family.activate(server)
        assert client.next(TRACKING_EVENT_CREATED).json()["points_before"] == 10
