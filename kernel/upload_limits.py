"""Django's upload limits answered in JSON under /api/, with DEBUG on or off.

A body over DATA_UPLOAD_MAX_MEMORY_SIZE raises RequestDataTooBig where it is first read, and a form
with more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields (or DATA_UPLOAD_MAX_NUMBER_FILES files) raises
TooManyFieldsSent (TooManyFilesSent) where it is first parsed. Django turns those into its HTML 400
page (with DEBUG, its technical page, whatever `handler400` says), and a middleware cannot catch an
exception that another middleware raised (`idempotency` reads the body of signed-in POSTs). So this
middleware, early in MIDDLEWARE, reads and checks an API request's body first, where it can answer
JSON; everything after it reads the body it kept.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse

from kernel.body_limit import BODY_TOO_LARGE

API_PREFIX = "/api/"
TOO_MANY_FIELDS = "Too many form fields or files: at most {fields} fields and {files} files."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ApiUploadLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            refusal = check_upload_limits(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)


def check_upload_limits(request: HttpRequest) -> JsonResponse | None:
    """Read the body (and parse a form's fields) under Django's limits: a JSON 413 or 400 if the
    request breaks one, else None."""
    try:
        request.body  # noqa: B018  (Django's size check; the body is kept for whoever reads next)
        if request.method == "POST" and request.content_type in FORM_TYPES:
            request.POST  # noqa: B018  (the field and file count checks)
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return JsonResponse({"detail": BODY_TOO_LARGE.format(limit=limit)}, status=413)
    except (TooManyFieldsSent, TooManyFilesSent):
        message = TOO_MANY_FIELDS.format(
            fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            files=settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        )
        return JsonResponse({"detail": message}, status=400)
    return None
