"""Tracking events as a CSV download that streams: rows are read from the database in chunks
(`QuerySet.iterator()`, a server-side cursor on PostgreSQL) and sent as they are written, so a
million rows never sit in memory at once."""

import csv
import json
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from kernel.events import iso_z
from tracking.ledger.render import render_event
from tracking.models import TrackingEvent

HEADER = [
    "id",
    "occurred_at",
    "created_at",
    "user_id",
    "username",
    "child_id",
    "child_name",
    "entity_type",
    "entity_id",
    "entity_name",
    "action",
    "points_before",
    "points_after",
    "delta",
    "actor",
    "metadata",
]
DB_CHUNK = 2000  # rows fetched per round trip
ROWS_PER_WRITE = 500  # rows per chunk of the response body
# A cell starting with one of these is a formula to a spreadsheet (CSV injection): child and
# task names come from parents, so such text cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Lines:
    """A file-like object that hands back what csv.writer writes to it."""

    def write(self, line: str) -> str:
        return line


def text_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def event_row(event: TrackingEvent) -> list:
    fields = render_event(event)
    metadata = event.metadata or {}
    return [
        fields["tracking_event_id"],
        fields["occurred_at"],
        iso_z(event.created_at),
        event.user_id if event.user_id is not None else "",
        text_cell(event.user.get_username()) if event.user_id is not None else "",
        fields["child_id"],
        text_cell(metadata.get("child_name")),
        fields["entity_type"],
        event.entity_id if event.entity_id is not None else "",
        text_cell(metadata.get("entity_name")),
        fields["action"],
        fields["points_before"],
        fields["points_after"],
        fields["delta"],
        text_cell(metadata.get("actor")),
        text_cell(json.dumps(metadata, cls=DjangoJSONEncoder, sort_keys=True)),
    ]


def csv_chunks(events: QuerySet[TrackingEvent]) -> Iterator[str]:
    """The header, then the rows in `events`' order, about ROWS_PER_WRITE rows per chunk."""
    writer = csv.writer(Lines())
    yield writer.writerow(HEADER)
    lines: list[str] = []
    for event in events.select_related("user").iterator(chunk_size=DB_CHUNK):
        lines.append(writer.writerow(event_row(event)))
        if len(lines) >= ROWS_PER_WRITE:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


async def csv_chunks_async(events: QuerySet[TrackingEvent]) -> AsyncIterator[str]:
    """The same chunks for an ASGI server: each is made in Django's sync thread, one at a time.

    Django serves a *sync* iterator under ASGI by first reading it whole into a list; this is
    what keeps the download streaming there.
    """
    chunks = csv_chunks(events)
    next_chunk = sync_to_async(next, thread_sensitive=True)
    try:
        while (chunk := await next_chunk(chunks, None)) is not None:
            yield chunk
    finally:
        # A client that hangs up early: close the database cursor in the thread that opened it.
        await sync_to_async(chunks.close, thread_sensitive=True)()


def csv_response(
    request: HttpRequest, events: QuerySet[TrackingEvent], *, filename: str
) -> StreamingHttpResponse:
    """A streaming CSV download of `events`, async under ASGI and sync under WSGI."""
    content = csv_chunks_async(events) if isinstance(request, ASGIRequest) else csv_chunks(events)
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
