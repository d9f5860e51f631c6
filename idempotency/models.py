"""What a mutating request with an `Idempotency-Key` did, so that a retry gets the same answer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class IdempotencyRecord(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        COMPLETE = "complete"

    # Keys are per caller: an account (`user`), or a paired child device (`device_id`, a plain
    # integer: the devices app builds on this one; its records expire like any other).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="idempotency_records",
    )
    device_id = models.PositiveBigIntegerField(null=True, blank=True)
    key = models.CharField(max_length=255)
    # sha256 of method, path and the request body (JSON compared by value, not by spelling).
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(default=b"")
    response_content_type = models.CharField(max_length=100, blank=True, default="")
    # The caller's household when the answer was stored (None: none, or a device's key): the
    # answer is replayed only while the caller still belongs to it, since it may hold its data.
    household_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            # Keys are per user; the database, not process memory, decides who runs first.
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user"),
            models.UniqueConstraint(fields=["device_id", "key"], name="idempotency_key_per_device"),
            models.CheckConstraint(
                condition=Q(user__isnull=False, device_id__isnull=True)
                | Q(user__isnull=True, device_id__isnull=False),
                name="idempotency_record_has_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
