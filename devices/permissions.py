"""Who may call the devices app's routes: guardians manage devices; only a paired device uses
the device routes (kid mode)."""

from rest_framework import permissions

from households.models import WRITING_ROLES, Membership
from kernel.principals import DEVICES_MAY_NOT, is_device

GUARDIANS_ONLY = "Only the household's owner and guardians manage its devices."
DEVICES_ONLY = (
    "Only a paired device may use this route (kid mode): send `Authorization: Device <credential>`."
)


class GuardiansOnly(permissions.BasePermission):
    """An owner or a guardian; a viewer is a 403, and so is a device. A signed-in user in no
    household passes: every query is scoped to their (empty) household."""

    message = GUARDIANS_ONLY

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if is_device(request.user):
            self.message = DEVICES_MAY_NOT
            return False
        role = Membership.objects.filter(user_id=request.user.pk).values_list("role", flat=True)
        role = role.first()
        return role is None or role in WRITING_ROLES


class PairedDevicesOnly(permissions.BasePermission):
    """A paired device; an account is a 403 (anonymous callers get DRF's 401)."""

    message = DEVICES_ONLY

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and is_device(request.user))
