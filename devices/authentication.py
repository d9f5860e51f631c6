"""`Authorization: Device <credential>`: a paired child device (kid mode) signs its requests with
the credential it got when paired. The database keeps the credential's SHA-256 digest only.

A device is not an account: it authenticates as a `DevicePrincipal` (`is_device = True`, no user
id), which every route refuses (403, `kernel.principals.AccountsOnly`) but the device routes and
the event stream, which opt in.
"""

from datetime import timedelta
from functools import cached_property

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions

from devices.credentials import credential_digest
from devices.models import Device

KEYWORD = "Device"
INVALID_CREDENTIAL = "Invalid device credential."
MALFORMED_HEADER = "Invalid device header: expected `Authorization: Device <credential>`."
REVOKED = "This device was unpaired (its credential was revoked): pair it again."
# last_used_at is written at most this often: not one write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class DevicePrincipal:
    """Who a device's request is from: the device, on behalf of its children. Looks enough like
    a user for Django and DRF (authenticated, not staff, no primary key) and says `is_device`."""

    is_device = True
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, device: Device) -> None:
        self.device = device
        self.device_id = device.pk
        self.household_id = device.household_id
        self.paired_by_id = device.paired_by_id

    @cached_property
    def child_ids(self) -> frozenset[int]:
        """The device's children, read once for this principal (a stream's whole life)."""
        return frozenset(self.device.children.values_list("id", flat=True))

    def get_username(self) -> str:
        return f"device-{self.device_id}"

    def __str__(self) -> str:
        return f"device {self.device_id} ({self.device.name})"


class DeviceAuthentication(authentication.BaseAuthentication):
    """Looks the credential up by its digest; a revoked device is a 401 that says so."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(MALFORMED_HEADER)
        try:
            credential = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID_CREDENTIAL) from None
        device = (
            Device.objects.select_related("household")
            .filter(token_digest=credential_digest(credential))
            .first()
        )
        if device is None:
            raise exceptions.AuthenticationFailed(INVALID_CREDENTIAL)
        if device.revoked_at is not None:
            raise exceptions.AuthenticationFailed(REVOKED)
        touch(device)
        return DevicePrincipal(device), device

    def authenticate_header(self, request) -> str:
        return KEYWORD


def touch(device: Device) -> None:
    """Record the device's use, at most once a LAST_USED_RESOLUTION."""
    now = timezone.now()
    if device.last_used_at is not None and now - device.last_used_at < LAST_USED_RESOLUTION:
        return
    Device.objects.filter(pk=device.pk).update(last_used_at=now)
    device.last_used_at = now


class DeviceScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of a paired device: `Authorization: Device <credential>`."""

    target_class = DeviceAuthentication
    name = "deviceAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=KEYWORD
        )
