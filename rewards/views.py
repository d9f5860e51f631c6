"""The rewards API: rewards, the requests children make, and redeeming or cancelling them."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from children.models import Child
from children.selectors import household_children
from households.permissions import HouseholdRolePermission
from households.services import household_for_writing
from kernel.api import refuse_any_body
from kernel.api_errors import errors
from kernel.validation import QueryParametersChecked
from rewards import selectors, services
from rewards.filters import RewardRequestFilter
from rewards.models import Reward, RewardRequest
from rewards.serializers import (
    AssignRewardsSerializer,
    CancelledResponseSerializer,
    DirectRedeemResponseSerializer,
    OverrideSerializer,
    RedeemedResponseSerializer,
    RequestCreatedResponseSerializer,
    RequestRewardSerializer,
    RewardChoiceSerializer,
    RewardIdsSerializer,
    RewardRequestSerializer,
    RewardSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="List your rewards",
        responses={200: RewardSerializer(many=True), **errors(400, 401)},
    ),
    create=extend_schema(responses={201: RewardSerializer, **errors(400, 401)}),
    retrieve=extend_schema(responses={200: RewardSerializer, **errors(400, 401, 404)}),
    update=extend_schema(responses={200: RewardSerializer, **errors(400, 401, 404)}),
    partial_update=extend_schema(responses={200: RewardSerializer, **errors(400, 401, 404)}),
    destroy=extend_schema(responses={204: None, **errors(400, 401, 404)}),
)
class RewardViewSet(QueryParametersChecked, viewsets.ModelViewSet):
    serializer_class = RewardSerializer
    queryset = Reward.objects.none()  # for the schema; requests use get_queryset
    permission_classes = [HouseholdRolePermission]

    def get_queryset(self):
        return selectors.rewards_for(self.request.user)

    def perform_create(self, serializer: RewardSerializer) -> None:
        serializer.instance = services.create_reward(
            household=household_for_writing(user=self.request.user), **serializer.validated_data
        )

    def perform_destroy(self, instance: Reward) -> None:
        services.delete_reward(reward=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List reward requests, filtered by status and child",
        responses={200: RewardRequestSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Read a reward request",
        responses={200: RewardRequestSerializer, **errors(400, 401, 404)},
    ),
)
class RewardRequestViewSet(
    QueryParametersChecked,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RewardRequestSerializer
    queryset = RewardRequest.objects.none()
    filterset_class = RewardRequestFilter
    permission_classes = [HouseholdRolePermission]

    def get_queryset(self):
        return selectors.reward_requests_for(self.request.user)

    @extend_schema(
        summary="Redeem a pending request: the child's points go down by the cost",
        request=None,
        responses={200: RedeemedResponseSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["post"])
    def redeem(self, request: Request, pk: str | None = None) -> Response:
        reward_request = self.get_object()
        refuse_any_body(request)
        result = services.redeem_request(request=reward_request, by=request.user)
        return Response(
            RedeemedResponseSerializer(
                result.response(child=result.child, request=result.request)
            ).data
        )

    @extend_schema(
        summary="Cancel a pending request (parent, or the child in child mode)",
        request=None,
        responses={200: CancelledResponseSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        reward_request = self.get_object()
        refuse_any_body(request)
        result = services.cancel_request(request=reward_request, by=request.user)
        return Response(CancelledResponseSerializer(result.response(request=result.request)).data)


class ChildRewardViewSet(QueryParametersChecked, viewsets.GenericViewSet):
    """Reward actions on one child: `/api/children/{id}/reward-requests/` and `.../redeem/`."""

    serializer_class = RewardChoiceSerializer
    queryset = Child.objects.none()
    permission_classes = [HouseholdRolePermission]

    def get_queryset(self):
        # Both actions' services lock the child and read it again: nothing to prefetch.
        return household_children(self.request.user)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "user": self.request.user}

    @extend_schema(
        summary="Child mode: ask for a reward (needs it assigned and enough points)",
        request=RequestRewardSerializer,
        responses={201: RequestCreatedResponseSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["post"], url_path="reward-requests")
    def reward_requests(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        serializer = RequestRewardSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        result = services.request_reward(
            child=child,
            reward=serializer.validated_data["reward_id"],
            by=request.user,
        )
        return Response(
            RequestCreatedResponseSerializer(result.response(request=result.request)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Redeem a reward for a child directly, with no request",
        request=RewardChoiceSerializer,
        responses={200: DirectRedeemResponseSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["post"])
    def redeem(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.redeem_reward(
            child=child, reward=serializer.validated_data["reward_id"], by=request.user
        )
        return Response(DirectRedeemResponseSerializer(result.response(child=result.child)).data)


NO_OVERRIDE = "This child has no override for that {entity_type}."


# The rewards app's routes on the child resource (`/api/children/{id}/rewards/` and
# `.../overrides/`), mixed into the children app's ChildViewSet by the composition root
# (`chorehub.urls`), so that the children app never knows rewards exist. (A comment: a docstring
# would become the description of every child operation in the OpenAPI schema.)
class ChildRewardRoutes:
    @extend_schema(
        summary="Replace the rewards assigned to a child",
        request=AssignRewardsSerializer,
        responses={200: RewardIdsSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["put"])
    def rewards(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        serializer = AssignRewardsSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        child = services.assign_rewards(
            child=child, rewards=serializer.validated_data["reward_ids"], by=request.user
        )
        return Response({"reward_ids": sorted(reward.pk for reward in child.rewards.all())})

    @extend_schema(
        summary="List a child's overrides",
        responses={200: OverrideSerializer(many=True), **errors(400, 401, 404)},
        methods=["GET"],
    )
    @extend_schema(
        summary="Set a child's own points for a task/penalty or cost for a reward",
        request=OverrideSerializer,
        responses={200: OverrideSerializer, **errors(400, 401, 404)},
        methods=["PUT"],
    )
    @extend_schema(
        summary="Remove an override (the default value applies again)",
        parameters=[
            OpenApiParameter("entity_type", str, enum=["task", "penalty", "reward"], required=True),
            OpenApiParameter("entity_id", int, required=True),
        ],
        request=None,
        responses={204: None, **errors(400, 401, 404)},
        methods=["DELETE"],
    )
    @action(
        detail=True,
        methods=["get", "put", "delete"],
        query_parameters={"limit", "offset", "entity_type", "entity_id"},
    )
    def overrides(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.overrides_for(child))
            return self.get_paginated_response(OverrideSerializer(page, many=True).data)
        context = {"user": request.user}
        if request.method == "PUT":
            serializer = OverrideSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            override = services.set_override(
                child=child,
                entity=serializer.validated_data["entity"],
                value=serializer.validated_data["value"],
            )
            return Response(OverrideSerializer(override).data)
        # DELETE: the key may come as query parameters (what most clients send) or as a body.
        data = request.query_params if "entity_type" in request.query_params else request.data
        serializer = OverrideSerializer(data=data, context=context, require_value=False)
        serializer.is_valid(raise_exception=True)
        if not services.clear_override(child=child, entity=serializer.validated_data["entity"]):
            raise Http404(NO_OVERRIDE.format(entity_type=serializer.validated_data["entity_type"]))
        return Response(status=status.HTTP_204_NO_CONTENT)
