"""Concurrent actions on one child: every activation is recorded and the chain still holds.

Real threads, each with its own database connection, released together by a barrier; PostgreSQL
only (row locks are what is being proven).
"""

import threading
from collections.abc import Callable
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from children.models import Child
from children.services import activate_task
from testsupport.tokens import token_for
from tracking.models import TrackingEvent
from tracking.selectors import CHAIN_ORDER
from tracking.tests.recorded import log_lines

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50


def run_together(work: Callable[[int], object]) -> list:
    """Run `work(i)` for i in 0..THREADS-1 in threads released at once; return the results
    (or the exceptions they raised)."""
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # reported by the test, not lost in the thread
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is still running"
    return results


def assert_chain_holds(child_id: int) -> list[TrackingEvent]:
    events = list(TrackingEvent.objects.filter(child_id=child_id).order_by(*CHAIN_ORDER))
    for previous, current in pairwise(events):
        assert current.points_before == previous.points_after, (previous.pk, current.pk)
        assert current.occurred_at >= previous.occurred_at
    assert events[-1].points_after == Child.objects.get(pk=child_id).points
    out = StringIO()
    call_command("verify_tracking", stdout=out)
    assert "All chains hold." in out.getvalue()
    return events


def without_badges(events: list[TrackingEvent]) -> list[TrackingEvent]:
    return [event for event in events if event.entity_type != "badge"]


def test_50_concurrent_activations_lose_nothing_and_chain(log_dir, parent, child, chore):
    results = run_together(lambda i: activate_task(child=Child(pk=child.pk), task=chore))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Child.objects.get(pk=child.pk).points == THREADS * 10
    events = assert_chain_holds(child.pk)
    actions = without_badges(events)  # the badges they won are in the chain too (issue 15)
    assert [(e.points_before, e.points_after) for e in actions] == [
        (10 * i, 10 * (i + 1)) for i in range(THREADS)
    ]
    assert sorted(r.extras["tracking_event"]["id"] for r in results) == sorted(
        e.pk for e in actions
    )
    logged = [line["tracking_event_id"] for line in log_lines(log_dir, parent.pk)]
    assert sorted(logged) == sorted(e.pk for e in events)


def test_50_concurrent_http_chores_and_penalties_chain(parent, child, chore, penalty):
    url = reverse("child-activate", args=[child.pk])
    token = token_for(parent)

    def activate(i: int):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        task = penalty if i % 4 == 0 else chore
        return client.post(url, {"task_id": task.pk})

    responses = run_together(activate)

    assert [getattr(r, "status_code", r) for r in responses] == [200] * THREADS
    events = without_badges(assert_chain_holds(child.pk))
    assert len(events) == THREADS
    assert sorted(e.entity_type for e in events).count("penalty") == THREADS // 4 + 1
    stored = {e.pk: e for e in events}
    for response in responses:
        body = response.json()["tracking_event"]
        assert stored[body["id"]].points_after == body["points_after"]
