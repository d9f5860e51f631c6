"""Rewards a child can spend points on, and the requests a child makes for them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from children.models import REWARD_COST_MAX, Child


class Reward(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rewards"
    )
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=1000, blank=True, default="")
    cost = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(REWARD_COST_MAX)]
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
        indexes = [models.Index(fields=["owner", "id"], name="reward_by_owner")]

    def __str__(self) -> str:
        return self.name


class RewardRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        REDEEMED = "redeemed"
        CANCELLED = "cancelled"
        REVERSED = "reversed"  # redeemed, then the redemption was undone

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="reward_requests")
    reward = models.ForeignKey(Reward, on_delete=models.CASCADE, related_name="requests")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
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
