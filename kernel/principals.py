"""Who is calling: a signed-in account, or a paired child device (kid mode).

A device authenticates as a principal that is not an account: it carries `is_device = True`.
The kernel cannot know the devices app, so it reads that flag; every API view denies devices
(403) unless it opts in, by default through `AccountsOnly` in DRF's default permissions.
"""

from rest_framework import permissions

DEVICES_MAY_NOT = "A child device may not do this."


def is_device(principal) -> bool:
    """True for a paired child device's principal."""
    return bool(getattr(principal, "is_device", False))


class AccountsOnly(permissions.BasePermission):
    """A device's request is a 403 (anonymous requests are left to the other permissions)."""

    message = DEVICES_MAY_NOT

    def has_permission(self, request, view) -> bool:
        return not is_device(request.user)
