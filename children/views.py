"""The children API: thin views that parse, call one service or selector, and serialize."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from children import selectors, services
from children.models import Child, Task
from children.serializers import (
    ActivateSerializer,
    AdjustSerializer,
    AssignTasksSerializer,
    ChildActionResponseSerializer,
    ChildSerializer,
    TaskIdsSerializer,
    TaskSerializer,
)
from households.permissions import HouseholdRolePermission
from households.services import household_for_writing
from kernel.api_errors import errors
from kernel.validation import QueryParametersChecked


@extend_schema_view(
    list=extend_schema(
        summary="List your children",
        responses={200: ChildSerializer(many=True), **errors(400, 401)},
    ),
    create=extend_schema(
        summary="Add a child (starts with 0 points)",
        responses={201: ChildSerializer, **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Read a child", responses={200: ChildSerializer, **errors(400, 401, 404)}
    ),
    update=extend_schema(
        summary="Replace a child's name and age",
        responses={200: ChildSerializer, **errors(400, 401, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a child's name or age",
        responses={200: ChildSerializer, **errors(400, 401, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a child (its tracking history is kept)",
        responses={204: None, **errors(400, 401, 404)},
    ),
)
class ChildViewSet(QueryParametersChecked, viewsets.ModelViewSet):
    serializer_class = ChildSerializer
    queryset = Child.objects.none()  # for the schema; requests use get_queryset
    permission_classes = [HouseholdRolePermission]
    # Their services lock the child and answer with the locked row.
    ACTIONS_ON_A_LOCKED_CHILD = frozenset({"tasks", "activate", "adjust"})

    def get_queryset(self):
        if self.action in self.ACTIONS_ON_A_LOCKED_CHILD:
            return selectors.household_children(self.request.user)
        return selectors.children_for(self.request.user)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "user": self.request.user}

    def perform_create(self, serializer: ChildSerializer) -> None:
        serializer.instance = services.create_child(
            household=household_for_writing(user=self.request.user),
            by=self.request.user,
            **serializer.validated_data,
        )

    def perform_update(self, serializer: ChildSerializer) -> None:
        serializer.instance = services.update_child(
            child=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Child) -> None:
        services.delete_child(child=instance, by=self.request.user)

    @extend_schema(
        summary="Replace the tasks and penalties assigned to a child",
        request=AssignTasksSerializer,
        responses={200: TaskIdsSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["put"])
    def tasks(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        serializer = AssignTasksSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        child = services.assign_tasks(
            child=child, tasks=serializer.validated_data["task_ids"], by=request.user
        )
        return Response({"task_ids": sorted(task.pk for task in child.tasks.all())})

    @extend_schema(
        summary="Activate a chore (adds points) or a penalty (takes points, floored at 0)",
        request=ActivateSerializer,
        responses={200: ChildActionResponseSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        serializer = ActivateSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        result = services.activate_task(
            child=child, task=serializer.validated_data["task_id"], by=request.user
        )
        return Response(ChildActionResponseSerializer(result.response(child=result.child)).data)

    @extend_schema(
        summary="Add or remove points by hand, with a reason (an `adjustment` event)",
        request=AdjustSerializer,
        responses={200: ChildActionResponseSerializer, **errors(400, 401, 404)},
        examples=[
            OpenApiExample(
                "Remove points (floored at 0)",
                value={"points": -40, "reason": "Lost the library book"},
                request_only=True,
            ),
            OpenApiExample(
                "Add points", value={"points": 15, "reason": "Birthday"}, request_only=True
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def adjust(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        serializer = AdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.adjust_points(child=child, by=request.user, **serializer.validated_data)
        return Response(ChildActionResponseSerializer(result.response(child=result.child)).data)


@extend_schema_view(
    list=extend_schema(
        summary="List your chores and penalties",
        responses={200: TaskSerializer(many=True), **errors(400, 401)},
    ),
    create=extend_schema(
        summary="Create a chore (is_good: true) or a penalty (is_good: false)",
        responses={201: TaskSerializer, **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: TaskSerializer, **errors(400, 401, 404)}),
    update=extend_schema(responses={200: TaskSerializer, **errors(400, 401, 404)}),
    partial_update=extend_schema(responses={200: TaskSerializer, **errors(400, 401, 404)}),
    destroy=extend_schema(responses={204: None, **errors(400, 401, 404)}),
)
class TaskViewSet(QueryParametersChecked, viewsets.ModelViewSet):
    serializer_class = TaskSerializer
    queryset = Task.objects.none()
    permission_classes = [HouseholdRolePermission]

    def get_queryset(self):
        return selectors.tasks_for(self.request.user)

    def perform_create(self, serializer: TaskSerializer) -> None:
        serializer.instance = services.create_task(
            household=household_for_writing(user=self.request.user), **serializer.validated_data
        )

    def perform_destroy(self, instance: Task) -> None:
        services.delete_task(task=instance)
