"""Documents the `Idempotency-Key` header on every POST of the OpenAPI schema."""

from typing import Any

from idempotency.middleware import NOT_RECORDED_PATHS

PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": (
        "Makes a retry safe: a repeat with the same key and body (per user, kept 24 h) returns "
        "the first response (header `Idempotent-Replayed: true`) and changes nothing; the same key "
        "with another body is a 422; a repeat while the first still runs is a 409; a repeat by a "
        "user who no longer belongs to the household they answered in is a 404."
    ),
}
ERROR = {
    "content": {
        "application/json": {
            "schema": {"type": "object", "properties": {"detail": {"type": "string"}}}
        }
    }
}


def add_idempotency_key(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    for path, operations in result.get("paths", {}).items():
        post = operations.get("post")
        if post is None or path in NOT_RECORDED_PATHS:
            continue
        post.setdefault("parameters", []).append(PARAMETER)
        responses = post.setdefault("responses", {})
        responses.setdefault(
            "409", {**ERROR, "description": "Conflict, or the same key still running"}
        )
        responses.setdefault(
            "404",
            {**ERROR, "description": "Not found, or the key's answer is of a household you left"},
        )
        responses.setdefault(
            "422", {**ERROR, "description": "Idempotency-Key reused with another body"}
        )
    return result
