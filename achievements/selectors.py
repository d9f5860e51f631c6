"""Reads of the achievements app, always scoped to the caller's household."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from achievements.models import BadgeAward, BadgeDefinition


def badge_definitions_for(user: AbstractBaseUser) -> QuerySet[BadgeDefinition]:
    """The badges the caller's household defined."""
    return (
        BadgeDefinition.objects.filter(household__memberships__user_id=user.pk)
        .select_related("task")
        .order_by("id")
    )


def awards_of_child(child_id: int) -> QuerySet[BadgeAward]:
    """Every badge a child was awarded (revoked ones too), oldest first."""
    return BadgeAward.objects.filter(child_id=child_id, awarded=True).order_by("awarded_at", "id")
