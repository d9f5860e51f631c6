"""Concurrent activations on one child, in real threads with their own PostgreSQL connections:
the child's row lock makes them run one after the other, so no update is lost."""

import pytest

from children import services, signals
from children.models import Child, Task
from testsupport.factories import ChildFactory, PenaltyFactory, TaskFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ACTIVATIONS = 50


def test_simultaneous_activations_on_one_child_lose_no_update(concurrently, record, parent):
    child = ChildFactory(owner=parent, points=0)
    chore = TaskFactory(owner=parent, points=10)
    child.tasks.add(chore)
    recorder = record(signals.task_activated)

    def activate(index: int) -> int:
        result = services.activate_task(
            child=Child.objects.get(pk=child.pk), task=Task.objects.get(pk=chore.pk)
        )
        return result.child.points

    outcomes = concurrently(ACTIVATIONS, activate)

    assert [kind for kind, _ in outcomes] == ["ok"] * ACTIVATIONS, outcomes
    assert Child.objects.get(pk=child.pk).points == ACTIVATIONS * 10
    # Each one saw the points the previous one left: one unbroken chain 0 → 10 → ... → 500.
    assert sorted(value for _, value in outcomes) == list(range(10, ACTIVATIONS * 10 + 1, 10))
    assert sorted(
        (call["event"].points_before, call["event"].points_after) for call in recorder.calls
    ) == [(before, before + 10) for before in range(0, ACTIVATIONS * 10, 10)]


def test_simultaneous_chores_and_penalties_end_where_serial_ones_would(concurrently, parent):
    child = ChildFactory(owner=parent, points=1000)
    chore = TaskFactory(owner=parent, points=7)
    penalty = PenaltyFactory(owner=parent, points=3)
    child.tasks.add(chore, penalty)

    def activate(index: int) -> None:
        task = chore if index % 2 else penalty
        services.activate_task(child=Child.objects.get(pk=child.pk), task=task)

    outcomes = concurrently(ACTIVATIONS, activate)

    assert [kind for kind, _ in outcomes] == ["ok"] * ACTIVATIONS, outcomes
    # Points never get near 0, so the floor never applies: 25 chores (+7) and 25 penalties (-3).
    assert Child.objects.get(pk=child.pk).points == 1000 + 25 * 7 - 25 * 3
