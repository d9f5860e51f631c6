"""Documents the `429` of the throttles (accounts.throttles), with its `Retry-After`, on every
operation of the OpenAPI schema: the anonymous and user throttles apply to every API view."""

from typing import Any

from kernel.api_errors import DETAIL_BODY, ERRORS

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}


def add_throttled_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    too_many = {
        "content": {"application/json": {"schema": DETAIL_BODY}},
        "description": ERRORS[429].description,
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                response = operation["responses"].setdefault("429", dict(too_many))
                response["headers"] = {**response.get("headers", {}), **RETRY_AFTER}
    return result
