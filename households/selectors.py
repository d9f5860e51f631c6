"""Reads of the households app: which household a user acts in, and with which role."""

from django.contrib.auth.models import AbstractBaseUser

from households.models import Membership, Role


def membership_of(user: AbstractBaseUser) -> Membership | None:
    """The user's membership (with its household), or None for a user who belongs to none."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.select_related("household").filter(user_id=user.pk).first()


def household_id_of(user: AbstractBaseUser) -> int | None:
    """The id of the user's household, or None."""
    return Membership.objects.filter(user_id=user.pk).values_list("household_id", flat=True).first()


def owner_id_of(household_id: int) -> int | None:
    """The id of the household's owner, or None (a household whose owner's account is gone)."""
    return (
        Membership.objects.filter(household_id=household_id, role=Role.OWNER)
        .values_list("user_id", flat=True)
        .first()
    )
