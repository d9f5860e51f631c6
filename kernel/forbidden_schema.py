"""Documents the `403` on every operation of the OpenAPI schema that needs credentials: the default
permissions (`kernel.principals.AccountsOnly`) refuse a paired device on every account route, the
device routes refuse an account, and a viewer's write is refused by its role. Only the operations
an anonymous caller may use (registering, signing in, pairing) never answer it."""

from typing import Any

from kernel.api_errors import DETAIL_BODY

FORBIDDEN_RESPONSE = {
    "content": {"application/json": {"schema": DETAIL_BODY}},
    "description": "Signed in, but not allowed: a paired device on an account route (or an "
    "account on a device route), a viewer's write, a non-staff user on a staff route; on a "
    "device route, also a child's missing or wrong PIN (`code` `pin_required`, `wrong_pin`).",
}


def add_forbidden(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            security = operation.get("security")
            # No requirement, or an empty one among them: anonymous callers are let through.
            if not security or {} in security:
                continue
            operation["responses"].setdefault("403", dict(FORBIDDEN_RESPONSE))
    return result
