"""`GET /api/admin/tracking/`: every user's tracking events, for staff."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions

from kernel.api import StrictFilterBackend, StrictLimitOffsetPagination
from kernel.api_errors import errors
from kernel.validation import QueryParametersChecked
from tracking import selectors
from tracking.filters import StaffTrackingEventFilter
from tracking.models import TrackingEvent
from tracking.serializers import TrackingEventSerializer


@extend_schema(
    summary="Every user's tracking events, oldest first (staff only)",
    description="Ordered by occurred_at, created_at, id. Filters combine (AND); `start` is "
    "inclusive, `end` exclusive (ISO 8601). `limit` defaults to 50; a value above 500 gives 500 "
    "rows. `count` is the total for the filters. 401 without credentials, 403 for a signed-in "
    "user who is not staff; a malformed parameter is a 400 that names it.",
    responses={200: TrackingEventSerializer(many=True), **errors(400, 401, 403)},
)
class StaffTrackingView(QueryParametersChecked, generics.ListAPIView):
    # IsAdminUser checks `is_staff`: 401 for anonymous requests (token auth sends the
    # WWW-Authenticate challenge), 403 for a signed-in parent.
    permission_classes = [permissions.IsAdminUser]
    serializer_class = TrackingEventSerializer
    filterset_class = StaffTrackingEventFilter
    filter_backends = [StrictFilterBackend]
    pagination_class = StrictLimitOffsetPagination
    queryset = TrackingEvent.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.all_events()
