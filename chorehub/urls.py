"""ChoreHub URLs: the parent API under /api/, the admin, the OpenAPI schema and its docs, and the
route Pushpin follows back for the streams it holds.

The child resource is composed here: the children app's routes and the rewards app's routes on a
child (assigned rewards, overrides) are one viewset, so that neither app imports the other's
views and the URLs stay one resource."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import bad_request, page_not_found, server_error
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from children import views as children_views
from devices.page import KidPageView
from rewards.views import ChildRewardRoutes, ChildRewardViewSet, RewardRequestViewSet, RewardViewSet
from tracking.live.page import LivePageView
from tracking.live.views import HeldEventStreamView


# `/api/children/`: the children app's routes, plus the rewards app's on each child.
class ChildViewSet(ChildRewardRoutes, children_views.ChildViewSet):
    pass


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# JSON only: no `.json` twins of every route (one URL per resource, a smaller surface).
router.include_format_suffixes = False
router.register("children", ChildViewSet, basename="child")
router.register("children", ChildRewardViewSet, basename="child-reward")
router.register("tasks", children_views.TaskViewSet, basename="task")
router.register("rewards", RewardViewSet, basename="reward")
router.register("reward-requests", RewardRequestViewSet, basename="reward-request")

api_patterns = [
    path("", include("accounts.urls")),
    path("", include("households.urls")),
    path("", include("devices.urls")),
    path("", include("children.claim_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("tracking.urls")),
    path("", include("insights.urls")),
    path("", include("achievements.urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", LivePageView.as_view(), name="live"),
    path("kid/", KidPageView.as_view(), name="kid"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    # Pushpin's own requests for the streams it holds: no client calls it, so not under /api/.
    path("pushpin/held/<str:grant>/", HeldEventStreamView.as_view(), name="held-events"),
]

BAD_REQUEST = "Bad request."
SERVER_ERROR = "Server error."


def not_found(request, exception=None):
    """Unknown URLs under /api/ answer JSON like the rest of the API; others get Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def refused(request, exception=None):
    """A request Django itself refuses (a SuspiciousOperation: a bad Host header, an upload over a
    limit) answers JSON under /api/ too, when DEBUG is off (with DEBUG, Django shows its technical
    page; kernel.upload_limits answers the upload limits before that can happen)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": BAD_REQUEST}, status=400)
    return bad_request(request, exception)


def failed(request):
    """An unhandled error under /api/ answers JSON like the rest of the API (when DEBUG is off;
    with DEBUG, Django shows its technical page); others get Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
    return server_error(request)


handler404 = not_found
handler400 = refused
handler500 = failed
