"""Writes that refer to a task (a device's claim, an assignment, an override) racing
`DELETE /api/tasks/{id}/`: whichever locks the task first wins, and no one gets a 500.

On PostgreSQL the foreign keys are checked at COMMIT: before the task's row was locked on both
sides, a claim inserted while the task was being deleted failed there (a 500, about 7 rounds in
15). `testsupport.races` holds one side's transaction open right after its statement, so that
each order is played on purpose; the last test runs the free race, in threads."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from children import services
from children.models import Child, Claim, Task, TaskOverride
from children.tests.test_deletion_races import print_counts
from conftest import client_for
from devices.tests.conftest import device_client_for, pair
from kernel.errors import InvalidAction
from kernel.referenced import DOES_NOT_EXIST, UNKNOWN_IDS
from testsupport.admin_deletion import ADMIN_DELETIONS, admin_deletion
from testsupport.factories import ChildFactory, TaskFactory
from testsupport.races import race_in_order

ROUNDS = 30
DELETE_TASK = 'DELETE FROM "children_task"'


@dataclass(frozen=True)
class TaskWrite:
    """A write that refers to a task: how to send it, the row it inserts (its table), what it
    answers when it wins, and its 400 when the task is gone (as for an id that never existed)."""

    send: Callable[[Any, Child, Task], Any]
    table: str
    created: int
    gone: Callable[[Task], dict]


def claim(parent, child, task):
    _, credential = pair(children=[child], by=parent)
    client = device_client_for(credential)
    client.raise_request_exception = False
    return lambda: client.post(
        reverse("kid-claims", args=[child.pk]), {"task_id": task.pk}, format="json"
    )


def assign(parent, child, task):
    client = guardian(parent)
    return lambda: client.put(
        reverse("child-tasks", args=[child.pk]), {"task_ids": [task.pk]}, format="json"
    )


def override(parent, child, task):
    client = guardian(parent)
    body = {"entity_type": "task", "entity_id": task.pk, "value": 3}
    return lambda: client.put(reverse("child-overrides", args=[child.pk]), body, format="json")


def guardian(parent):
    client = client_for(parent)
    client.raise_request_exception = False
    return client


WRITES = {
    "a device's claim": TaskWrite(
        claim,
        "children_claim",
        201,
        lambda task: {"task_id": [DOES_NOT_EXIST.format(kind="Task", id=task.pk)]},
    ),
    "an assignment": TaskWrite(
        assign,
        "children_child_tasks",
        200,
        lambda task: {"task_ids": [UNKNOWN_IDS.format(kind="task", ids=task.pk)]},
    ),
    "an override": TaskWrite(
        override,
        "children_taskoverride",
        200,
        lambda task: {"entity_id": [DOES_NOT_EXIST.format(kind="Task", id=task.pk)]},
    ),
}


def family(parent, name: str) -> tuple[Child, Task]:
    """A child and a chore; assigned, but for an assignment (which then inserts it)."""
    child = ChildFactory(owner=parent, points=50)
    chore = TaskFactory(owner=parent, points=10)
    if name != "an assignment":
        child.tasks.add(chore)
    return child, chore


def deletion(parent, chore: Task):
    client = guardian(parent)
    return lambda: client.delete(reverse("task-detail", args=[chore.pk]))


def nothing_refers_to(chore: Task) -> bool:
    return not (
        Task.objects.filter(pk=chore.pk).exists()
        or Claim.objects.filter(task_id=chore.pk).exists()
        or TaskOverride.objects.filter(task_id=chore.pk).exists()
        or Child.tasks.through.objects.filter(task_id=chore.pk).exists()
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", WRITES)
def test_a_task_deletion_waits_for_a_write_that_refers_to_the_task_and_then_deletes_its_row(
    name, concurrently, parent
):
    """The write has inserted its row, not committed: the deletion waits for it, then cascades
    to the committed row (it used to delete the task first and fail the write at COMMIT)."""
    write = WRITES[name]
    child, chore = family(parent, name)

    written, deleted, deletion_waited = race_in_order(
        write.send(parent, child, chore),
        deletion(parent, chore),
        pause_after=f'INSERT INTO "{write.table}"',
    )

    assert written.error is None and deleted.error is None, (written.error, deleted.error)
    assert written.result.status_code == write.created, written.result.content
    assert deleted.result.status_code == 204, deleted.result.content
    assert deletion_waited
    assert nothing_refers_to(chore)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", WRITES)
def test_a_write_that_refers_to_a_task_being_deleted_waits_and_answers_as_for_an_unknown_task(
    name, concurrently, parent
):
    """The deletion has deleted the row, not committed: the write (its lookup done) waits for it,
    then answers the 400 of a task that does not exist, with nothing written."""
    write = WRITES[name]
    child, chore = family(parent, name)

    deleted, written, _ = race_in_order(
        deletion(parent, chore), write.send(parent, child, chore), pause_after=DELETE_TASK
    )

    assert written.error is None and deleted.error is None, (written.error, deleted.error)
    assert deleted.result.status_code == 204, deleted.result.content
    assert written.result.status_code == 400, written.result.content
    assert written.result.json() == write.gone(chore)
    assert nothing_refers_to(chore)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bulk", [False, True], ids=ADMIN_DELETIONS)
@pytest.mark.parametrize("name", WRITES)
def test_a_task_deletion_in_the_admin_waits_for_a_write_that_refers_to_the_task_and_then_deletes_its_row(
    name, bulk, concurrently, parent
):
    """As through the API: the admin's deletion (its page, or "delete selected") waits for the
    write's row and cascades to it. It used to skip the task's lock, collect the cascade before
    the write committed, and fail the foreign key at COMMIT: a 500."""
    write = WRITES[name]
    child, chore = family(parent, name)

    written, deleted, deletion_waited = race_in_order(
        write.send(parent, child, chore),
        admin_deletion(chore, bulk=bulk),
        pause_after=f'INSERT INTO "{write.table}"',
    )

    assert written.error is None and deleted.error is None, (written.error, deleted.error)
    assert written.result.status_code == write.created, written.result.content
    assert deleted.result.status_code == 302, deleted.result.content[:300]
    assert deletion_waited
    assert nothing_refers_to(chore)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bulk", [False, True], ids=ADMIN_DELETIONS)
def test_a_claim_of_a_task_being_deleted_in_the_admin_waits_and_answers_as_for_an_unknown_task(
    bulk, concurrently, parent
):
    write = WRITES["a device's claim"]
    child, chore = family(parent, "a device's claim")

    deleted, written, _ = race_in_order(
        admin_deletion(chore, bulk=bulk),
        write.send(parent, child, chore),
        pause_after=DELETE_TASK,
    )

    assert written.error is None and deleted.error is None, (written.error, deleted.error)
    assert deleted.result.status_code == 302, deleted.result.content[:300]
    assert written.result.status_code == 400, written.result.content
    assert written.result.json() == write.gone(chore)
    assert nothing_refers_to(chore)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "refer",
    [
        lambda child, chore: services.set_task_override(child=child, task=chore, points=3),
        lambda child, chore: services.assign_tasks(child=child, tasks=[chore]),
    ],
    ids=["set_task_override", "assign_tasks"],
)
def test_a_service_given_a_task_whose_row_is_gone_raises_invalid_action_and_writes_nothing(
    refer, child, chore
):
    Task.objects.filter(pk=chore.pk).delete()

    with pytest.raises(InvalidAction):
        refer(child, chore)

    assert nothing_refers_to(chore)


@pytest.mark.django_db
def test_deleting_a_task_deletes_its_claims_overrides_and_assignments(
    parent, parent_client, child, chore
):
    Claim.objects.create(child=child, task=chore)
    services.set_task_override(child=child, task=chore, points=3)

    response = parent_client.delete(reverse("task-detail", args=[chore.pk]))

    assert response.status_code == 204
    assert nothing_refers_to(chore)
    assert Child.objects.filter(pk=child.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_claims_racing_the_deletion_of_their_chore_answer_201_or_400_never_500(
    concurrently, parent
):
    """The free race, as the review ran it over HTTP: `ROUNDS` times, a device's claim and the
    chore's deletion at the same moment."""
    statuses = []
    for _ in range(ROUNDS):
        child, chore = family(parent, "a device's claim")
        send, delete = claim(parent, child, chore), deletion(parent, chore)

        outcomes = concurrently(2, lambda index, send=send, delete=delete: (send, delete)[index]())

        assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
        claimed, deleted = outcomes[0][1], outcomes[1][1]
        assert deleted.status_code == 204, deleted.content
        assert claimed.status_code in (201, 400), (claimed.status_code, claimed.content)
        assert nothing_refers_to(chore)
        statuses.append(str(claimed.status_code))

    print_counts("device claim vs task delete", statuses)
