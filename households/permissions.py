"""Who may write: a DRF permission the domain's views share."""

from rest_framework import permissions

from households.models import WRITING_ROLES, Membership
from kernel.principals import DEVICES_MAY_NOT, is_device

READ_ONLY_ROLE = "Your role in this household (viewer) may read, not change anything."


class HouseholdRolePermission(permissions.BasePermission):
    """Every member reads; owners and guardians write; a viewer's write is a 403, and so is
    anything a child device asks (its routes are the devices app's).

    A signed-in user who belongs to no household yet writes too: their first write creates their
    own household (households.services.household_for_writing). The object checks stay with the
    querysets: another household's objects are not found (404), never forbidden.
    """

    message = READ_ONLY_ROLE

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if is_device(request.user):
            self.message = DEVICES_MAY_NOT
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        role = Membership.objects.filter(user_id=request.user.pk).values_list("role", flat=True)
        role = role.first()
        return role is None or role in WRITING_ROLES
