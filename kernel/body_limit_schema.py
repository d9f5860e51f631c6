"""Documents the `413` of the body cap (kernel.body_limit, kernel.upload_limits) on every operation
of the OpenAPI schema that takes a request body."""

from typing import Any

from kernel.api_errors import DETAIL_BODY

BODY_TOO_LARGE_RESPONSE = {
    "content": {"application/json": {"schema": DETAIL_BODY}},
    "description": "The request body is larger than the server takes (API_MAX_BODY_BYTES, 1 MiB "
    "by default); it was refused unread. Nothing changed.",
}


def add_body_too_large(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault(
                    "413", dict(BODY_TOO_LARGE_RESPONSE)
                )
    return result
