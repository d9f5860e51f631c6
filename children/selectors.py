"""Reads of the children app, always scoped to the parent who owns the rows."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from children.models import Child, Task


def children_for(user: AbstractBaseUser) -> QuerySet[Child]:
    """A parent's children with their assignments, ready to serialize without N+1 queries.
    (`rewards` is the rewards app's relation on Child, prefetched by name.)"""
    return (
        Child.objects.filter(owner=user)
        .select_related("owner")
        .prefetch_related("tasks", "rewards")
        .order_by("id")
    )


def tasks_for(user: AbstractBaseUser) -> QuerySet[Task]:
    """A parent's chores and penalties."""
    return Task.objects.filter(owner=user).order_by("id")
