from django.urls import path

from households.views import (
    HouseholdView,
    InvitationsView,
    JoinView,
    LeaveView,
    MemberView,
    TransferView,
)

urlpatterns = [
    path("household/", HouseholdView.as_view(), name="household"),
    path("household/invitations/", InvitationsView.as_view(), name="household-invitations"),
    path("household/join/", JoinView.as_view(), name="household-join"),
    path("household/transfer/", TransferView.as_view(), name="household-transfer"),
    path("household/leave/", LeaveView.as_view(), name="household-leave"),
    path("household/members/<str:user_id>/", MemberView.as_view(), name="household-member"),
]
