"""Reads of the children app, always scoped to the parent who owns the rows."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from children.models import Child, RewardOverride, Task, TaskOverride


def children_for(user: AbstractBaseUser) -> QuerySet[Child]:
    """A parent's children with their assignments, ready to serialize without N+1 queries."""
    return (
        Child.objects.filter(owner=user)
        .select_related("owner")
        .prefetch_related("tasks", "rewards")
        .order_by("id")
    )


def tasks_for(user: AbstractBaseUser) -> QuerySet[Task]:
    """A parent's chores and penalties."""
    return Task.objects.filter(owner=user).order_by("id")


def overrides_for(child: Child) -> list[TaskOverride | RewardOverride]:
    """A child's overrides, tasks first, then rewards."""
    tasks = TaskOverride.objects.filter(child=child).select_related("task").order_by("id")
    rewards = RewardOverride.objects.filter(child=child).select_related("reward").order_by("id")
    return [*tasks, *rewards]
