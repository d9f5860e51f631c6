"""The households API: the caller's household and its members, invitations, joining, removing
a member, transferring ownership, leaving. Thin views over `households.services`."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from households import services
from households.models import Household, Membership, Role
from households.serializers import (
    HouseholdSerializer,
    InvitationRequestSerializer,
    InvitationSerializer,
    JoinSerializer,
    TransferSerializer,
)
from kernel.api import MAX_ID, refuse_any_body
from kernel.api_errors import errors
from kernel.errors import NotFound
from kernel.validation import QueryParametersChecked


def household_of(user) -> Household:
    """The caller's household with its members; NotFound (404) for a user who belongs to none."""
    household = (
        Household.objects.filter(memberships__user_id=user.pk)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("user"))
        )
        .first()
    )
    if household is None:
        raise NotFound(services.NO_HOUSEHOLD)
    return household


def owned_household_of(user) -> Household:
    """The caller's household, when the caller owns it; else a 403."""
    household = household_of(user)
    if not any(m.user_id == user.pk and m.role == Role.OWNER for m in household.memberships.all()):
        raise exceptions.PermissionDenied(services.OWNERS_ONLY)
    return household


def answer(request: Request, household: Household, code: int = status.HTTP_200_OK) -> Response:
    fresh = household_of(request.user)  # members as they are now
    return Response(HouseholdSerializer(fresh, context={"user": request.user}).data, status=code)


class HouseholdView(QueryParametersChecked, APIView):
    @extend_schema(
        summary="Your household and its members",
        responses={200: HouseholdSerializer, **errors(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        return answer(request, household_of(request.user))

    @extend_schema(
        summary="Change your household's name, time zone or claim auto-approval (owner)",
        request=HouseholdSerializer,
        responses={200: HouseholdSerializer, **errors(400, 401, 403, 404)},
    )
    def patch(self, request: Request) -> Response:
        household = owned_household_of(request.user)
        serializer = HouseholdSerializer(
            household, data=request.data, partial=True, context={"user": request.user}
        )
        serializer.is_valid(raise_exception=True)
        services.update_household(household=household, by=request.user, **serializer.validated_data)
        return answer(request, household)


class InvitationsView(QueryParametersChecked, APIView):
    @extend_schema(
        summary="Invite someone to your household as a guardian or a viewer (owner)",
        description="Returns a single-use code, valid for `expires_in_days` (7 by default).",
        request=InvitationRequestSerializer,
        responses={201: InvitationSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        household = owned_household_of(request.user)
        serializer = InvitationRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, code = services.create_invitation(
            household=household,
            role=serializer.validated_data["role"],
            days=serializer.validated_data["expires_in_days"],
            by=request.user,
        )
        body = {
            "id": invitation.pk,
            "code": code,
            "role": invitation.role,
            "expires_at": invitation.expires_at,
        }
        return Response(InvitationSerializer(body).data, status=status.HTTP_201_CREATED)


class JoinView(QueryParametersChecked, APIView):
    @extend_schema(
        summary="Join a household with an invitation code",
        description="A user who already belongs to a household joins only if they are its only "
        "member and it holds no children, chores or rewards (it is then removed); else 409.",
        request=JoinSerializer,
        responses={200: HouseholdSerializer, **errors(400, 401, 409)},
    )
    def post(self, request: Request) -> Response:
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.join_household(
            user=request.user, code=serializer.validated_data["code"]
        )
        return answer(request, membership.household)


class MemberView(QueryParametersChecked, APIView):
    @extend_schema(
        summary="Remove a member from your household (owner); their access ends at once",
        parameters=[OpenApiParameter("user_id", int, OpenApiParameter.PATH)],
        responses={204: None, **errors(400, 401, 403, 404)},
    )
    def delete(self, request: Request, user_id: str) -> Response:
        household = owned_household_of(request.user)
        # Digits only (`int` would take "1_0" or " 1"), few enough for `int`, and within the
        # database's 64-bit ids.
        digits = user_id.isascii() and user_id.isdigit() and len(user_id) <= len(str(MAX_ID))
        if not digits or not 1 <= int(user_id) <= MAX_ID:
            raise NotFound(services.NOT_A_MEMBER)
        services.remove_member(household=household, user_id=int(user_id), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TransferView(QueryParametersChecked, APIView):
    @extend_schema(
        summary="Make another member the owner (owner); you become a guardian",
        request=TransferSerializer,
        responses={200: HouseholdSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        household = owned_household_of(request.user)
        serializer = TransferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.transfer_ownership(
            household=household, to_user_id=serializer.validated_data["user_id"], by=request.user
        )
        return answer(request, household)


class LeaveView(QueryParametersChecked, APIView):
    @extend_schema(
        summary="Leave your household (an owner transfers ownership first)",
        request=None,
        responses={204: None, **errors(400, 401, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        refuse_any_body(request)
        services.leave_household(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
