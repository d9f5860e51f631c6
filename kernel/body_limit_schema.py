"""Documents the `413` of the body cap (kernel.body_limit, kernel.upload_limits) on every operation
of the OpenAPI schema that takes a request body, and on every write that takes none: the cap reads
no route, so a write sent with too large a body anyway is refused the same way."""

from typing import Any

from kernel.api_errors import DETAIL_BODY

BODY_TOO_LARGE_RESPONSE = {
    "content": {"application/json": {"schema": DETAIL_BODY}},
    "description": "The request body is larger than the server takes (API_MAX_BODY_BYTES, 1 MiB "
    "by default); it was refused unread. Nothing changed.",
}

WRITES = {"post", "put", "patch", "delete"}


def add_body_too_large(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            if "requestBody" in operation or method in WRITES:
                operation.setdefault("responses", {}).setdefault(
                    "413", dict(BODY_TOO_LARGE_RESPONSE)
                )
    return result
