"""Shared API plumbing: the exception handler, pagination, strict query parameters, id fields."""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kernel.errors import (
    DomainError,
    Forbidden,
    HistoryUnavailable,
    InvalidAction,
    NotFound,
    StateConflict,
)
from kernel.validation import UNKNOWN_PARAMETER, refuse_repeated

MAX_ID = 2**63 - 1
MAX_OFFSET = 2**31 - 1
MAX_LIMIT = 500
DEFAULT_LIMIT = 50
UNKNOWN_FIELD = "This field cannot be set here."
BAD_LIMIT = f"Must be an integer from 1 to {MAX_LIMIT} (larger values are clamped to {MAX_LIMIT})."
BAD_OFFSET = f"Must be an integer from 0 to {MAX_OFFSET}."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The action conflicts with the current state."
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Temporarily unavailable; nothing changed. Try again."
    default_code = "unavailable"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: domain conflicts → 409, rule violations and model validation → 400,
    a role that does not allow the action → 403, an object deleted while the action ran → 404, an
    unwritable history → 503."""
    if isinstance(exc, StateConflict):
        exc = Conflict(exc.message)
    elif isinstance(exc, Forbidden):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, NotFound):
        exc = exceptions.NotFound(exc.message)
    elif isinstance(exc, HistoryUnavailable):
        exc = ServiceUnavailable(exc.message)
    elif isinstance(exc, InvalidAction):
        exc = exceptions.ValidationError(
            {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        )
    elif isinstance(exc, DomainError):
        exc = exceptions.ValidationError(exc.message)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    return drf_exception_handler(exc, context)


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """An integer id in a request body: positive and within a 64-bit column, so that a huge number
    is a 400 and not a database overflow."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class ListField(serializers.ListField):
    """DRF's ListField, refusing a list longer than `max_length` before it validates any item.

    DRF validates every item first and checks the length after: a body of hundreds of thousands of
    ids cost a second of CPU before its 400. Every list in a request body uses this one."""

    def to_internal_value(self, data: Any) -> list:
        too_long = (
            self.max_length is not None
            and isinstance(data, list | tuple)
            and len(data) > self.max_length
        )
        if too_long:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


def parse_bounded_int(
    request: Request, name: str, *, default: int, minimum: int, maximum: int | None, message: str
) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [message]}) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise exceptions.ValidationError({name: [message]})
    return value


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset pagination that answers 400 to a malformed value instead of ignoring it.

    `limit` above the maximum is clamped, not refused, as DRF does.
    """

    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int:
        limit = parse_bounded_int(
            request,
            self.limit_query_param,
            default=self.default_limit,
            minimum=1,
            maximum=None,
            message=BAD_LIMIT,
        )
        return min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        return parse_bounded_int(
            request,
            self.offset_query_param,
            default=0,
            minimum=0,
            maximum=MAX_OFFSET,
            message=BAD_OFFSET,
        )


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, refusing query parameters it does not know (a misspelt filter would otherwise
    silently return everything) and any given more than once (django-filter would take the last
    value and ignore the others)."""

    always_allowed = frozenset({"limit", "offset"})

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        if getattr(view, "action", "list") != "list":
            # Detail routes and viewset actions take their own query parameters, if any.
            return queryset
        refuse_repeated(request)  # no filter of the project takes several values
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        unknown = set(request.query_params) - known - self.always_allowed
        if unknown:
            allowed = ", ".join(sorted(known | {"limit", "offset"}))
            raise exceptions.ValidationError(
                {name: [UNKNOWN_PARAMETER.format(allowed=allowed)] for name in sorted(unknown)}
            )
        return super().filter_queryset(request, queryset, view)


DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DayField(serializers.DateField):
    """A day written YYYY-MM-DD, and no other way: ISO 8601 parsing alone also takes week dates
    (`2026-W49-4`), the compact form (`20261203`) and one-digit months (`2026-1-1`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=["iso-8601"], **kwargs)

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and not DAY.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class StrictFieldsMixin:
    """Refuse body fields the serializer does not accept (e.g. `points` on a child), instead of
    silently dropping them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name for name, f in self.fields.items() if not f.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise exceptions.ValidationError({name: [UNKNOWN_FIELD] for name in unknown})
        return super().to_internal_value(data)


class NoBodySerializer(StrictFieldsMixin, serializers.Serializer):
    """The body of an action that takes none (who acts comes from the credential): any field in
    it, `actor` included, is a 400, as on every route with a body."""


def refuse_any_body(request: Any) -> None:
    """Check that a body-less action got no body fields (an empty body or `{}`)."""
    NoBodySerializer(data=request.data).is_valid(raise_exception=True)


@extend_schema_field(
    {
        "allOf": [{"$ref": "#/components/schemas/TrackingEvent"}],
        "nullable": True,
        "description": "The event recorded for this action; null if recording it failed "
        "(the action itself still happened).",
    }
)
class TrackingEventRefField(serializers.JSONField):
    """The `tracking_event` that the ledger adds to action responses (`ActionResult.extras`); the
    domain apps name the schema component, never the tracking app's code. Null when nothing
    recorded the action."""

    def get_attribute(self, instance: Any) -> Any:
        if isinstance(instance, Mapping):
            return instance.get(self.source)
        return getattr(instance, self.source, None)


class IdFilter(django_filters.Filter):
    """An integer id in a query string: "1.5", "abc" or a number beyond 64 bits is a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 in a query string, turned into UTC here: any offset the format allows is accepted
    (PostgreSQL would refuse one beyond ±15:59 with a 500), and a moment outside the calendar once
    converted is a 400."""

    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
