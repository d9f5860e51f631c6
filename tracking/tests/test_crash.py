"""A real server killed with SIGKILL in the middle of a write load loses nothing it answered."""

import threading
import time
from io import StringIO

import httpx
import pytest
from django.core.management import call_command
from django.db.models import Sum

from children.models import Child
from testsupport.asgi_server import AsgiServer
from testsupport.factories import ChildFactory, TaskFactory, UserFactory
from testsupport.tokens import token_for
from tracking.models import TrackingEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHILDREN = 4
CLIENTS = 8
LOAD = 20  # answered actions before the kill: the kill lands in the middle of a real load


def hammer(server: AsgiServer, token: str, targets, stop: threading.Event, answered: list) -> None:
    """Activate chores until told to stop or the server dies; keep every 200 answer."""
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Token {token}"}) as client:
        while not stop.is_set():
            for child_id, task_id in targets:
                try:
                    response = client.post(
                        f"/api/children/{child_id}/activate/", json={"task_id": task_id}, timeout=5
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if response.status_code == 200:
                    answered.append(response.json()["tracking_event"])


def test_a_server_killed_under_write_load_keeps_every_committed_action(django_db_blocker, tmp_path):
    parent = UserFactory()
    token = token_for(parent)
    targets = []
    for _ in range(CHILDREN):
        child = ChildFactory(owner=parent)
        chore = TaskFactory(owner=parent, points=3)
        child.tasks.add(chore)
        targets.append((child.pk, chore.pk))

    env = {"CHOREHUB_LOG_DIR": str(tmp_path)}
    with django_db_blocker.unblock():
        server = AsgiServer(env=env).start()
    stop, answered = threading.Event(), []
    clients = [
        threading.Thread(target=hammer, args=(server, token, targets, stop, answered))
        for _ in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    # Waits for the load rather than for a fixed time: on a busy machine two seconds held 14 answers.
    deadline = time.monotonic() + 60
    while len(answered) < LOAD and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()
    stop.set()
    for client in clients:
        client.join(30)
    assert len(answered) >= LOAD, "the load did not get going before the kill"

    # Every answered action has its row; every committed points change is explained by the rows.
    stored = set(TrackingEvent.objects.values_list("pk", flat=True))
    assert {event["id"] for event in answered} <= stored
    for child_id, _ in targets:
        total = TrackingEvent.objects.filter(child_id=child_id).aggregate(total=Sum("delta"))
        assert Child.objects.get(pk=child_id).points == (total["total"] or 0)
    out = StringIO()
    call_command("verify_tracking", "--no-progress", stdout=out)
    assert "All chains hold." in out.getvalue()

    with django_db_blocker.unblock(), AsgiServer(env=env) as restarted:
        child_id, task_id = targets[0]
        response = httpx.post(
            f"{restarted.url}/api/children/{child_id}/activate/",
            json={"task_id": task_id},
            headers={"Authorization": f"Token {token}"},
        )
    assert response.status_code == 200
    out = StringIO()
    call_command("verify_tracking", "--no-progress", stdout=out)
    assert "All chains hold." in out.getvalue()
