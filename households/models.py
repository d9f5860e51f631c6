"""A family is a household: its members (with a role each) share its children, chores and
rewards. This app imports no other app but the kernel; the domain apps build on it."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from kernel.text import validate_single_line_text

HOUSEHOLD_NAME_MAX = 100
UNKNOWN_TIME_ZONE = "'{value}' is not an IANA time zone (e.g. 'Europe/Paris', 'UTC')."


# Debian's zoneinfo lists the host's own zone (/etc/localtime) as `localtime`: a household set to
# it would follow whatever the server is set to.
NOT_IANA = frozenset({"localtime"})


def validate_time_zone(value: str) -> None:
    """An IANA time zone name that this server's zoneinfo knows."""
    if (value not in zoneinfo.available_timezones() or value in NOT_IANA) and value != "UTC":
        raise ValidationError(UNKNOWN_TIME_ZONE.format(value=value), code="invalid")


class Household(models.Model):
    name = models.CharField(max_length=HOUSEHOLD_NAME_MAX, validators=[validate_single_line_text])
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    # A chore a child claims from its device is approved at once, without a guardian (issue 14).
    auto_approve_claims = models.BooleanField(default=False)
    # The household's calendar (issue 15): its day ends at `day_boundary_hour` local time (a
    # family whose day ends at 04:00 sets 4), its week starts on `week_start` (0 = Monday).
    day_boundary_hour = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(23)]
    )
    week_start = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(6)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="household_name_not_blank"),
            models.CheckConstraint(
                condition=Q(day_boundary_hour__gte=0, day_boundary_hour__lte=23),
                name="household_day_boundary_is_an_hour",
            ),
            models.CheckConstraint(
                condition=Q(week_start__gte=0, week_start__lte=6),
                name="household_week_start_is_a_weekday",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner"  # everything, plus the members and the household itself
    GUARDIAN = "guardian"  # everything about children, chores, rewards and corrections
    VIEWER = "viewer"  # reads only


# Roles that may change children, chores, rewards, requests and points.
WRITING_ROLES = frozenset({Role.OWNER, Role.GUARDIAN})


class Membership(models.Model):
    """A user belongs to one household at most, with one role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[role.value for role in Role]), name="membership_role_known"
            ),
            # One owner per household: transferring ownership demotes the former owner.
            models.UniqueConstraint(
                fields=["household"], condition=Q(role="owner"), name="one_owner_per_household"
            ),
        ]
        indexes = [models.Index(fields=["household", "role"], name="membership_by_household")]

    def __str__(self) -> str:
        return f"user {self.user_id} in household {self.household_id} ({self.role})"


INVITATION_DAYS = 7


class Invitation(models.Model):
    """A single-use code an owner gives to someone to join the household with a role. The code
    is shown once, when created; the database keeps its SHA-256 digest."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=16, choices=Role.choices)
    code_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # An invitation never makes an owner: ownership is transferred, not given away.
            models.CheckConstraint(
                condition=Q(role__in=["guardian", "viewer"]), name="invitation_role_not_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} to household {self.household_id} ({self.role})"
