from django.urls import path

from tracking.views import ChildTrackingView, EventStreamView

urlpatterns = [
    path("children/<str:pk>/tracking/", ChildTrackingView.as_view(), name="child-tracking"),
    path("events/", EventStreamView.as_view(), name="events"),
]
