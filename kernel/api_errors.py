"""The error answers of the API, for the OpenAPI schema: `responses={200: X, **errors(400, 404)}`.

The bodies are what `kernel.api.exception_handler` (DRF's, plus domain errors) writes. Each view
names the codes it can answer, so that clients (and Schemathesis) know every status to expect.
"""

from drf_spectacular.utils import OpenApiResponse

DETAIL_BODY = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_MESSAGES_BODY = {
    "type": "object",
    "description": "Messages by field or query parameter name: a list of strings (for a list or "
    "an object field, the messages by index or by nested field). `detail` holds a message that "
    "names no field, e.g. an unassigned task or a body that is not JSON.",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {}},
            {"type": "object", "additionalProperties": {}},
            {"type": "string"},
        ]
    },
}

ERRORS = {
    400: OpenApiResponse(
        FIELD_MESSAGES_BODY,
        description="Bad input: a malformed, missing or unknown field or query parameter, or a "
        "rule the input breaks. Nothing changed.",
    ),
    401: OpenApiResponse(DETAIL_BODY, description="No valid credentials."),
    403: OpenApiResponse(
        DETAIL_BODY,
        description="Signed in, but not allowed (not staff, a viewer's write, a device on an "
        "account route or an account on a device route).",
    ),
    404: OpenApiResponse(
        DETAIL_BODY,
        description="No such object among yours (another parent's is the same 404), or it "
        "was deleted while the action ran; nothing changed.",
    ),
    409: OpenApiResponse(
        DETAIL_BODY, description="A state conflict (the message says which); nothing changed."
    ),
    503: OpenApiResponse(
        DETAIL_BODY,
        description="The history could not be written, so the action was refused; nothing "
        "changed. Try again.",
    ),
    429: OpenApiResponse(
        DETAIL_BODY,
        description="Too many requests: over a rate limit (docs/operations.md#limits), or, when "
        "signing in, too many failed sign-ins (docs/api.md#accounts). `Retry-After` says how many "
        "seconds to wait.",
    ),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error answers for these status codes. 409 and 422 on POST come from the
    Idempotency-Key schema hook (`idempotency.schema`)."""
    return {code: ERRORS[code] for code in codes}
