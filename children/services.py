"""Writes of the children app: one function per thing a parent does."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from children import signals
from children.models import Child, Task, TaskOverride
from households.models import Household
from households.selectors import owner_id_of
from kernel.announce import announce
from kernel.errors import InvalidAction, NotFound
from kernel.events import PointsChanged
from kernel.referenced import keep_all_referenced, keep_referenced, lock_for_deletion


@dataclass(frozen=True)
class ActionResult:
    """What a points action leaves behind: the child as saved, the event it announced, and what
    listeners added for the response (the ledger adds `tracking_event`)."""

    child: Child
    event: PointsChanged | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def response(self, **fields: Any) -> dict[str, Any]:
        """The action's API response: `fields`, then what the listeners added."""
        return {**fields, **self.extras}


def not_assigned_message(*, kind: str, entity: models.Model, child: Child) -> str:
    name = getattr(entity, "name", "")
    return (
        f"{kind} '{name}' (id {entity.pk}) is not assigned to child '{child.name}' (id {child.pk})."
    )


CHILD_GONE = "Child {child_id} no longer exists; nothing changed."


def acting_user_id(*, household_id: int, by: AbstractBaseUser | None) -> int | None:
    """Who an action is recorded for: the acting account (`by`); without one (the admin, a
    script, a seed), the household's owner."""
    return by.pk if by is not None else owner_id_of(household_id)


def actor_metadata(device_id: int | None) -> dict[str, Any]:
    """`actor` (and `device_id`) of an action's event: decided by the credential that acted."""
    if device_id is None:
        return {"actor": "guardian"}
    return {"actor": "child", "device_id": device_id}


def lock_children_of(household_id: int) -> list[int]:
    """Lock every child of a household, in id order (the order several children are locked in);
    their ids."""
    children = Child.objects.select_for_update(of=("self",)).filter(household_id=household_id)
    return list(children.order_by("pk").values_list("pk", flat=True))


def lock_child(child_id: int) -> Child:
    """Lock a child's row for the rest of the transaction; every write on a child starts here
    (its deletion too), so concurrent actions on one child run one after the other and none is
    lost.

    Raises NotFound when the row is gone: the caller found the child, then a deletion committed
    before this lock (or while it waited for it).
    """
    child = Child.objects.select_for_update(of=("self",)).filter(pk=child_id).first()
    if child is None:
        raise NotFound(CHILD_GONE.format(child_id=child_id))
    return child


def create_child(
    *,
    household: Household,
    name: str,
    age: int | None = None,
    by: AbstractBaseUser | None = None,
) -> Child:
    """Add a child to a household, with 0 points."""
    with transaction.atomic():
        child = Child.objects.create(household=household, name=name, age=age)
        announce(
            signals.child_created,
            sender=Child,
            user_id=acting_user_id(household_id=household.pk, by=by),
            child=child,
            occurred_at=timezone.now(),
        )
    return child


def update_child(*, child: Child, by: AbstractBaseUser | None = None, **changes: Any) -> Child:
    """Change a child's name and/or age (points are not editable)."""
    changed = [name for name in ("name", "age") if name in changes]
    with transaction.atomic():
        child = lock_child(child.pk)
        for name in changed:
            setattr(child, name, changes[name])
        child.save(update_fields=[*changed, "updated_at"])
        announce(
            signals.child_changed,
            sender=Child,
            user_id=acting_user_id(household_id=child.household_id, by=by),
            child=child,
            changed=changed,
            occurred_at=timezone.now(),
        )
    return child


def delete_child(*, child: Child, by: AbstractBaseUser | None = None) -> None:
    """Remove a child, its assignments, overrides and requests. Its tracking history stays.

    The child's lock comes first: the rows an action on it committed meanwhile (a request, an
    override, an assignment) are then visible to the cascade, instead of failing its foreign keys
    at commit; and of two deletions of one child, the second is a NotFound.
    """
    with transaction.atomic():
        child = lock_child(child.pk)
        child_id, child_name, household_id = child.pk, child.name, child.household_id
        user_id = acting_user_id(household_id=household_id, by=by)
        child.delete()
        announce(
            signals.child_deleted,
            sender=Child,
            user_id=user_id,
            household_id=household_id,
            child_id=child_id,
            child_name=child_name,
            occurred_at=timezone.now(),
        )


def assign_tasks(
    *, child: Child, tasks: Iterable[Task], by: AbstractBaseUser | None = None
) -> Child:
    """Replace the set of tasks and penalties assigned to a child."""
    tasks = list(tasks)
    with transaction.atomic():
        child = lock_child(child.pk)
        keep_all_referenced(Task, [task.pk for task in tasks], field="task_ids")
        child.tasks.set(tasks)
        return announce_assignment_changed(child, "task_ids", by=by)


def announce_assignment_changed(
    child: Child, what: str, *, by: AbstractBaseUser | None = None
) -> Child:
    """Tell listeners that one of a child's assignments (`task_ids`, `reward_ids`) was replaced,
    inside the caller's transaction, on a child it locked with `lock_child`."""
    child.save(update_fields=["updated_at"])
    announce(
        signals.child_changed,
        sender=Child,
        user_id=acting_user_id(household_id=child.household_id, by=by),
        child=child,
        changed=[what],
        occurred_at=timezone.now(),
    )
    return child


def create_task(*, household: Household, name: str, points: int, is_good: bool = True) -> Task:
    """Add a chore (`is_good`) or a penalty to a household's list."""
    return Task.objects.create(household=household, name=name, points=points, is_good=is_good)


TASK_GONE = "Task {task_id} no longer exists; nothing changed."


def delete_task(*, task: Task) -> None:
    """Remove a chore or penalty, its assignments, overrides and claims (and the badges that
    count it). Its history stays.

    The task's lock comes first (`kernel.referenced`): a claim, override or assignment that locked
    it before is committed when the cascade looks, so the cascade deletes it instead of failing a
    foreign key at commit; one that comes after finds the task gone.

    The household's children are locked before it, in id order: a child's streak choice may name
    the task, and its listeners (`task_deleting`, `task_deleted`) rebuild those children, which an
    action holding a child's lock and waiting for the task's would otherwise deadlock with.

    Raises NotFound when another deletion of the task committed first.
    """
    with transaction.atomic():
        lock_children_of(task.household_id)
        if not lock_for_deletion(task):
            raise NotFound(TASK_GONE.format(task_id=task.pk))
        signals.task_deleting.send(sender=Task, task=task)
        task.delete()
        signals.task_deleted.send(sender=Task, task=task)


def set_task_override(*, child: Child, task: Task, points: int) -> TaskOverride:
    """Use `points` for this child instead of the task's default points."""
    with transaction.atomic():
        lock_child(child.pk)
        keep_referenced(task, field="entity_id", kind=task.entity_type.title())
        override, _ = TaskOverride.objects.update_or_create(
            child=child, task=task, defaults={"points": points}
        )
    return override


def clear_task_override(*, child: Child, task: Task) -> bool:
    """Go back to the task's default points; False when there was no override."""
    deleted, _ = TaskOverride.objects.filter(child=child, task=task).delete()
    return bool(deleted)


def task_value(*, child: Child, task: Task) -> tuple[int, bool]:
    """The points this task gives (or takes from) this child now, and whether its override set
    them."""
    override = (
        TaskOverride.objects.filter(child=child, task=task).values_list("points", flat=True).first()
    )
    return (task.points, False) if override is None else (override, True)


def activate_task(
    *,
    child: Child,
    task: Task,
    by: AbstractBaseUser | None = None,
    device_id: int | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> ActionResult:
    """Apply a chore (adds its points) or a penalty (takes them away, never below 0) to a child.
    `metadata` adds to the event's (an approved claim adds its id and who approved it);
    `device_id` is the paired device that caused it (a claim approved automatically).

    Raises InvalidAction when the task is not assigned to the child.
    """
    with transaction.atomic():
        child = lock_child(child.pk)
        if not child.tasks.filter(pk=task.pk).exists():
            raise InvalidAction(
                not_assigned_message(kind=task.entity_type.title(), entity=task, child=child),
                field="task_id",
            )
        value, override_applied = task_value(child=child, task=task)
        # A penalty never takes a child below 0.
        points_after = child.points + value if task.is_good else max(0, child.points - value)
        return move_points(
            by=by,
            device_id=device_id,
            child=child,
            to=points_after,
            signal=signals.task_activated,
            sender=Task,
            entity_id=task.pk,
            entity_type=task.entity_type,
            action="activated",
            metadata={
                "entity_name": task.name,
                "default_value": task.points,
                "override_applied": override_applied,
                "value": value,
                **(metadata or {}),
            },
        )


ADJUSTMENT_NAME = "Manual adjustment"


def adjust_points(
    *,
    child: Child,
    points: int,
    reason: str,
    by: AbstractBaseUser | None = None,
) -> ActionResult:
    """Add (or, with a negative number, remove) points by hand; never below 0. History is not
    edited: the adjustment is a new action with its reason."""
    with transaction.atomic():
        child = lock_child(child.pk)
        return move_points(
            by=by,
            child=child,
            to=max(0, child.points + points),
            signal=signals.points_adjusted,
            sender=Child,
            entity_id=None,
            entity_type="adjustment",
            action="adjusted",
            metadata={
                "entity_name": ADJUSTMENT_NAME,
                "default_value": points,
                "override_applied": False,
                "value": points,
                "reason": reason,
            },
        )


def reverse_change(
    *,
    child: Child,
    delta: int,
    entity_type: str,
    entity_id: int | None,
    entity_name: str,
    reverses: int,
    reason: str,
    by: AbstractBaseUser | None = None,
) -> ActionResult:
    """Undo an earlier change of `delta` points by applying its exact opposite (floored at 0).

    `reverses` identifies the record being undone; the caller checks it may be undone (once).
    """
    with transaction.atomic():
        child = lock_child(child.pk)
        points_after = max(0, child.points - delta)
        return move_points(
            by=by,
            child=child,
            to=points_after,
            signal=signals.points_reversed,
            sender=Child,
            entity_id=entity_id,
            entity_type=entity_type,
            action="reversed",
            metadata={
                "entity_name": entity_name,
                "default_value": -delta,
                "override_applied": False,
                "value": points_after - child.points,
                "reason": reason,
                "reverses": reverses,
            },
        )


def move_points(
    *,
    child: Child,
    to: int,
    signal: Signal,
    sender: type,
    entity_type: str,
    entity_id: int | None,
    action: str,
    metadata: Mapping[str, Any],
    occurred_at: datetime | None = None,
    by: AbstractBaseUser | None = None,
    device_id: int | None = None,
) -> ActionResult:
    """The one writer of a child's points: save `to` on a child locked by `lock_child` (if it
    differs), then announce one `PointsChanged` with `signal`, inside the caller's transaction.

    Every action on points goes through here, those that move none (a reward requested or
    cancelled) included, so that each one is announced the same way. `metadata` gets the child's
    name first. The rewards app calls this too: there is no other writer. The event's `user_id`
    is the acting account, `by` (see `acting_user_id`). Who acted is the credential's, never the
    request body's: `metadata.actor` is `child` with the `device_id` for a paired device (whose
    `by` is the guardian who paired it), else `guardian`.
    """
    points_before = child.points
    if to != points_before:
        child.points = to
        child.save(update_fields=["points", "updated_at"])
    event = PointsChanged(
        user_id=acting_user_id(household_id=child.household_id, by=by),
        child_id=child.pk,
        child_name=child.name,
        child_age=child.age,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        points_before=points_before,
        points_after=to,
        occurred_at=occurred_at or timezone.now(),
        metadata={"child_name": child.name, **metadata, **actor_metadata(device_id)},
    )
    extras = announce(signal, sender=sender, child=child, event=event)
    return ActionResult(child=child, event=event, extras=extras)
