"""Tracking event lists: a parent's child's events."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from children.selectors import children_for
from tracking import selectors
from tracking.filters import TrackingEventFilter
from tracking.models import TrackingEvent
from tracking.serializers import TrackingEventSerializer


@extend_schema(
    summary="A child's tracking events, oldest first",
    description="Ordered by occurred_at, created_at, id. `start` is inclusive, `end` exclusive.",
)
class ChildTrackingView(generics.ListAPIView):
    serializer_class = TrackingEventSerializer
    filterset_class = TrackingEventFilter
    queryset = TrackingEvent.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        child = generics.get_object_or_404(children_for(self.request.user), pk=self.kwargs["pk"])
        return selectors.events_for_child(user=self.request.user, child_id=child.pk)
