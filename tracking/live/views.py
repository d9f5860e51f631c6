"""The event stream's endpoint: django-eventstream's view behind DRF's authentication."""

import math
import time
import uuid

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse
from django.urls import reverse
from django_eventstream import views as eventstream_views
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from gripcontrol import Channel
from rest_framework import permissions
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from households.services import NO_HOUSEHOLD
from kernel.api_errors import DETAIL_BODY, errors
from kernel.errors import NotFound
from kernel.principals import is_device
from kernel.validation import QueryParametersChecked
from tracking.live.channels import channels_of
from tracking.live.held_streams import held_streams
from tracking.live.open_streams import GuardedStream, OpenStream, open_streams
from tracking.live.resume import check_last_event_ids
from tracking.live.schema import STREAM_EVENT
from tracking.live.stream_grant import (
    HeldStream,
    HeldStreamAuthentication,
    HeldStreamEnded,
    ended_by_proxy_answer,
    seal,
)

CLIENT_PARAMETERS = {"lastEventId", "channel"}
# What django-eventstream writes into the query of the next link Pushpin follows.
NEXT_LINK_PARAMETERS = {"link", "recover", "es-meta"}

FOREIGN_CHANNEL = "You can only read your own channel."
STREAMS_THROUGH_PUSHPIN = (
    "This server holds no streams itself (it is the WSGI one, behind Pushpin): connect through "
    "Pushpin."
)
NO_CHILDREN_LEFT = "None of this device's children exists any more: nothing to stream."


STREAM_DESCRIPTION = """Server-sent events for the signed-in user's household (channel
`household-<id>`: every member reads it; a user in no household gets a 404), as
`text/event-stream`. Browsers authenticate with the session cookie, other clients with
`Authorization: Token <key>`. Each message's `data` is JSON:

| event | data component |
|---|---|
| `tracking_event_created` | TrackingEventCreated |
| `task_activated`, `task_claimed`, `claim_rejected`, `reward_requested`, `reward_redeemed`, `reward_cancelled`, `points_adjusted`, `points_reversed` | PointsActionEvent |
| `child_created` | ChildCreatedEvent |
| `child_changed` | ChildChangedEvent |
| `child_deleted` | ChildDeletedEvent |
| `badge_awarded`, `badge_revoked` | BadgeEvent |

The stream opens with a padding comment and `event: stream-open`; `keep-alive` every 20 s.
Send the last `id:` you received back as `Last-Event-ID` (or `?lastEventId=`) to get what you
missed; `stream-reset` means it is older than the retention. An id that is not one of your
channel's (`household-<id>:<number>`) is a 400 before the stream starts.

A paired child device (`Authorization: Device <credential>`, kid mode) reads only its children's
events: the channels `child-<id>` of its children (`?channel=` picks some of them), with ids that
name each channel's last event (`child-3:7,child-4:2`); send that id back whole to resume.

The server ends the stream, without a last event, when its credential ends (the token is revoked or
expires, the session ends, the password changes, the account is deactivated or deleted, the member leaves
or is removed from the household, the device is revoked: within a few seconds; reconnecting then is a 401) and after `EVENTSTREAM_MAX_LIFETIME_SECONDS` (default one
hour; reconnect with `Last-Event-ID`). At most `EVENTSTREAM_MAX_PER_USER` streams (default 20) per
account are open at once in each server process; the next is a 429. Through Pushpin (docs/pushpin.md)
the stream, its ids, replay and endings are the same; the server holds no stream, so that limit does
not apply there."""

TOO_MANY_STREAMS_RESPONSE = OpenApiResponse(
    DETAIL_BODY,
    description="Too many open streams for this account (`EVENTSTREAM_MAX_PER_USER` per server "
    "process); close one. `Retry-After` says when to try again.",
)
STREAMS_THROUGH_PUSHPIN_RESPONSE = OpenApiResponse(
    DETAIL_BODY,
    description="Reached the WSGI server behind Pushpin directly: it holds no streams. Connect "
    "through Pushpin (docs/pushpin.md).",
)


class OwnChannelOnly(permissions.BasePermission):
    message = FOREIGN_CHANNEL

    def has_permission(self, request, view) -> bool:
        asked = set(request.query_params.getlist("channel"))
        return not asked or asked <= channels_of(request.user)


class EventStreamView(QueryParametersChecked, APIView):
    """The library's stream behind DRF's authentication, so a refusal is a real 401/403 and not
    the library's `stream-error` with status 200. Before it starts: the Last-Event-ID (400) and
    the user's open streams (429); once open, it ends with its credential or its lifetime
    (`tracking.live.open_streams`). Through Pushpin (GRIP_URL), the stream is answered with
    instructions and Pushpin holds it (`held_by_proxy`)."""

    # Not the default AccountsOnly: a paired child device reads its children's channels here.
    permission_classes = [permissions.IsAuthenticated, OwnChannelOnly]
    renderer_classes = [JSONRenderer]

    query_parameters = CLIENT_PARAMETERS
    # Several channels may be asked for, and every Last-Event-ID given is checked.
    repeatable_query_parameters = CLIENT_PARAMETERS

    def handle_exception(self, exc):
        if isinstance(exc, HeldStreamEnded):
            return ended_by_proxy_answer()
        return super().handle_exception(exc)

    def perform_content_negotiation(self, request, force=False):
        # EventSource sends `Accept: text/event-stream`; refusals are still answered in JSON.
        return (JSONRenderer(), "application/json")

    @extend_schema(
        summary="Live events for the signed-in user (server-sent events)",
        description=STREAM_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "lastEventId", str, description="Alternative to the Last-Event-ID header."
            ),
            OpenApiParameter(
                "Last-Event-ID",
                str,
                location=OpenApiParameter.HEADER,
                description="The last `id:` received (`household-<id>:<number>`): the stream starts "
                "with what came after it.",
            ),
        ],
        responses={
            (200, "text/event-stream"): STREAM_EVENT,
            **errors(400, 401, 403, 404),
            429: TOO_MANY_STREAMS_RESPONSE,
            503: STREAMS_THROUGH_PUSHPIN_RESPONSE,
        },
    )
    def get(self, request: Request, **kwargs):
        if not channels_of(request.user):
            raise NotFound(NO_CHILDREN_LEFT if is_device(request.user) else NO_HOUSEHOLD)
        check_last_event_ids(request)
        django_request = request._request
        django_request.user = request.user  # the token's user, for the library's checks
        if through_pushpin(django_request):
            return held_by_proxy(request)
        if not isinstance(django_request, ASGIRequest):
            # Django under WSGI would read the endless stream whole before answering.
            raise StreamsOnlyThroughPushpin
        stream = OpenStream.for_request(request)
        open_streams.open(stream, limit=settings.EVENTSTREAM_MAX_PER_USER)
        response = None
        try:
            response = eventstream_views.events(django_request)
        finally:
            if response is None or not response.streaming:  # raised, or the library refused
                open_streams.close(stream)
        if response.streaming:
            response.streaming_content = GuardedStream(stream, response.streaming_content)
        return response


class HeldEventStreamView(EventStreamView):
    """Pushpin coming back for a stream it holds (its next link): the sealed stream is in the
    path, and only a request signed with the servers' key is believed, which Pushpin's routes
    give to its own next-link requests and not to a client's (`HeldStreamAuthentication`). In the
    path because Pushpin answers simultaneous next-link requests that differ only in their query
    with one shared answer: a seal in the query could reach another stream. Not part of the API
    (no client calls it), so not in the schema."""

    authentication_classes = [HeldStreamAuthentication]
    query_parameters = CLIENT_PARAMETERS | NEXT_LINK_PARAMETERS
    repeatable_query_parameters = CLIENT_PARAMETERS
    schema = None


class StreamsOnlyThroughPushpin(APIException):
    status_code = 503
    default_detail = STREAMS_THROUGH_PUSHPIN


def through_pushpin(django_request) -> bool:
    """Whether Pushpin forwarded the request (django-grip checked its signature)."""
    grip = getattr(django_request, "grip", None)  # None where no middleware ran (the schema's)
    return grip is not None and grip.proxied


def held_by_proxy(request: Request) -> HttpResponse:
    """The stream as GRIP instructions for Pushpin: django-eventstream's (what was missed, then
    hold on the channels), plus a channel of the stream's own through which it is closed when its
    credential or its lifetime ends (`tracking.live.held_streams`), and the sealed stream in the
    next link's path (`HeldEventStreamView`). Nothing stays open in this process."""
    django_request = request._request
    held = request.auth if isinstance(request.auth, HeldStream) else None
    if held is None:
        held = HeldStream(OpenStream.for_request(request), f"stream-{uuid.uuid4().hex}")
    # The library would believe the user named in its own `es-meta`: the principal is ours.
    query = django_request.GET.copy()
    query.pop("es-meta", None)
    django_request.GET = query
    # The library builds the next link from the request's path.
    django_request.path = reverse("held-events", kwargs={"grant": seal(held)})
    response = eventstream_views.events(django_request)
    instruct = django_request.grip.instruct
    if instruct is not None:
        instruct.add_channel(Channel(held.close_channel))
        # Pushpin comes back when the stream's lifetime is over (and is told it ended), rather
        # than every two minutes (its default): one request per stream, not thirty an hour.
        instruct.next_link_timeout = max(1, math.ceil(held.stream.deadline - time.monotonic()))
        held_streams.hold(held.close_channel, held.stream)
    return response
