from django.urls import path

from tracking.views import ChildTrackingView

urlpatterns = [
    path("children/<str:pk>/tracking/", ChildTrackingView.as_view(), name="child-tracking"),
]
