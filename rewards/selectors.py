"""Reads of the rewards app, always scoped to the parent who owns the rows."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from children.models import Child, TaskOverride
from rewards.models import Reward, RewardOverride, RewardRequest


def rewards_for(user: AbstractBaseUser) -> QuerySet[Reward]:
    """A parent's rewards."""
    return Reward.objects.filter(owner=user).order_by("id")


def reward_requests_for(user: AbstractBaseUser) -> QuerySet[RewardRequest]:
    """Requests made by a parent's children, oldest first, with what the list shows."""
    return (
        RewardRequest.objects.filter(child__owner=user)
        .select_related("child", "reward")
        .order_by("id")
    )


def overrides_for(child: Child) -> list[TaskOverride | RewardOverride]:
    """A child's overrides, tasks first, then rewards."""
    tasks = TaskOverride.objects.filter(child=child).select_related("task").order_by("id")
    rewards = RewardOverride.objects.filter(child=child).select_related("reward").order_by("id")
    return [*tasks, *rewards]
