"""The id a client resumes from (`Last-Event-ID` or `?lastEventId=`), checked before its stream
starts: the library parses it only once the stream has answered 200, and a malformed one then
raises and drops the connection.

A valid id is one this stream sends: the caller's channel, a colon, an event number that fits the
library's 64-bit column (`household-2:7`). A paired device's stream reads one channel per child,
and its ids name each one, comma-separated (`child-3:7,child-4:2`): each part must be one of the
device's channels.
"""

import re

from rest_framework import exceptions
from rest_framework.request import Request

from tracking.live.channels import channels_of

HEADER = "Last-Event-ID"
PARAMETER = "lastEventId"
MAX_EVENT_NUMBER = 2**63 - 1
EVENT_ID = re.compile(r"(?P<channel>[^:,]{1,255}):(?P<number>[0-9]{1,19})", re.ASCII)

MALFORMED_EVENT_ID = (
    "Not an event id of this stream: expected your channel, a colon and an event number from "
    "0 to 9223372036854775807, as in `{channel}:42` (send back the last `id:` you received)."
)
FOREIGN_EVENT_ID = "This id is of another channel; you can only resume your own, `{channel}`."


def check_last_event_ids(request: Request) -> None:
    """Raise a 400 naming the header or the parameter whose id is not one of the caller's
    channel. Empty values are no id (as the library takes them)."""
    channels = channels_of(request.user)
    given = [(HEADER, request.META.get("HTTP_LAST_EVENT_ID", ""))]
    given += [(PARAMETER, value) for value in request.query_params.getlist(PARAMETER)]
    problems = {}
    for name, value in given:
        if value and (problem := event_id_problem(value, channels)):
            problems[name] = [problem]
    if problems:
        raise exceptions.ValidationError(problems)


def event_id_problem(value: str, channels: set[str]) -> str | None:
    """Why `value` is not an id of the stream of `channels`, or None if it is one: one part per
    channel (comma-separated), each `<channel>:<number>`, each channel one of `channels`."""
    named = "` or `".join(sorted(channels))
    example = min(channels, default="")
    parts = value.split(",")
    if len(parts) > max(1, len(channels)):
        return MALFORMED_EVENT_ID.format(channel=example)
    matches = [EVENT_ID.fullmatch(part) for part in parts]
    if any(m is None or int(m["number"]) > MAX_EVENT_NUMBER for m in matches):
        return MALFORMED_EVENT_ID.format(channel=example)
    if any(m["channel"] not in channels for m in matches):
        return FOREIGN_EVENT_ID.format(channel=named)
    return None


def read_past_every_channel() -> None:
    """Have django-eventstream's reads of what a stream missed move on past what they returned,
    on every channel (installed once, in `TrackingConfig.ready`).

    The library's `get_events` reads up to 100 events a round, shared out between a stream's
    channels, and for the next round moves on only the channels that had more than their share:
    the others were read again from where the client had been, so a device resuming two children
    after a long gap got one child's events once per round of the other's, and the stream's ids
    went backwards (django-eventstream 5.3). Through Pushpin each round is a request of its own,
    with the ids the last one sent, so it never happened there.
    """
    from django_eventstream import eventstream

    library_read = eventstream.get_events
    if getattr(library_read, "reads_past_every_channel", False):
        return

    def get_events(request, limit=100, user=None):
        response = library_read(request, limit=limit, user=user)
        for channel, events in response.channel_items.items():
            if events:
                request.channel_last_ids[channel] = events[-1].id
        return response

    get_events.reads_past_every_channel = True
    # The library's stream looks it up in its module at each round.
    eventstream.get_events = get_events
