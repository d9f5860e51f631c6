"""The children services: points rules of tasks and penalties, overrides, assignments, and the signals
each service sends (checked with real receivers, not mocks)."""

import logging

import pytest
from django.utils import timezone

from accounts.services import delete_account
from children import services, signals
from children.models import Child, Task, TaskOverride
from kernel.errors import InvalidAction
from testsupport.factories import ChildFactory, PenaltyFactory, TaskFactory, household_of, owner_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def reload(child: Child) -> Child:
    return Child.objects.get(pk=child.pk)


# --- Points rules --------------------------------------------------------------------------------


def test_chore_adds_its_points_to_the_child(child, chore):
    result = services.activate_task(child=child, task=chore)

    assert result.child.points == 10
    assert reload(child).points == 10


def test_chore_adds_to_the_points_already_there(parent):
    child = ChildFactory(owner=parent, points=7)
    chore = TaskFactory(owner=parent, points=5)
    child.tasks.add(chore)

    services.activate_task(child=child, task=chore)

    assert reload(child).points == 12


def test_penalty_takes_its_points_away(parent):
    child = ChildFactory(owner=parent, points=50)
    penalty = PenaltyFactory(owner=parent, points=30)
    child.tasks.add(penalty)

    services.activate_task(child=child, task=penalty)

    assert reload(child).points == 20


def test_penalty_never_takes_points_below_zero(parent):
    child = ChildFactory(owner=parent, points=12)
    penalty = PenaltyFactory(owner=parent, points=30)
    child.tasks.add(penalty)

    result = services.activate_task(child=child, task=penalty)

    assert result.child.points == 0
    assert reload(child).points == 0


def test_penalty_on_a_child_with_zero_points_leaves_zero(child, penalty):
    services.activate_task(child=child, task=penalty)

    assert reload(child).points == 0


def test_chore_override_is_used_instead_of_the_default_points(child, chore):
    services.set_task_override(child=child, task=chore, points=25)

    services.activate_task(child=child, task=chore)

    assert reload(child).points == 25


def test_penalty_override_is_used_instead_of_the_default_points(parent):
    child = ChildFactory(owner=parent, points=100)
    penalty = PenaltyFactory(owner=parent, points=30)
    child.tasks.add(penalty)
    services.set_task_override(child=child, task=penalty, points=7)

    services.activate_task(child=child, task=penalty)

    assert reload(child).points == 93


def test_override_of_one_child_does_not_change_another_childs_points(parent, chore):
    first, second = ChildFactory(owner=parent), ChildFactory(owner=parent)
    for kid in (first, second):
        kid.tasks.add(chore)
    services.set_task_override(child=first, task=chore, points=99)

    services.activate_task(child=second, task=chore)

    assert reload(second).points == chore.points


def test_cleared_override_brings_back_the_default_points(child, chore):
    services.set_task_override(child=child, task=chore, points=25)

    assert services.clear_task_override(child=child, task=chore) is True
    services.activate_task(child=child, task=chore)

    assert reload(child).points == chore.points


def test_clearing_a_missing_override_reports_false(child, chore):
    assert services.clear_task_override(child=child, task=chore) is False


def test_setting_an_override_twice_keeps_one_row_with_the_last_value(child, chore):
    services.set_task_override(child=child, task=chore, points=3)
    services.set_task_override(child=child, task=chore, points=4)

    assert list(TaskOverride.objects.filter(child=child).values_list("points", flat=True)) == [4]


def test_activating_an_unassigned_task_is_an_invalid_action_naming_both(parent, child):
    task = TaskFactory(owner=parent, name="Walk the dog")

    with pytest.raises(InvalidAction) as caught:
        services.activate_task(child=child, task=task)

    assert caught.value.message == services.not_assigned_message(
        kind="Task", entity=task, child=child
    )
    assert task.name in caught.value.message
    assert child.name in caught.value.message
    assert caught.value.field == "task_id"
    assert reload(child).points == 0


def test_activating_an_unassigned_penalty_names_it_a_penalty(parent):
    child = ChildFactory(owner=parent, points=40)
    penalty = PenaltyFactory(owner=parent)

    with pytest.raises(InvalidAction) as caught:
        services.activate_task(child=child, task=penalty)

    assert caught.value.message == services.not_assigned_message(
        kind="Penalty", entity=penalty, child=child
    )
    assert reload(child).points == 40


def test_activating_a_task_after_it_was_unassigned_is_refused(child, chore):
    services.assign_tasks(child=child, tasks=[])

    with pytest.raises(InvalidAction):
        services.activate_task(child=child, task=chore)


# --- task_activated ------------------------------------------------------------------------------


def test_chore_activation_sends_task_activated_once_with_the_exact_payload(
    record, parent, child, chore
):
    recorder = record(signals.task_activated)
    start = timezone.now()

    services.activate_task(child=child, task=chore)

    end = timezone.now()
    call = recorder.single_call(start=start, end=end)
    assert call == {
        "sender": Task,
        "child": child,
        "event": {
            "user_id": parent.pk,
            "child_id": child.pk,
            "child_name": child.name,
            "child_age": child.age,
            "entity_type": "task",
            "entity_id": chore.pk,
            "action": "activated",
            "points_before": 0,
            "points_after": 10,
            "metadata": {
                "child_name": child.name,
                "entity_name": chore.name,
                "actor": "guardian",
                "default_value": 10,
                "override_applied": False,
                "value": 10,
            },
        },
    }
    assert call["child"].points == 10


def test_penalty_activation_sends_entity_type_penalty_and_the_floored_points(record, parent):
    child = ChildFactory(owner=parent, points=12)
    penalty = PenaltyFactory(owner=parent, points=30)
    child.tasks.add(penalty)
    recorder = record(signals.task_activated)
    start = timezone.now()

    services.activate_task(child=child, task=penalty)

    end = timezone.now()
    call = recorder.single_call(start=start, end=end)
    assert call == {
        "sender": Task,
        "child": child,
        "event": {
            "user_id": parent.pk,
            "child_id": child.pk,
            "child_name": child.name,
            "child_age": child.age,
            "entity_type": "penalty",
            "entity_id": penalty.pk,
            "action": "activated",
            "points_before": 12,
            "points_after": 0,
            "metadata": {
                "child_name": child.name,
                "entity_name": penalty.name,
                "actor": "guardian",
                "default_value": 30,
                "override_applied": False,
                "value": 30,
            },
        },
    }


def test_activation_with_an_override_says_so_in_the_metadata(record, child, chore):
    services.set_task_override(child=child, task=chore, points=25)
    recorder = record(signals.task_activated)

    services.activate_task(child=child, task=chore)

    (call,) = recorder.calls
    assert call["event"].points_before == 0
    assert call["event"].points_after == 25
    assert call["event"].metadata["default_value"] == 10
    assert call["event"].metadata["override_applied"] is True
    assert call["event"].metadata["value"] == 25


def test_a_devices_action_names_the_child_as_actor_and_the_device(record, child, chore):
    recorder = record(signals.task_activated)

    services.move_points(
        child=child,
        to=3,
        signal=signals.task_activated,
        sender=Task,
        entity_type="task",
        entity_id=chore.pk,
        action="activated",
        metadata={"entity_name": chore.name},
        device_id=7,
    )

    (call,) = recorder.calls
    assert call["event"].metadata["actor"] == "child"
    assert call["event"].metadata["device_id"] == 7


def test_metadata_cannot_name_the_actor(record, child, chore):
    """Who acted is the credential's: metadata passed in cannot override it."""
    recorder = record(signals.task_activated)

    services.activate_task(child=child, task=chore, metadata={"actor": "child"})

    (call,) = recorder.calls
    assert call["event"].metadata["actor"] == "guardian"


def test_refused_activation_sends_nothing(record, parent, child):
    recorder = record(signals.task_activated)

    with pytest.raises(InvalidAction):
        services.activate_task(child=child, task=TaskFactory(owner=parent))

    assert recorder.calls == []


def test_activation_result_carries_what_receivers_return(record, child, chore):
    def add_extra(sender, **kwargs):
        return {"listener_extra": {"id": 123}}

    signals.task_activated.connect(add_extra, weak=False)
    try:
        result = services.activate_task(child=child, task=chore)
    finally:
        signals.task_activated.disconnect(add_extra)

    assert result.extras["listener_extra"] == {"id": 123}


def test_a_failing_receiver_neither_fails_nor_undoes_the_activation(caplog, child, chore):
    def broken(sender, **kwargs):
        raise RuntimeError("listener is down")

    signals.task_activated.connect(broken, weak=False)
    try:
        with caplog.at_level(logging.ERROR, logger="kernel.announce"):
            result = services.activate_task(child=child, task=chore)
    finally:
        signals.task_activated.disconnect(broken)

    assert result.child.points == 10
    assert reload(child).points == 10
    assert any(
        record.levelno == logging.ERROR and record.exc_info[0] is RuntimeError
        for record in caplog.records
    )


# --- Child lifecycle signals ---------------------------------------------------------------------


def test_create_child_starts_at_zero_points_and_sends_child_created(record, parent):
    recorder = record(signals.child_created)
    start = timezone.now()

    child = services.create_child(household=household_of(parent), name="Alice", age=9)

    end = timezone.now()
    assert (child.name, child.age, child.points, owner_of(child)) == ("Alice", 9, 0, parent)
    call = recorder.single_call(start=start, end=end)
    assert call == {"sender": Child, "user_id": parent.pk, "child": child}


def test_update_child_saves_the_changes_and_sends_child_changed_naming_them(record, parent, child):
    recorder = record(signals.child_changed)
    start = timezone.now()

    services.update_child(child=child, name="Renamed", age=11)

    end = timezone.now()
    saved = reload(child)
    assert (saved.name, saved.age) == ("Renamed", 11)
    call = recorder.single_call(start=start, end=end)
    assert call == {
        "sender": Child,
        "user_id": parent.pk,
        "child": child,
        "changed": ["name", "age"],
    }


def test_update_child_lists_only_the_fields_it_was_given(record, child):
    recorder = record(signals.child_changed)

    services.update_child(child=child, age=3)

    (call,) = recorder.calls
    assert call["changed"] == ["age"]


def test_update_child_cannot_change_points(child):
    services.update_child(child=child, name="Same", points=500)

    assert reload(child).points == 0


def test_assign_tasks_replaces_the_assignment_and_sends_child_changed(record, parent, child, chore):
    new_chore, new_penalty = TaskFactory(owner=parent), PenaltyFactory(owner=parent)
    recorder = record(signals.child_changed)
    start = timezone.now()

    services.assign_tasks(child=child, tasks=[new_chore, new_penalty])

    end = timezone.now()
    assert set(reload(child).tasks.all()) == {new_chore, new_penalty}
    call = recorder.single_call(start=start, end=end)
    assert call == {"sender": Child, "user_id": parent.pk, "child": child, "changed": ["task_ids"]}


def test_delete_child_removes_it_and_sends_child_deleted_with_its_id_and_name(
    record, parent, child
):
    child_id, child_name, household_id = child.pk, child.name, child.household_id
    recorder = record(signals.child_deleted)
    start = timezone.now()

    services.delete_child(child=child)

    end = timezone.now()
    assert not Child.objects.filter(pk=child_id).exists()
    call = recorder.single_call(start=start, end=end)
    assert call == {
        "sender": Child,
        "user_id": parent.pk,
        "household_id": household_id,
        "child_id": child_id,
        "child_name": child_name,
    }


def test_deleting_a_parent_account_sends_no_child_deleted(record, parent, child):
    recorder = record(signals.child_deleted)

    delete_account(user=parent)

    assert not Child.objects.filter(pk=child.pk).exists()
    assert recorder.calls == []


def test_points_changes_send_no_child_changed(record, child, chore):
    recorder = record(signals.child_changed)

    services.activate_task(child=child, task=chore)

    assert recorder.calls == []
