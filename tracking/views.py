"""Tracking event lists, and the live event stream."""

from django.http import Http404
from django_eventstream import views as eventstream_views
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from children.selectors import children_for
from children.serializers import ChildActionResponseSerializer, ChildSerializer
from chorehub.api_errors import errors
from chorehub.permissions import KnownQueryParameters
from tracking import selectors, services
from tracking.filters import TrackingEventFilter
from tracking.models import TrackingEvent
from tracking.serializers import ReverseSerializer, TrackingEventSerializer
from tracking.stream import channel_for
from tracking.stream_schema import STREAM_EVENT

FOREIGN_CHANNEL = "You can only read your own channel."


@extend_schema(
    summary="A child's tracking events, oldest first",
    description="Ordered by occurred_at, created_at, id. `start` is inclusive, `end` exclusive.",
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The child.")],
    responses={200: TrackingEventSerializer(many=True), **errors(400, 401, 404)},
)
class ChildTrackingView(generics.ListAPIView):
    serializer_class = TrackingEventSerializer
    filterset_class = TrackingEventFilter
    queryset = TrackingEvent.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        child = generics.get_object_or_404(children_for(self.request.user), pk=self.kwargs["pk"])
        return selectors.events_for_child(user=self.request.user, child_id=child.pk)


STREAM_DESCRIPTION = """Server-sent events for the signed-in user (channel `user-<id>`), as
`text/event-stream`. Browsers authenticate with the session cookie, other clients with
`Authorization: Token <key>`. Each message's `data` is JSON:

| event | data component |
|---|---|
| `tracking_event_created` | TrackingEventCreated |
| `task_activated`, `reward_requested`, `reward_redeemed`, `reward_cancelled`, `points_adjusted`, `points_reversed` | PointsActionEvent |
| `child_created` | ChildCreatedEvent |
| `child_changed` | ChildChangedEvent |
| `child_deleted` | ChildDeletedEvent |

The stream opens with a padding comment and `event: stream-open`; `keep-alive` every 20 s.
Send the last `id:` you received back as `Last-Event-ID` (or `?lastEventId=`) to get what you
missed; `stream-reset` means it is older than the retention."""


class OwnChannelOnly(permissions.BasePermission):
    message = FOREIGN_CHANNEL

    def has_permission(self, request, view) -> bool:
        asked = set(request.query_params.getlist("channel"))
        return not asked or asked == {channel_for(request.user.pk)}


class EventStreamView(APIView):
    """The library's stream behind DRF's authentication, so a refusal is a real 401/403 and not
    the library's `stream-error` with status 200."""

    permission_classes = [permissions.IsAuthenticated, KnownQueryParameters, OwnChannelOnly]
    query_parameters = {"lastEventId", "channel"}
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # EventSource sends `Accept: text/event-stream`; refusals are still answered in JSON.
        return (JSONRenderer(), "application/json")

    @extend_schema(
        summary="Live events for the signed-in user (server-sent events)",
        description=STREAM_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "lastEventId", str, description="Alternative to the Last-Event-ID header."
            )
        ],
        responses={(200, "text/event-stream"): STREAM_EVENT, **errors(400, 401, 403)},
    )
    def get(self, request: Request):
        django_request = request._request
        django_request.user = request.user  # the token's user, for the library's channel checks
        return eventstream_views.events(django_request)


class ReverseEventView(APIView):
    """Undo a tracked action by appending its opposite; the original row never changes."""

    @extend_schema(
        summary="Reverse an activated, redeemed or adjusted event (once)",
        parameters=[
            OpenApiParameter("event_id", int, OpenApiParameter.PATH, description="The event.")
        ],
        request=ReverseSerializer,
        responses={200: ChildActionResponseSerializer, **errors(400, 401, 404)},
        description="Appends a `reversed` event with the exact opposite of the original's delta "
        "(floored at 0), `reverses` = the original's id; a reversed redemption marks its request "
        "`reversed`. 409 if already reversed; 400 for a requested, cancelled or reversed event; "
        "404 for another parent's event.",
        examples=[
            OpenApiExample("Undo", value={"reason": "Pressed the wrong child"}, request_only=True)
        ],
    )
    def post(self, request: Request, event_id: str) -> Response:
        serializer = ReverseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            event_id = int(event_id)
        except ValueError:
            raise Http404(services.NOT_FOUND) from None
        result = services.reverse_event(
            user=request.user, event_id=event_id, reason=serializer.validated_data["reason"]
        )
        return Response(
            {"child": ChildSerializer(result.child).data, "tracking_event": None, **result.extras}
        )
