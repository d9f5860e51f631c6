"""Writes of the rewards app: a child asks for a reward, a parent redeems or cancels it.

Every function locks the child's row first and then the request's, always in that order, so that a
redeem racing a cancel (or another redeem) ends in exactly one of them. A child or request deleted
after the view found it is a NotFound (404), with nothing changed.

Holds: a pending request holds its cost (the effective cost when it was made, stored on it), and
the child's available points are its points minus what its pending requests hold. A request or a
direct redemption must fit in the available points; cancelling or redeeming releases the hold. A
request's status only changes under its child's lock, so what is held, read under that lock, is
exact.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from children.models import Child, Task, TaskOverride
from children.selectors import held_points
from children.services import (
    announce_assignment_changed,
    clear_task_override,
    lock_child,
    move_points,
    not_assigned_message,
    set_task_override,
)
from households.models import Household
from kernel.errors import InvalidAction, NotFound, StateConflict
from kernel.events import PointsChanged
from kernel.referenced import keep_all_referenced, keep_referenced, lock_for_deletion
from rewards import signals
from rewards.models import Reward, RewardOverride, RewardRequest

NOT_ENOUGH_POINTS = "Child '{child}' has {points} points; reward '{reward}' costs {cost}."
NOT_ENOUGH_AVAILABLE = (
    "Child '{child}' has {available} points available ({points} points, {held} held by pending "
    "requests); reward '{reward}' costs {cost}."
)
ALREADY_PENDING = "Child '{child}' already has a pending request for reward '{reward}'."
NOT_PENDING = "Reward request {request_id} is {status}, not pending."
NOT_REDEEMED = "Reward request {request_id} is {status}, not redeemed."
REQUEST_GONE = "Reward request {request_id} no longer exists; nothing changed."
REWARD_GONE = "Reward {reward_id} no longer exists; nothing changed."


@dataclass(frozen=True)
class RewardActionResult:
    """The child and request as saved, and what listeners added for the response."""

    child: Child
    request: RewardRequest | None
    event: PointsChanged | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def response(self, **fields: Any) -> dict[str, Any]:
        """The action's API response: `fields`, then what the listeners added."""
        return {**fields, **self.extras}


def create_reward(*, household: Household, name: str, cost: int, description: str = "") -> Reward:
    """Add a reward to a household's list."""
    return Reward.objects.create(household=household, name=name, cost=cost, description=description)


def delete_reward(*, reward: Reward) -> None:
    """Remove a reward, its assignments, overrides and requests (pending ones release their
    holds). Its history stays.

    The reward's lock comes first (`kernel.referenced`): a request, override or assignment that
    locked it before is committed when the cascade looks, so the cascade deletes it instead of
    failing a foreign key at commit; one that comes after finds the reward gone.

    Raises NotFound when another deletion of the reward committed first.
    """
    with transaction.atomic():
        if not lock_for_deletion(reward):
            raise NotFound(REWARD_GONE.format(reward_id=reward.pk))
        reward.delete()


def assign_rewards(
    *, child: Child, rewards: Iterable[Reward], by: AbstractBaseUser | None = None
) -> Child:
    """Replace the set of rewards assigned to a child."""
    rewards = list(rewards)
    with transaction.atomic():
        child = lock_child(child.pk)
        keep_all_referenced(Reward, [reward.pk for reward in rewards], field="reward_ids")
        child.rewards.set(rewards)
        return announce_assignment_changed(child, "reward_ids", by=by)


def set_reward_override(*, child: Child, reward: Reward, cost: int) -> RewardOverride:
    """Use `cost` for this child instead of the reward's default cost."""
    with transaction.atomic():
        lock_child(child.pk)
        keep_referenced(reward, field="entity_id")
        override, _ = RewardOverride.objects.update_or_create(
            child=child, reward=reward, defaults={"cost": cost}
        )
    return override


def clear_reward_override(*, child: Child, reward: Reward) -> bool:
    """Go back to the reward's default cost; False when there was no override."""
    deleted, _ = RewardOverride.objects.filter(child=child, reward=reward).delete()
    return bool(deleted)


def set_override(
    *, child: Child, entity: Task | Reward, value: int
) -> TaskOverride | RewardOverride:
    """Use `value` for this child instead of the task's points or the reward's cost."""
    if isinstance(entity, Task):
        return set_task_override(child=child, task=entity, points=value)
    return set_reward_override(child=child, reward=entity, cost=value)


def clear_override(*, child: Child, entity: Task | Reward) -> bool:
    """Go back to the default value; False when there was no override."""
    if isinstance(entity, Task):
        return clear_task_override(child=child, task=entity)
    return clear_reward_override(child=child, reward=entity)


def effective_cost(*, child: Child, reward: Reward) -> tuple[int, bool]:
    """The cost this child pays for the reward now, and whether an override set it."""
    override = (
        RewardOverride.objects.filter(child=child, reward=reward)
        .values_list("cost", flat=True)
        .first()
    )
    return (reward.cost, False) if override is None else (override, True)


def request_reward(
    *,
    child: Child,
    reward: Reward,
    by: AbstractBaseUser | None = None,
    device_id: int | None = None,
) -> RewardActionResult:
    """A child asks for a reward (from its paired device, `device_id`, or a guardian for it).
    Points do not move until a guardian redeems it; until then the request holds its cost (the
    effective cost now, stored on the request).

    Raises InvalidAction when the reward is not assigned, StateConflict when the child already
    has a pending request for it or its available points are fewer than the cost.
    """
    with transaction.atomic():
        child = lock_child(child.pk)
        keep_referenced(reward, field="reward_id")
        _require_assigned(child, reward)
        if RewardRequest.objects.filter(
            child=child, reward=reward, status=RewardRequest.Status.PENDING
        ).exists():
            raise StateConflict(ALREADY_PENDING.format(child=child.name, reward=reward.name))
        cost, override_applied = effective_cost(child=child, reward=reward)
        _require_available(child, reward, cost)
        try:
            with transaction.atomic():
                request = RewardRequest.objects.create(
                    child=child,
                    reward=reward,
                    cost=cost,
                    override_applied=override_applied,
                    device_id=device_id,
                )
        except IntegrityError as error:
            # Only reachable if a pending request slipped past the lock (it cannot on PostgreSQL
            # or SQLite IMMEDIATE); the partial unique index is the last line of defence.
            raise StateConflict(
                ALREADY_PENDING.format(child=child.name, reward=reward.name)
            ) from error
        result = _announce(
            signals.reward_requested,
            child=child,
            to=child.points,
            reward=reward,
            request=request,
            by=by,
            device_id=device_id,
            cost=cost,
            override_applied=override_applied,
            occurred_at=request.created_at,
        )
    return result


def redeem_request(
    *,
    request: RewardRequest,
    by: AbstractBaseUser | None = None,
    device_id: int | None = None,
) -> RewardActionResult:
    """A parent gives the child what it asked for: points go down by the cost the request holds
    (the cost when it was made, whatever the cost is now), and the hold is released.

    Raises StateConflict when the request is not pending or the child has fewer points than its
    cost (a penalty or an adjustment took them after the request); the request then stays as it
    was.
    """
    with transaction.atomic():
        child = lock_child(request.child_id)
        request = _lock_pending(request)
        reward = request.reward
        cost, override_applied = request.cost, request.override_applied
        # The request's own hold is part of what is held: only the points themselves must cover
        # it. Holds are taken in turn, so they fit in the points unless points were taken away.
        _require_points(child, reward, cost)
        occurred_at = timezone.now()
        request.status = RewardRequest.Status.REDEEMED
        request.resolved_at = occurred_at
        request.save(update_fields=["status", "resolved_at"])
        result = _announce(
            signals.reward_redeemed,
            child=child,
            to=child.points - cost,
            reward=reward,
            request=request,
            by=by,
            device_id=device_id,
            cost=cost,
            override_applied=override_applied,
            occurred_at=occurred_at,
        )
    return result


def redeem_reward(
    *, child: Child, reward: Reward, by: AbstractBaseUser | None = None
) -> RewardActionResult:
    """A parent redeems a reward for a child directly, with no request, at its effective cost now.

    Raises InvalidAction when the reward is not assigned, StateConflict when the available points
    (points minus what pending requests hold) are fewer than the cost.
    """
    with transaction.atomic():
        child = lock_child(child.pk)
        _require_assigned(child, reward)
        cost, override_applied = effective_cost(child=child, reward=reward)
        _require_available(child, reward, cost)
        result = _announce(
            signals.reward_redeemed,
            child=child,
            to=child.points - cost,
            reward=reward,
            request=None,
            by=by,
            cost=cost,
            override_applied=override_applied,
            occurred_at=timezone.now(),
        )
    return result


def cancel_request(
    *,
    request: RewardRequest,
    by: AbstractBaseUser | None = None,
    device_id: int | None = None,
) -> RewardActionResult:
    """A parent (rejecting it) or the child withdraws a pending request. Points do not move; the
    hold is released.

    Raises StateConflict when the request is already redeemed or cancelled.
    """
    with transaction.atomic():
        child = lock_child(request.child_id)
        request = _lock_pending(request)
        occurred_at = timezone.now()
        request.status = RewardRequest.Status.CANCELLED
        request.resolved_at = occurred_at
        request.save(update_fields=["status", "resolved_at"])
        cost, override_applied = request.cost, request.override_applied
        result = _announce(
            signals.reward_cancelled,
            child=child,
            to=child.points,
            reward=request.reward,
            request=request,
            by=by,
            device_id=device_id,
            cost=cost,
            override_applied=override_applied,
            occurred_at=occurred_at,
        )
    return result


def mark_redemption_reversed(*, request_id: int) -> RewardRequest | None:
    """Record on a redeemed request that its redemption was undone. The caller holds the child's
    lock and moves the points back in the same transaction. None if the request is gone (its
    reward was deleted): the points still go back.

    Raises StateConflict when the request is not redeemed.
    """
    request = (
        RewardRequest.objects.select_for_update(of=("self",))
        .select_related("reward")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return None
    if request.status != RewardRequest.Status.REDEEMED:
        raise StateConflict(NOT_REDEEMED.format(request_id=request.pk, status=request.status))
    request.status = RewardRequest.Status.REVERSED
    request.save(update_fields=["status"])
    return request


def _require_assigned(child: Child, reward: Reward) -> None:
    if not child.rewards.filter(pk=reward.pk).exists():
        raise InvalidAction(
            not_assigned_message(kind="Reward", entity=reward, child=child), field="reward_id"
        )


def _require_available(child: Child, reward: Reward, cost: int) -> None:
    """The child (locked) can afford `cost` on top of what its pending requests hold."""
    held = held_points(child)
    if held == 0:
        _require_points(child, reward, cost)
    elif child.points - held < cost:
        raise StateConflict(
            NOT_ENOUGH_AVAILABLE.format(
                child=child.name,
                available=max(0, child.points - held),
                points=child.points,
                held=held,
                reward=reward.name,
                cost=cost,
            )
        )


def _require_points(child: Child, reward: Reward, cost: int) -> None:
    if child.points < cost:
        raise StateConflict(
            NOT_ENOUGH_POINTS.format(
                child=child.name, points=child.points, reward=reward.name, cost=cost
            )
        )


def _lock_pending(request: RewardRequest) -> RewardRequest:
    """Lock a request under its child's lock, and check it is still pending.

    Raises NotFound when it was deleted after the view found it (with its reward; a deletion of
    its child fails `lock_child` first), StateConflict when it is no longer pending.
    """
    locked = (
        RewardRequest.objects.select_for_update(of=("self",))
        .select_related("reward")
        .filter(pk=request.pk)
        .first()
    )
    if locked is None:
        raise NotFound(REQUEST_GONE.format(request_id=request.pk))
    if locked.status != RewardRequest.Status.PENDING:
        raise StateConflict(NOT_PENDING.format(request_id=locked.pk, status=locked.status))
    return locked


def _announce(
    signal: Signal,
    *,
    child: Child,
    to: int,
    reward: Reward,
    request: RewardRequest | None,
    by: AbstractBaseUser | None,
    cost: int,
    override_applied: bool,
    occurred_at: datetime,
    device_id: int | None = None,
) -> RewardActionResult:
    """Move the locked child's points to `to` (or not at all) through the children app's one
    writer, announcing the reward action."""
    moved = move_points(
        by=by,
        device_id=device_id,
        child=child,
        to=to,
        signal=signal,
        sender=Reward,
        entity_type="reward",
        entity_id=reward.pk,
        action=_ACTIONS[signal],
        occurred_at=occurred_at,
        metadata={
            "entity_name": reward.name,
            "default_value": reward.cost,
            "override_applied": override_applied,
            "value": cost,
            "request_id": request.pk if request else None,
        },
    )
    return RewardActionResult(
        child=moved.child, request=request, event=moved.event, extras=moved.extras
    )


_ACTIONS = {
    signals.reward_requested: "requested",
    signals.reward_redeemed: "redeemed",
    signals.reward_cancelled: "cancelled",
}
