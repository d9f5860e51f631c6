"""The rewards API: rewards, the requests children make, and redeeming or cancelling them."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from children.models import Child
from children.selectors import children_for
from children.serializers import ChildSerializer
from chorehub.api_errors import errors
from rewards import selectors, services
from rewards.filters import RewardRequestFilter
from rewards.models import Reward, RewardRequest
from rewards.serializers import (
    CancelledResponseSerializer,
    CancelSerializer,
    DirectRedeemResponseSerializer,
    RedeemedResponseSerializer,
    RequestCreatedResponseSerializer,
    RequestRewardSerializer,
    RewardChoiceSerializer,
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
class RewardViewSet(viewsets.ModelViewSet):
    serializer_class = RewardSerializer
    queryset = Reward.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.rewards_for(self.request.user)

    def perform_create(self, serializer: RewardSerializer) -> None:
        serializer.save(owner=self.request.user)


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
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = RewardRequestSerializer
    queryset = RewardRequest.objects.none()
    filterset_class = RewardRequestFilter

    def get_queryset(self):
        return selectors.reward_requests_for(self.request.user)

    @extend_schema(
        summary="Redeem a pending request: the child's points go down by the cost",
        request=None,
        responses={200: RedeemedResponseSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["post"])
    def redeem(self, request: Request, pk: str | None = None) -> Response:
        result = services.redeem_request(request=self.get_object())
        return Response(
            {
                "child": ChildSerializer(result.child).data,
                "request": RewardRequestSerializer(result.request).data,
                "tracking_event": None,
                **result.extras,
            }
        )

    @extend_schema(
        summary="Cancel a pending request (parent, or the child in child mode)",
        request=CancelSerializer,
        responses={200: CancelledResponseSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        reward_request = self.get_object()
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.cancel_request(
            request=reward_request, actor=serializer.validated_data["actor"]
        )
        return Response(
            {
                "request": RewardRequestSerializer(result.request).data,
                "tracking_event": None,
                **result.extras,
            }
        )


class ChildRewardViewSet(viewsets.GenericViewSet):
    """Reward actions on one child: `/api/children/{id}/reward-requests/` and `.../redeem/`."""

    serializer_class = RewardChoiceSerializer
    queryset = Child.objects.none()

    def get_queryset(self):
        return children_for(self.request.user)

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
            actor=serializer.validated_data["actor"],
        )
        return Response(
            {
                "request": RewardRequestSerializer(result.request).data,
                "tracking_event": None,
                **result.extras,
            },
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
        result = services.redeem_reward(child=child, reward=serializer.validated_data["reward_id"])
        return Response(
            {"child": ChildSerializer(result.child).data, "tracking_event": None, **result.extras}
        )
