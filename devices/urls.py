"""The devices app's routes: the guardians' (`/api/devices/...`) and the paired device's own
(`/api/device/...`, kid mode)."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from devices.device_views import (
    KidCancelRequestView,
    KidClaimsView,
    KidHomeView,
    KidRewardRequestsView,
)
from devices.views import ID_PATTERN, DeviceViewSet, PairingCodesView, PairView

router = SimpleRouter(trailing_slash=True)
router.register("devices", DeviceViewSet, basename="device")

urlpatterns = [
    # Before the router's `devices/<id>/`.
    path("devices/pairing-codes/", PairingCodesView.as_view(), name="device-pairing-codes"),
    path("devices/pair/", PairView.as_view(), name="device-pair"),
    *router.urls,
    path("device/", KidHomeView.as_view(), name="kid-home"),
    re_path(
        rf"^device/children/(?P<child_id>{ID_PATTERN})/claims/$",
        KidClaimsView.as_view(),
        name="kid-claims",
    ),
    re_path(
        rf"^device/children/(?P<child_id>{ID_PATTERN})/reward-requests/$",
        KidRewardRequestsView.as_view(),
        name="kid-reward-requests",
    ),
    re_path(
        rf"^device/reward-requests/(?P<request_id>{ID_PATTERN})/cancel/$",
        KidCancelRequestView.as_view(),
        name="kid-reward-request-cancel",
    ),
]
