"""Reads of the children app, always scoped to the caller's household."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from children.models import Child, Task

# What a child's pending reward requests hold: the sum of their stored costs. `reward_requests`
# (with its `status` and `cost`) is the rewards app's relation on Child, read by name, as
# `reward_ids` reads `rewards`: this app never imports the rewards app.
HELD_POINTS = Coalesce(Sum("reward_requests__cost", filter=Q(reward_requests__status="pending")), 0)


def children_for(user: AbstractBaseUser) -> QuerySet[Child]:
    """A household's children (the caller's) with their assignments and the points their pending
    requests hold (`held_points`), ready to serialize without N+1 queries. (`rewards` is the
    rewards app's relation on Child, prefetched by name.)"""
    return (
        Child.objects.filter(household__memberships__user_id=user.pk)
        .prefetch_related("tasks", "rewards")
        .annotate(held_points=HELD_POINTS)
        .order_by("id")
    )


def held_points(child: Child) -> int:
    """The points a child's pending reward requests hold: the annotation of `children_for` when
    the child came from it, else one query (on a child locked by an action, that is the state
    the action sees)."""
    annotated = getattr(child, "held_points", None)
    if annotated is not None:
        return annotated
    return Child.objects.filter(pk=child.pk).aggregate(held=HELD_POINTS)["held"]


def available_points(child: Child) -> int:
    """What a child can still ask for or spend: its points minus what its pending requests hold,
    never below 0 (a penalty may take points below what is held)."""
    return max(0, child.points - held_points(child))


def tasks_for(user: AbstractBaseUser) -> QuerySet[Task]:
    """The caller's household's chores and penalties."""
    return Task.objects.filter(household__memberships__user_id=user.pk).order_by("id")
