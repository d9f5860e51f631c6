"""`Idempotency-Key` on mutating POSTs: a retry returns the first answer and changes nothing.

The first request with a key inserts a `running` record (a unique constraint on user and key
decides, across processes, who runs); it then runs and stores its response. A repeat with the same
key and body gets that stored response; with another body, a 422; while the first still runs, a
409. Server errors (5xx) and refusals before the action ran (401, 403, 429) are not stored, so
such a request can be retried for real. Keys are per caller: each account's, and each paired child
device's (kid mode), are their own. A stored answer is replayed only while the account still
belongs to the household it belonged to when the answer was stored: the answer may hold that
household's data, and a member who left or was removed may no longer read it (a 404).
"""

import contextlib
import copy
import hashlib
import json
import logging
import re
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.settings import api_settings

from households.selectors import household_id_of
from households.services import ACCOUNT_GONE
from idempotency.models import IdempotencyRecord
from kernel.principals import is_device

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
BAD_KEY = "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces."
KEY_REUSED = "This Idempotency-Key was already used with a different request."
# Refusals before the action ran (credentials, CSRF, throttling) and server errors are not stored.
NOT_AN_ANSWER = {401, 403, 429}
STILL_RUNNING = "A request with this Idempotency-Key is still being processed; retry shortly."
NO_LONGER_YOUR_HOUSEHOLD = (
    "This Idempotency-Key was answered in a household you no longer belong to: its answer is not "
    "yours to see."
)


def request_fingerprint(request: HttpRequest) -> str:
    body = request.body
    # The same JSON spelled differently (spaces, key order) is the same request; other bodies
    # are compared byte for byte.
    with contextlib.suppress(ValueError, RecursionError):
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def request_user(request: HttpRequest):
    """The user the API itself would authenticate, with DRF's configured authentication classes;
    None if anonymous, or if those classes refuse the request (a bad token, a session write without
    its CSRF token): the view then answers 401 or 403 itself, and nothing is recorded."""
    # Keep the body first: the CSRF check of SessionAuthentication parses it (to look for a form's
    # `csrfmiddlewaretoken`), and that parse must read this kept copy, not the stream the view reads.
    request.body  # noqa: B018
    # The form parsers too (some views take forms): they only let the CSRF check find the token in
    # a form body, as Django's check does; the view still refuses a body type it does not take.
    parsers = [*api_settings.DEFAULT_PARSER_CLASSES, FormParser, MultiPartParser]
    # A copy, because a DRF Request sets `user` and `auth` (and a form's parsed data) on the
    # request it wraps: the view, and the middleware after this one, must see the request as it was.
    probe = Request(
        copy.copy(request),
        parsers=[parser() for parser in parsers],
        authenticators=[auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES],
    )
    try:
        user = probe.user
    except APIException:  # AuthenticationFailed, PermissionDenied (CSRF), a body that won't parse
        return None
    return user if user is not None and user.is_authenticated else None


# Credential routes are never recorded: their answers hold a token and their bodies a password,
# which the store would keep (in plain text, for a day) to replay. Anonymous calls to the first two
# are not recorded anyway (keys are per user). Pairing a device answers its credential; an
# invitation and a pairing code answer a code that is kept only as its digest.
NOT_RECORDED_PATHS = frozenset(
    {
        "/api/auth/register/",
        "/api/auth/token/",
        "/api/auth/password/",
        "/api/devices/pair/",
        "/api/household/invitations/",
        "/api/devices/pairing-codes/",
    }
)


def household_of_caller(caller) -> int | None:
    """The household whose data the caller's answers may hold: the account's, as it is now. None
    for a device: its credential ends with its household or its revocation, so its keys need no
    check of their own."""
    return None if is_device(caller) else household_id_of(caller)


def account_exists(user) -> bool:
    return get_user_model().objects.filter(pk=user.pk).exists()


def key_owner(caller) -> dict:
    """Whose keys these are: a paired child device's own (its principal carries `is_device` and
    `device_id`; kernel.principals), else the account's."""
    if is_device(caller):
        return {"device_id": caller.device_id}
    return {"user": caller}


class IdempotencyKeyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if (
            key is None
            or request.method != "POST"
            or not request.path.startswith("/api/")
            or request.path in NOT_RECORDED_PATHS
        ):
            return self.get_response(request)
        if not KEY_PATTERN.match(key):
            return JsonResponse({"detail": BAD_KEY}, status=400)
        user = request_user(request)
        if user is None:
            # Keys are per user: anonymous requests (register, token) run as if there were none.
            return self.get_response(request)
        fingerprint = request_fingerprint(request)
        record, answer = self.claim(user=user, key=key, fingerprint=fingerprint)
        if answer is not None:
            return answer
        try:
            response = self.get_response(request)
        except BaseException:
            record.delete()
            raise
        self.store(record, response, household_id=household_of_caller(user))
        return response

    def claim(self, *, user, key: str, fingerprint: str):
        """Insert the running record, or answer from the one that exists."""
        owner = key_owner(user)
        now = timezone.now()
        expires_at = now + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
        for _ in range(2):
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        **owner,
                        key=key,
                        fingerprint=fingerprint,
                        created_at=now,
                        expires_at=expires_at,
                    )
                return record, None
            except IntegrityError:
                existing = IdempotencyRecord.objects.filter(**owner, key=key).first()
            if existing is None:
                if "user" in owner and not account_exists(user):
                    # The record could not refer to the account: its deletion committed since
                    # the request was authenticated. The view would say so too.
                    return None, JsonResponse({"detail": ACCOUNT_GONE}, status=404)
                continue  # it was deleted meanwhile (a failed first attempt): try again
            if existing.expires_at <= now or self.abandoned(existing, now):
                existing.delete()
                continue
            if existing.fingerprint != fingerprint:
                return None, JsonResponse({"detail": KEY_REUSED}, status=422)
            if existing.status == IdempotencyRecord.Status.RUNNING:
                return None, JsonResponse({"detail": STILL_RUNNING}, status=409)
            if existing.household_id != household_of_caller(user):
                # Not deleted: the key stays used, and a member who comes back gets it again.
                return None, JsonResponse({"detail": NO_LONGER_YOUR_HOUSEHOLD}, status=404)
            return None, self.replay(existing)
        return None, JsonResponse({"detail": STILL_RUNNING}, status=409)

    @staticmethod
    def abandoned(record: IdempotencyRecord, now) -> bool:
        """A record still running long after any request could take: its process died."""
        limit = timedelta(seconds=settings.IDEMPOTENCY_RUNNING_TIMEOUT_SECONDS)
        return record.status == IdempotencyRecord.Status.RUNNING and record.created_at < now - limit

    @staticmethod
    def store(
        record: IdempotencyRecord, response: HttpResponse, *, household_id: int | None
    ) -> None:
        if response.status_code in NOT_AN_ANSWER or response.status_code >= 500:
            record.delete()  # not the action's answer: let the client retry for real
            return
        # An update that finds no row stores nothing: the record went with its account, deleted
        # while this request ran (no one is left to retry it), and the answer is still the view's.
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status=IdempotencyRecord.Status.COMPLETE,
            response_status=response.status_code,
            response_body=response.content,
            response_content_type=response.get("Content-Type", ""),
            household_id=household_id,
        )
        response[REPLAYED_HEADER] = "false"

    @staticmethod
    def replay(record: IdempotencyRecord) -> HttpResponse:
        response = HttpResponse(
            bytes(record.response_body),
            status=record.response_status,
            content_type=record.response_content_type or "application/json",
        )
        response[REPLAYED_HEADER] = "true"
        return response
