"""The event stream's endpoint: django-eventstream's view behind DRF's authentication."""

from django_eventstream import views as eventstream_views
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from kernel.api_errors import errors
from kernel.validation import QueryParametersChecked
from tracking.live.channels import channel_for
from tracking.live.schema import STREAM_EVENT

FOREIGN_CHANNEL = "You can only read your own channel."


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


class EventStreamView(QueryParametersChecked, APIView):
    """The library's stream behind DRF's authentication, so a refusal is a real 401/403 and not
    the library's `stream-error` with status 200."""

    permission_classes = [permissions.IsAuthenticated, OwnChannelOnly]
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
