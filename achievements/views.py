"""The achievements API: the badges a household defines (owners and guardians write, every member
reads), a child's awarded badges, and the family's week. Thin views over the services and
selectors; another household's objects are a 404."""

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from achievements import selectors, services
from achievements.family_week import family_week
from achievements.models import BadgeAward, BadgeDefinition
from achievements.serializers import BadgeAwardSerializer, BadgeDefinitionSerializer
from achievements.week_serializers import FamilyWeekSerializer, WeekQuerySerializer
from children.selectors import children_for
from households.permissions import HouseholdRolePermission
from households.services import household_for_writing
from kernel.api_errors import errors
from kernel.validation import QueryParametersChecked

DEFINE_EXAMPLES = [
    OpenApiExample(
        "Twenty dishes",
        value={"name": "Dish master", "criterion": "task_count", "task_id": 3, "threshold": 20},
        request_only=True,
    ),
    OpenApiExample(
        "A good week",
        value={
            "name": "Mostly good",
            "criterion": "good_ratio",
            "ratio_good": 5,
            "ratio_not_good": 1,
            "threshold": 5,
            "period": "week",
        },
        request_only=True,
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="List the badges your household defined",
        responses={200: BadgeDefinitionSerializer(many=True), **errors(400, 401, 403)},
    ),
    create=extend_schema(
        summary="Define a badge (children who already meet it get it at once)",
        examples=DEFINE_EXAMPLES,
        responses={201: BadgeDefinitionSerializer, **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Read a badge",
        responses={200: BadgeDefinitionSerializer, **errors(400, 401, 403, 404)},
    ),
    update=extend_schema(
        summary="Rename a badge (its criterion cannot change)",
        responses={200: BadgeDefinitionSerializer, **errors(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Rename a badge (its criterion cannot change)",
        responses={200: BadgeDefinitionSerializer, **errors(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a badge (what it awarded stays)",
        responses={204: None, **errors(400, 401, 403, 404)},
    ),
)
class BadgeDefinitionViewSet(QueryParametersChecked, viewsets.ModelViewSet):
    serializer_class = BadgeDefinitionSerializer
    queryset = BadgeDefinition.objects.none()  # for the schema; requests use get_queryset
    permission_classes = [HouseholdRolePermission]

    def get_queryset(self):
        return selectors.badge_definitions_for(self.request.user)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "user": self.request.user}

    def perform_create(self, serializer: BadgeDefinitionSerializer) -> None:
        serializer.instance = services.create_badge_definition(
            household=household_for_writing(user=self.request.user), **serializer.validated_data
        )

    def perform_update(self, serializer: BadgeDefinitionSerializer) -> None:
        name = serializer.validated_data.get("name")
        if name is not None:
            services.rename_badge_definition(definition=serializer.instance, name=name)

    def perform_destroy(self, instance: BadgeDefinition) -> None:
        services.delete_badge_definition(definition=instance)


@extend_schema(
    summary="The badges a child was awarded, oldest first",
    description="Every award, with its period and the ids of its `awarded` event and, once "
    "revoked, its `revoked` event (`standing` false). Built-in badges and your household's.",
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The child.")],
    responses={200: BadgeAwardSerializer(many=True), **errors(400, 401, 403, 404)},
)
class ChildBadgesView(QueryParametersChecked, generics.ListAPIView):
    serializer_class = BadgeAwardSerializer
    queryset = BadgeAward.objects.none()  # for the schema; requests use get_queryset
    permission_classes = [HouseholdRolePermission]

    def get_queryset(self):
        child = generics.get_object_or_404(children_for(self.request.user), pk=self.kwargs["pk"])
        return selectors.awards_of_child(child.pk)


class FamilyWeekView(QueryParametersChecked, APIView):
    permission_classes = [HouseholdRolePermission]
    query_parameters = ("date",)

    @extend_schema(
        summary="The family's week: each child's figures, streak, badges and rewards",
        description="The household week (its calendar: time zone, day-boundary hour, week "
        "start) that holds `date` (default: today), and the week before, per child: the "
        "figures, the badges won and the rewards redeemed in each, and the differences.",
        parameters=[
            OpenApiParameter(
                "date", str, description="A day of the week, YYYY-MM-DD (default: today)."
            )
        ],
        responses={200: FamilyWeekSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        query = WeekQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        week = family_week(user=request.user, day=query.validated_data.get("date"))
        return Response(FamilyWeekSerializer(week).data)
