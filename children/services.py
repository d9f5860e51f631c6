"""Writes of the children app: one function per thing a parent does."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from children import signals
from children.models import Child, RewardOverride, Task, TaskOverride
from chorehub.announce import announce
from chorehub.errors import InvalidAction
from rewards.models import Reward

ACTORS = ("parent", "child")


@dataclass(frozen=True)
class ActionResult:
    """What a points action leaves behind: the child as saved, and what listeners added for the
    response (e.g. `tracking_event`)."""

    child: Child
    extras: dict[str, Any] = field(default_factory=dict)


def not_assigned_message(*, kind: str, entity: Task | Reward, child: Child) -> str:
    return f"{kind} '{entity.name}' (id {entity.pk}) is not assigned to child '{child.name}' (id {child.pk})."


def lock_child(child_id: int) -> Child:
    """Lock a child's row for the rest of the transaction; every points change starts here, so
    concurrent actions on one child run one after the other and none is lost."""
    return Child.objects.select_for_update(of=("self",)).select_related("owner").get(pk=child_id)


def create_child(*, owner: AbstractBaseUser, name: str, age: int | None = None) -> Child:
    """Add a child to a parent's family, with 0 points."""
    with transaction.atomic():
        child = Child.objects.create(owner=owner, name=name, age=age)
        announce(
            signals.child_created, sender=Child, user=owner, child=child, occurred_at=timezone.now()
        )
    return child


def update_child(*, child: Child, **changes: Any) -> Child:
    """Change a child's name and/or age (points are not editable)."""
    changed = [name for name in ("name", "age") if name in changes]
    with transaction.atomic():
        for name in changed:
            setattr(child, name, changes[name])
        child.save(update_fields=[*changed, "updated_at"])
        announce(
            signals.child_changed,
            sender=Child,
            user=child.owner,
            child=child,
            changed=changed,
            occurred_at=timezone.now(),
        )
    return child


def delete_child(*, child: Child) -> None:
    """Remove a child, its assignments, overrides and requests. Its tracking history stays."""
    with transaction.atomic():
        child_id, child_name, owner = child.pk, child.name, child.owner
        child.delete()
        announce(
            signals.child_deleted,
            sender=Child,
            user=owner,
            child_id=child_id,
            child_name=child_name,
            occurred_at=timezone.now(),
        )


def assign_tasks(*, child: Child, tasks: Iterable[Task]) -> Child:
    """Replace the set of tasks and penalties assigned to a child."""
    with transaction.atomic():
        child.tasks.set(tasks)
        return _assignment_changed(child, "task_ids")


def assign_rewards(*, child: Child, rewards: Iterable[Reward]) -> Child:
    """Replace the set of rewards assigned to a child."""
    with transaction.atomic():
        child.rewards.set(rewards)
        return _assignment_changed(child, "reward_ids")


def _assignment_changed(child: Child, what: str) -> Child:
    child.save(update_fields=["updated_at"])
    announce(
        signals.child_changed,
        sender=Child,
        user=child.owner,
        child=child,
        changed=[what],
        occurred_at=timezone.now(),
    )
    return child


def set_override(
    *, child: Child, entity: Task | Reward, value: int
) -> TaskOverride | RewardOverride:
    """Use `value` for this child instead of the task's points or the reward's cost."""
    if isinstance(entity, Task):
        override, _ = TaskOverride.objects.update_or_create(
            child=child, task=entity, defaults={"points": value}
        )
    else:
        override, _ = RewardOverride.objects.update_or_create(
            child=child, reward=entity, defaults={"cost": value}
        )
    return override


def clear_override(*, child: Child, entity: Task | Reward) -> bool:
    """Go back to the default value; False when there was no override."""
    if isinstance(entity, Task):
        deleted, _ = TaskOverride.objects.filter(child=child, task=entity).delete()
    else:
        deleted, _ = RewardOverride.objects.filter(child=child, reward=entity).delete()
    return bool(deleted)


def activate_task(*, child: Child, task: Task, actor: str = "parent") -> ActionResult:
    """Apply a chore (adds its points) or a penalty (takes them away, never below 0) to a child.

    Raises InvalidAction when the task is not assigned to the child.
    """
    with transaction.atomic():
        child = lock_child(child.pk)
        if not child.tasks.filter(pk=task.pk).exists():
            raise InvalidAction(
                not_assigned_message(kind=task.entity_type.title(), entity=task, child=child),
                field="task_id",
            )
        override = (
            TaskOverride.objects.filter(child=child, task=task)
            .values_list("points", flat=True)
            .first()
        )
        value = task.points if override is None else override
        # A penalty never takes a child below 0.
        points_after = child.points + value if task.is_good else max(0, child.points - value)
        return _move_points(
            child,
            to=points_after,
            signal=signals.task_activated,
            sender=Task,
            entity=task,
            entity_type=task.entity_type,
            action="activated",
            metadata={
                "entity_name": task.name,
                "actor": actor,
                "default_value": task.points,
                "override_applied": override is not None,
                "value": value,
            },
        )


ADJUSTMENT_NAME = "Manual adjustment"


def adjust_points(*, child: Child, points: int, reason: str, actor: str = "parent") -> ActionResult:
    """Add (or, with a negative number, remove) points by hand; never below 0. History is not
    edited: the adjustment is a new action with its reason."""
    with transaction.atomic():
        child = lock_child(child.pk)
        return _move_points(
            child,
            to=max(0, child.points + points),
            signal=signals.points_adjusted,
            sender=Child,
            entity=None,
            entity_id=None,
            entity_type="adjustment",
            action="adjusted",
            metadata={
                "entity_name": ADJUSTMENT_NAME,
                "actor": actor,
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
    actor: str = "parent",
) -> ActionResult:
    """Undo an earlier change of `delta` points by applying its exact opposite (floored at 0).

    `reverses` identifies the record being undone; the caller checks it may be undone (once).
    """
    with transaction.atomic():
        child = lock_child(child.pk)
        points_after = max(0, child.points - delta)
        return _move_points(
            child,
            to=points_after,
            signal=signals.points_reversed,
            sender=Child,
            entity=None,
            entity_id=entity_id,
            entity_type=entity_type,
            action="reversed",
            metadata={
                "entity_name": entity_name,
                "actor": actor,
                "default_value": -delta,
                "override_applied": False,
                "value": points_after - child.points,
                "reason": reason,
                "reverses": reverses,
            },
        )


def _move_points(
    child: Child,
    *,
    to: int,
    signal: Signal,
    sender: type,
    entity: Task | None,
    entity_type: str,
    action: str,
    metadata: dict[str, Any],
    **extra: Any,
) -> ActionResult:
    """Save a locked child's new points and announce the change, inside the caller's transaction."""
    points_before = child.points
    child.points = to
    child.save(update_fields=["points", "updated_at"])
    extras = announce(
        signal,
        sender=sender,
        user=child.owner,
        child=child,
        entity=entity,
        entity_type=entity_type,
        action=action,
        points_before=points_before,
        points_after=to,
        occurred_at=timezone.now(),
        metadata={"child_name": child.name, **metadata},
        **extra,
    )
    return ActionResult(child=child, extras=extras)
