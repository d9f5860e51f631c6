"""A child's tracking events, and undoing one (a reversal)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from children.selectors import children_for
from children.serializers import ChildActionResponseSerializer
from households.permissions import HouseholdRolePermission
from kernel.api_errors import errors
from kernel.validation import QueryParametersChecked
from tracking import selectors
from tracking.filters import TrackingEventFilter
from tracking.ledger import reversal
from tracking.models import TrackingEvent
from tracking.serializers import ReverseSerializer, TrackingEventSerializer


@extend_schema(
    summary="A child's tracking events, oldest first",
    description="Ordered by occurred_at, created_at, id. `start` is inclusive, `end` exclusive.",
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The child.")],
    responses={200: TrackingEventSerializer(many=True), **errors(400, 401, 404)},
)
class ChildTrackingView(QueryParametersChecked, generics.ListAPIView):
    serializer_class = TrackingEventSerializer
    filterset_class = TrackingEventFilter
    queryset = TrackingEvent.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        child = generics.get_object_or_404(children_for(self.request.user), pk=self.kwargs["pk"])
        return selectors.events_for_child(child_id=child.pk)


class ReverseEventView(QueryParametersChecked, APIView):
    """Undo a tracked action by appending its opposite; the original row never changes."""

    permission_classes = [HouseholdRolePermission]

    @extend_schema(
        summary="Reverse an activated, redeemed, adjusted or paused event (once)",
        parameters=[
            OpenApiParameter("event_id", int, OpenApiParameter.PATH, description="The event.")
        ],
        request=ReverseSerializer,
        responses={200: ChildActionResponseSerializer, **errors(400, 401, 404, 503)},
        description="Appends a `reversed` event with the exact opposite of the original's delta "
        "(floored at 0), `reverses` = the original's id; a reversed redemption marks its request "
        "`reversed`. 409 if already reversed; 400 for a requested, cancelled or reversed event; "
        "404 for another parent's event; 503 if the history could not be written (nothing "
        "changed: try again).",
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
            raise Http404(reversal.NOT_FOUND) from None
        result = reversal.reverse_event(
            user=request.user, event_id=event_id, reason=serializer.validated_data["reason"]
        )
        return Response(ChildActionResponseSerializer(result.response(child=result.child)).data)
