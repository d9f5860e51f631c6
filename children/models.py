"""Children, their tasks (chores and penalties), which tasks each child has, and per-child points.

Rewards, their assignment to children and their per-child costs belong to the rewards app, which
builds on this one (this app never imports it)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from kernel.text import validate_single_line_text

CHILD_NAME_MAX = 64
MAX_AGE = 120
TASK_POINTS_MAX = 10_000


class Child(models.Model):
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=CHILD_NAME_MAX, validators=[validate_single_line_text])
    age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    # Moves only through services (tasks, penalties, rewards), never through the API directly.
    points = models.PositiveBigIntegerField(default=0)
    tasks = models.ManyToManyField("Task", blank=True, related_name="assigned_children")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "children"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="child_points_not_negative"),
            models.CheckConstraint(condition=~Q(name=""), name="child_name_not_blank"),
        ]
        indexes = [models.Index(fields=["household", "id"], name="child_by_household")]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    """A chore (`is_good`, adds points) or a penalty (takes points away, floored at 0)."""

    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="tasks"
    )
    name = models.CharField(max_length=100, validators=[validate_single_line_text])
    points = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(TASK_POINTS_MAX)]
    )
    is_good = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=1, points__lte=TASK_POINTS_MAX), name="task_points_in_range"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="task_name_not_blank"),
        ]
        indexes = [models.Index(fields=["household", "id"], name="task_by_household")]

    def __str__(self) -> str:
        return self.name

    @property
    def entity_type(self) -> str:
        return "task" if self.is_good else "penalty"


class TaskOverride(models.Model):
    """A per-child value used instead of the task's default points."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="task_overrides")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="overrides")
    points = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(TASK_POINTS_MAX)]
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "task"], name="one_task_override_per_child"),
            models.CheckConstraint(
                condition=Q(points__gte=1, points__lte=TASK_POINTS_MAX),
                name="task_override_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"task {self.task_id} for child {self.child_id}: {self.points} points"


class ClaimStatus(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVERSED = "reversed"  # approved, then the activation was undone


class Claim(models.Model):
    """A child says a chore is done (from its paired device); a guardian approves it (the chore
    is then activated, once) or rejects it. Penalties are never claimed (the services refuse)."""

    Status = ClaimStatus

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="claims")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="claims")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # The paired device that claimed, as a plain integer: the devices app builds on this one.
    device_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Once decided, the chore's value for the child at that moment: what the approval gave (or
    # the rejection would have). Null while pending, when the value is read live (it may change).
    points = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Null while pending, for an automatic approval, and once that account is deleted.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[status.value for status in ClaimStatus]),
                name="claim_status_known",
            ),
            # The database, not only the service, refuses a second pending claim.
            models.UniqueConstraint(
                fields=["child", "task"],
                condition=Q(status="pending"),
                name="one_pending_claim_per_child_task",
            ),
        ]
        indexes = [models.Index(fields=["child", "status"], name="claim_by_child_status")]

    def __str__(self) -> str:
        return f"{self.task} claimed by {self.child} ({self.status})"
