"""Actions racing the deletion of their child: the view found the child, a `DELETE` committed
before the service locked it. The answer is a 404 with nothing changed, never a 500.

The race is made deterministic without mocking the database: the views' lookup (`get_object`) is
wrapped so that, once it has found the child, another thread deletes it through its own database
connection and commits before the view goes on. The last tests run the real race, in threads, on
PostgreSQL.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.urls import reverse
from django_eventstream.models import Event as StoredEvent
from rest_framework.generics import GenericAPIView

from children import services
from children.models import Child, TaskOverride
from children.services import CHILD_GONE
from conftest import client_for
from kernel.errors import NotFound
from testsupport.factories import ChildFactory, TaskFactory
from tracking.ledger.reversal import CHILD_GONE as REVERSAL_CHILD_GONE
from tracking.models import TrackingEvent

ROUNDS = 30
LOOKUP_NOT_FOUND = "No Child matches the given query."  # DRF's get_object, before any service


def delete_child_from_another_connection(child_id: int) -> None:
    """Delete a child as `DELETE /api/children/{id}/` does, in another thread with its own database
    connection, and wait until it has committed."""
    errors: list[BaseException] = []

    def delete() -> None:
        try:
            services.delete_child(child=Child.objects.get(pk=child_id))
        except BaseException as error:  # re-raised in the test's thread below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=delete)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the deletion is stuck"
    assert not errors, errors


@pytest.fixture
def child_deleted_after_lookup(monkeypatch, settings, tmp_path) -> None:
    """Every view that looks up a child finds it, and then the child is gone: deleted and
    committed by another connection between the view's lookup and the service's lock."""
    settings.CHOREHUB_LOG_DIR = tmp_path / "logs"  # the deletion commits: its audit log goes here
    find = GenericAPIView.get_object

    def find_then_lose_the_child(view: GenericAPIView):
        found = find(view)
        if isinstance(found, Child):
            delete_child_from_another_connection(found.pk)
        return found

    monkeypatch.setattr(GenericAPIView, "get_object", find_then_lose_the_child)


def stream_event_types(child: Child) -> list[str]:
    """The types of the events stored for the child's parent, without the library's untyped
    placeholder that opens a channel."""
    return list(
        StoredEvent.objects.filter(channel=f"household-{child.household_id}")
        .exclude(type="")
        .order_by("eid")
        .values_list("type", flat=True)
    )


def assert_gone_and_nothing_changed(response, child: Child, events_before: list[str]) -> None:
    """A 404 naming the child; the deletion is all that happened: no tracking event, no row left
    for the child, and the only stream event is the deletion's."""
    assert response.status_code == 404, response.content
    assert response.json() == {"detail": CHILD_GONE.format(child_id=child.pk)}
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not TrackingEvent.objects.filter(child_id=child.pk).exists()
    assert not TaskOverride.objects.filter(child_id=child.pk).exists()
    assert not Child.tasks.through.objects.filter(child_id=child.pk).exists()
    assert stream_event_types(child) == [*events_before, "child_deleted"]


CHILD_ACTIONS = {
    "activate": ("post", "child-activate", lambda chore: {"task_id": chore.pk}),
    "adjust": ("post", "child-adjust", lambda chore: {"points": 5, "reason": "Birthday"}),
    "rename": ("patch", "child-detail", lambda chore: {"name": "Renamed"}),
    "assign tasks": ("put", "child-tasks", lambda chore: {"task_ids": [chore.pk]}),
    "delete again": ("delete", "child-detail", lambda chore: None),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", CHILD_ACTIONS)
def test_an_action_on_a_child_deleted_after_its_lookup_is_a_404_that_changes_nothing(
    name, child_deleted_after_lookup, parent_client, child, chore
):
    method, route, body = CHILD_ACTIONS[name]
    parent_client.raise_request_exception = False  # before the fix: a 500, not an exception here
    events_before = stream_event_types(child)

    response = getattr(parent_client, method)(
        reverse(route, args=[child.pk]), body(chore), format="json"
    )

    assert_gone_and_nothing_changed(response, child, events_before)


SERVICE_CALLS: dict[str, Callable[[Child, object], object]] = {
    "activate_task": lambda child, chore: services.activate_task(child=child, task=chore),
    "adjust_points": lambda child, chore: services.adjust_points(
        child=child, points=5, reason="Birthday"
    ),
    "reverse_change": lambda child, chore: services.reverse_change(
        child=child,
        delta=10,
        entity_type="task",
        entity_id=chore.pk,
        entity_name=chore.name,
        reverses=1,
        reason="wrong child",
    ),
    "update_child": lambda child, chore: services.update_child(child=child, name="Renamed"),
    "assign_tasks": lambda child, chore: services.assign_tasks(child=child, tasks=[chore]),
    "set_task_override": lambda child, chore: services.set_task_override(
        child=child, task=chore, points=3
    ),
    "delete_child": lambda child, chore: services.delete_child(child=child),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", SERVICE_CALLS)
def test_a_service_given_a_child_whose_row_is_gone_raises_not_found_and_writes_nothing(
    name, child, chore
):
    stale = Child.objects.get(pk=child.pk)
    services.delete_child(child=Child.objects.get(pk=child.pk))
    tracking_events, stream_events = TrackingEvent.objects.count(), StoredEvent.objects.count()

    with pytest.raises(NotFound) as raised:
        SERVICE_CALLS[name](stale, chore)

    assert raised.value.message == CHILD_GONE.format(child_id=child.pk)
    assert TrackingEvent.objects.count() == tracking_events
    assert StoredEvent.objects.count() == stream_events
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not TaskOverride.objects.filter(child_id=child.pk).exists()
    assert not Child.tasks.through.objects.filter(child_id=child.pk).exists()


@pytest.mark.django_db
def test_reversing_an_event_whose_child_is_gone_stays_a_409_not_a_404(parent_client, child, chore):
    """The URL names the event, which outlives its child: the child's absence is a conflict with
    the state, the same whether it was deleted long ago or while the reversal ran."""
    activated = parent_client.post(
        reverse("child-activate", args=[child.pk]), {"task_id": chore.pk}, format="json"
    ).json()["tracking_event"]
    parent_client.delete(reverse("child-detail", args=[child.pk]))

    response = parent_client.post(
        reverse("event-reverse", args=[activated["id"]]), {"reason": "oops"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {"detail": REVERSAL_CHILD_GONE.format(event_id=activated["id"])}
    assert not TrackingEvent.objects.filter(reverses=activated["id"]).exists()


def race_with_deletion(concurrently, parent, action: Callable[..., object]) -> list[int]:
    """`ROUNDS` times: a fresh child with a chore, then `action(client, child, chore)` and
    `DELETE /api/children/{id}/` at the same moment, in two threads. Returns how each action
    answered (`answer_kind`); checks that every deletion answered 204, every action 200 or 404,
    and that each 200 left its tracking event and each 404 none."""
    statuses = []
    for _ in range(ROUNDS):
        child = ChildFactory(owner=parent, points=50)
        chore = TaskFactory(owner=parent, points=10)
        child.tasks.add(chore)
        acting, deleting = client_for(parent), client_for(parent)
        acting.raise_request_exception = deleting.raise_request_exception = False

        def run(index: int, child=child, chore=chore, acting=acting, deleting=deleting):
            if index == 0:
                return action(acting, child, chore)
            return deleting.delete(reverse("child-detail", args=[child.pk]))

        outcomes = concurrently(2, run)

        assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
        acted, deleted = outcomes[0][1], outcomes[1][1]
        assert deleted.status_code == 204, deleted.content
        assert acted.status_code in (200, 404), (acted.status_code, acted.content)
        if acted.status_code == 200:
            event = acted.json()["tracking_event"]
            assert TrackingEvent.objects.filter(pk=event["id"], child_id=child.pk).exists()
        else:
            assert not TrackingEvent.objects.filter(child_id=child.pk).exists()
        assert not Child.objects.filter(pk=child.pk).exists()
        statuses.append(answer_kind(acted, child))
    return statuses


def answer_kind(response, child: Child) -> str:
    """ "ok"; "404 at the lock" (the deletion committed between the view's lookup and the service's
    lock: a 500 before this was fixed); or "404 at the lookup" (it committed before the view
    looked the child up)."""
    if response.status_code != 404:
        return "ok"
    if response.json() == {"detail": CHILD_GONE.format(child_id=child.pk)}:
        return "404 at the lock"
    assert response.json() == {"detail": LOOKUP_NOT_FOUND}
    return "404 at the lookup"


def print_counts(race: str, statuses: list[str]) -> None:
    counts = ", ".join(f"{statuses.count(kind)} {kind}" for kind in sorted(set(statuses)))
    print(f"\n{race}, {ROUNDS} rounds: {counts}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_activations_racing_the_deletion_of_their_child_answer_200_or_404_never_500(
    concurrently, parent
):
    def activate(client, child, chore):
        return client.post(
            reverse("child-activate", args=[child.pk]), {"task_id": chore.pk}, format="json"
        )

    statuses = race_with_deletion(concurrently, parent, activate)

    print_counts("activate vs delete", statuses)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_adjustments_racing_the_deletion_of_their_child_answer_200_or_404_never_500(
    concurrently, parent
):
    def adjust(client, child, chore):
        return client.post(
            reverse("child-adjust", args=[child.pk]),
            {"points": -5, "reason": "Lost the book"},
            format="json",
        )

    statuses = race_with_deletion(concurrently, parent, adjust)

    print_counts("adjust vs delete", statuses)
