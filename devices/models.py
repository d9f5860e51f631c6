"""Child devices (kid mode): a tablet paired by a guardian for one or several children.

A guardian asks for a pairing code (`PairingCode`, short, single use, 10 minutes); the device
exchanges it, without signing in, for a credential of its own (`Device`). Neither the code nor the
credential is stored: only their SHA-256 digests, and the credential's first characters to tell
devices apart. A shared device may hold a PIN per child (`ChildPin`).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kernel.text import validate_single_line_text

DEVICE_NAME_MAX = 64
PAIRING_CODE_MINUTES = 10
# django-eventstream reads at most 10 channels per stream, and a device's stream reads one
# channel per child (tracking.live.channels).
MAX_CHILDREN_PER_DEVICE = 10


class Device(models.Model):
    """A paired device. Its credential is shown once, when paired; revoking it ends its access
    (and its open streams) at once."""

    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="devices"
    )
    name = models.CharField(max_length=DEVICE_NAME_MAX, validators=[validate_single_line_text])
    children = models.ManyToManyField("children.Child", related_name="devices")
    # The guardian whose pairing code it exchanged: a device's actions are recorded for them.
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="paired_devices",
    )
    token_digest = models.CharField(max_length=64, unique=True)  # SHA-256 hex of the credential
    token_prefix = models.CharField(max_length=8)  # the credential's first characters, to display
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="device_name_not_blank"),
        ]
        indexes = [models.Index(fields=["household", "id"], name="device_by_household")]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


def pairing_code_expiry():
    """A pairing code's default expiry: PAIRING_CODE_MINUTES from now."""
    return timezone.now() + timedelta(minutes=PAIRING_CODE_MINUTES)


class PairingCode(models.Model):
    """A single-use code a guardian gives a device to pair it. Shown once, when created; the
    database keeps its SHA-256 digest."""

    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="pairing_codes"
    )
    name = models.CharField(max_length=DEVICE_NAME_MAX, validators=[validate_single_line_text])
    children = models.ManyToManyField("children.Child", related_name="+")
    code_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=pairing_code_expiry)
    used_at = models.DateTimeField(null=True, blank=True)
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"pairing code {self.pk} for '{self.name}' (household {self.household_id})"


class ChildPin(models.Model):
    """A child's PIN on one device (a shared tablet). Wrong PINs lock the child on that device
    for a while (`devices.pins`)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="pins")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    pin_hash = models.CharField(max_length=256)  # django.contrib.auth.hashers' format
    failures = models.PositiveIntegerField(default=0)  # wrong PINs since the last right one
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["device", "child"], name="one_pin_per_device_child"),
        ]

    def __str__(self) -> str:
        return f"PIN of child {self.child_id} on device {self.device_id}"
