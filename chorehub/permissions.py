"""Permission classes. Kept apart from `chorehub.api`: DRF imports the classes named in
`DEFAULT_PERMISSION_CLASSES` while `rest_framework.views` loads."""

from typing import Any

from rest_framework import exceptions, permissions
from rest_framework.request import Request

UNKNOWN_PARAMETER = "Unknown query parameter. Allowed: {allowed}."


class KnownQueryParameters(permissions.BasePermission):
    """Refuses query parameters that a route does not take, on every route that is not a list
    (lists are checked by StrictFilterBackend against their filters). A view or `@action` names
    what it takes in `query_parameters`. It is a permission only because DRF runs permissions on
    every request before the view; a refusal is a 400, not a 403."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if is_list_view(view):
            return True
        known = set(getattr(view, "query_parameters", ()))
        unknown = set(request.query_params) - known
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise exceptions.ValidationError(
                {name: [UNKNOWN_PARAMETER.format(allowed=allowed)] for name in sorted(unknown)}
            )
        return True


def is_list_view(view: Any) -> bool:
    action = getattr(view, "action", None)
    if action is not None:
        return action == "list"
    return callable(getattr(view, "list", None))  # a generic ListAPIView
