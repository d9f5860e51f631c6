from django.urls import path

from tracking.admin_api import StaffTrackingView
from tracking.views import ChildTrackingView, EventStreamView, ReverseEventView

urlpatterns = [
    path("admin/tracking/", StaffTrackingView.as_view(), name="admin-tracking"),
    path("children/<str:pk>/tracking/", ChildTrackingView.as_view(), name="child-tracking"),
    path("events/", EventStreamView.as_view(), name="events"),
    path("tracking/<str:event_id>/reverse/", ReverseEventView.as_view(), name="event-reverse"),
]
