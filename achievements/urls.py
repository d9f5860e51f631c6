from django.urls import path
from rest_framework.routers import SimpleRouter

from achievements.views import BadgeDefinitionViewSet, ChildBadgesView, FamilyWeekView

router = SimpleRouter(trailing_slash=True)
router.register("badges", BadgeDefinitionViewSet, basename="badge")

urlpatterns = [
    path("children/<str:pk>/badges/", ChildBadgesView.as_view(), name="child-badges"),
    path("household/week/", FamilyWeekView.as_view(), name="household-week"),
    *router.urls,
]
