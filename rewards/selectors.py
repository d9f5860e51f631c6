"""Reads of the rewards app, always scoped to the caller's household."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from children.models import Child, TaskOverride
from rewards.models import Reward, RewardOverride, RewardRequest


def rewards_for(user: AbstractBaseUser) -> QuerySet[Reward]:
    """The caller's household's rewards."""
    return Reward.objects.filter(household__memberships__user_id=user.pk).order_by("id")


def reward_requests_for(user: AbstractBaseUser) -> QuerySet[RewardRequest]:
    """Requests made by the caller's household's children, oldest first, with what the list
    shows."""
    return (
        RewardRequest.objects.filter(child__household__memberships__user_id=user.pk)
        .select_related("child", "reward")
        .order_by("id")
    )


def overrides_for(child: Child) -> list[TaskOverride | RewardOverride]:
    """A child's overrides, tasks first, then rewards."""
    tasks = TaskOverride.objects.filter(child=child).select_related("task").order_by("id")
    rewards = RewardOverride.objects.filter(child=child).select_related("reward").order_by("id")
    return [*tasks, *rewards]
