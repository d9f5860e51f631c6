from django.urls import path

from tracking.live.views import EventStreamView
from tracking.staff.api import StaffTrackingView
from tracking.views import ChildTrackingView, ReverseEventView

urlpatterns = [
    path("admin/tracking/", StaffTrackingView.as_view(), name="admin-tracking"),
    path("children/<str:pk>/tracking/", ChildTrackingView.as_view(), name="child-tracking"),
    path("events/", EventStreamView.as_view(), name="events"),
    path("tracking/<str:event_id>/reverse/", ReverseEventView.as_view(), name="event-reverse"),
]
