"""Rewards a child can spend points on, which child has which, per-child costs, and requests."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from children.models import Child
from kernel.text import validate_multi_line_text, validate_single_line_text

REWARD_COST_MAX = 100_000


class Reward(models.Model):
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="rewards"
    )
    name = models.CharField(max_length=100, validators=[validate_single_line_text])
    description = models.CharField(
        max_length=1000, blank=True, default="", validators=[validate_multi_line_text]
    )
    cost = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(REWARD_COST_MAX)]
    )
    # The table was the children app's (`Child.rewards`) before rewards took it over.
    assigned_children = models.ManyToManyField(
        Child, blank=True, related_name="rewards", db_table="children_child_rewards"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__gte=1, cost__lte=REWARD_COST_MAX), name="reward_cost_in_range"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="reward_name_not_blank"),
        ]
        indexes = [models.Index(fields=["household", "id"], name="reward_by_household")]

    def __str__(self) -> str:
        return self.name


class RewardOverride(models.Model):
    """A per-child cost used instead of the reward's default cost."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="reward_overrides")
    reward = models.ForeignKey(Reward, on_delete=models.CASCADE, related_name="overrides")
    cost = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(REWARD_COST_MAX)]
    )

    class Meta:
        db_table = "children_rewardoverride"  # created by the children app, taken over as is
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "reward"], name="one_reward_override_per_child"
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=1, cost__lte=REWARD_COST_MAX),
                name="reward_override_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"reward {self.reward_id} for child {self.child_id}: costs {self.cost}"


class RewardRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        REDEEMED = "redeemed"
        CANCELLED = "cancelled"
        REVERSED = "reversed"  # redeemed, then the redemption was undone

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="reward_requests")
    reward = models.ForeignKey(Reward, on_delete=models.CASCADE, related_name="requests")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # The effective cost when the child asked: a pending request holds it (the child's available
    # points are its points minus what its pending requests hold), and redeeming charges it.
    cost = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(REWARD_COST_MAX)]
    )
    # Whether `cost` came from the child's override (for the tracking metadata of its actions).
    override_applied = models.BooleanField(default=False)
    # The paired device that asked (null when a guardian asked for the child), as a plain integer
    # (the devices app builds on this one): a device may cancel its own pending requests only.
    device_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__gte=1, cost__lte=REWARD_COST_MAX), name="request_cost_in_range"
            ),
            # The database, not only the service, refuses a second pending request.
            models.UniqueConstraint(
                fields=["child", "reward"],
                condition=Q(status="pending"),
                name="one_pending_request_per_child_reward",
            ),
        ]
        indexes = [models.Index(fields=["child", "status"], name="request_by_child_status")]

    def __str__(self) -> str:
        return f"{self.reward} for {self.child} ({self.status})"
