"""The claims API for guardians: list and read claims, approve or reject one. A child claims a
chore from its paired device (the devices app's route, over `children.claims.claim_task`)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from children import claims, selectors
from children.claim_filters import ClaimFilter
from children.claim_serializers import (
    ClaimActionResponseSerializer,
    ClaimSerializer,
)
from children.claims import ClaimResult
from children.models import Claim
from households.permissions import HouseholdRolePermission
from kernel.api import refuse_any_body
from kernel.api_errors import errors
from kernel.validation import QueryParametersChecked


@extend_schema_view(
    list=extend_schema(
        summary="List the chores your household's children claimed, filtered by status and child",
        responses={200: ClaimSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Read a claim", responses={200: ClaimSerializer, **errors(400, 401, 403, 404)}
    ),
)
class ClaimViewSet(
    QueryParametersChecked,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ClaimSerializer
    queryset = Claim.objects.none()  # for the schema; requests use get_queryset
    filterset_class = ClaimFilter
    permission_classes = [HouseholdRolePermission]

    def get_queryset(self):
        return selectors.claims_for(self.request.user)

    @extend_schema(
        summary="Approve a pending claim: the chore is activated, once (points move)",
        request=None,
        responses={200: ClaimActionResponseSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        refuse_any_body(request)
        return answer(claims.approve_claim(claim=claim, by=request.user))

    @extend_schema(
        summary="Reject a pending claim (points do not move)",
        request=None,
        responses={200: ClaimActionResponseSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        refuse_any_body(request)
        return answer(claims.reject_claim(claim=claim, by=request.user))


def answer(result: ClaimResult) -> Response:
    return Response(
        ClaimActionResponseSerializer(result.response(claim=result.claim, child=result.child)).data
    )
