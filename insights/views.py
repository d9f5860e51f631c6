"""The insights API: a child's figures and per-day series (every member reads), its paused days
and its streak's chores (owners and guardians write). Thin views over the selectors and
services; another household's child is a 404."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from children.models import Child
from households.permissions import HouseholdRolePermission
from insights import selectors, services
from insights.calendar import HouseholdCalendar
from insights.serializers import (
    FiguresQuerySerializer,
    FiguresSerializer,
    PauseResponseSerializer,
    PauseSerializer,
    SeriesDaySerializer,
    SeriesQuerySerializer,
    StreakTaskIdsSerializer,
    StreakTasksSerializer,
)
from kernel.api_errors import errors
from kernel.validation import QueryParametersChecked

CHILD = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The child.")


def day_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, OpenApiParameter.QUERY, description=description)


class ChildInsightsView(QueryParametersChecked, APIView):
    permission_classes = [HouseholdRolePermission]

    def child(self) -> Child:
        return generics.get_object_or_404(
            selectors.children_with_calendar(self.request.user), pk=self.kwargs["pk"]
        )


class FiguresView(ChildInsightsView):
    query_parameters = ("period", "date", "start", "end")

    @extend_schema(
        summary="A child's figures for a household day, week, month or range",
        description="In the household's calendar (time zone, day-boundary hour, week start). "
        "Either `period` (day, week or month; default week) and `date` (default today), or "
        "`start` and `end` (inclusive, at most 366 days). Reversals neutralize what they "
        "reverse. Also the lifetime figures (their net equals `points`), `available_points` "
        "and the streak.",
        parameters=[
            CHILD,
            OpenApiParameter(
                "period", str, enum=["day", "week", "month"], description="Default week."
            ),
            day_parameter("date", "A day in the period, YYYY-MM-DD (default: today)."),
            day_parameter("start", "First day, YYYY-MM-DD (with `end`)."),
            day_parameter("end", "Last day, YYYY-MM-DD, inclusive (with `start`)."),
        ],
        responses={200: FiguresSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        child = self.child()
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.day_range(HouseholdCalendar.of(child.household))
        # Plain numbers and dates, in FiguresSerializer's shape (which documents it): rendering
        # them through the serializer would cost more than reading them.
        return Response(selectors.figures(child, start, end))


class SeriesView(ChildInsightsView):
    query_parameters = ("start", "end")

    @extend_schema(
        summary="A child's figures per household day, for charts",
        description="Every day from `start` to `end` (inclusive, at most 366 days; by default "
        "the last 30 days, today included), days without events as zeros.",
        parameters=[
            CHILD,
            day_parameter("start", "First day, YYYY-MM-DD (with `end`)."),
            day_parameter("end", "Last day, YYYY-MM-DD, inclusive (with `start`)."),
        ],
        responses={200: SeriesDaySerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        child = self.child()
        query = SeriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.day_range(HouseholdCalendar.of(child.household))
        # Up to 366 days of plain numbers, in SeriesDaySerializer's shape (which documents it):
        # through the serializer, rendering them would cost several times their reading.
        return Response(selectors.series(child, start, end))


class PausesView(ChildInsightsView):
    @extend_schema(
        summary="Pause a household day of a child's streak (a holiday, an illness)",
        description="Appends a `pause` `paused` event (no points move): the day neither breaks "
        "nor extends the streak. Undo it by reversing that event "
        "(`POST /api/tracking/{event_id}/reverse/`). 409 when the day is already paused; 400 "
        "for a day more than a year from today.",
        parameters=[CHILD],
        request=PauseSerializer,
        responses={201: PauseResponseSerializer, **errors(400, 401, 403, 404, 409, 503)},
        examples=[
            OpenApiExample("Ill", value={"day": "2026-03-02", "reason": "Flu"}, request_only=True)
        ],
    )
    def post(self, request: Request, pk: str) -> Response:
        child = self.child()
        serializer = PauseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, event = services.record_pause(child=child, by=request.user, **serializer.validated_data)
        body = {**serializer.validated_data, "tracking_event": event}
        return Response(PauseResponseSerializer(body).data, status=status.HTTP_201_CREATED)


class StreakTasksView(ChildInsightsView):
    @extend_schema(
        summary="The chores that count for a child's streak",
        description="Empty: every chore counts.",
        parameters=[CHILD],
        responses={200: StreakTaskIdsSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        return Response({"task_ids": services.streak_task_ids(self.child())})

    @extend_schema(
        summary="Choose the chores that count for a child's streak",
        description="Chores only (a penalty is a 400); an empty list: every chore counts. The "
        "child's streak is recomputed from its history with the new choice.",
        parameters=[CHILD],
        request=StreakTasksSerializer,
        responses={200: StreakTaskIdsSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: Request, pk: str) -> Response:
        child = self.child()
        serializer = StreakTasksSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        task_ids = services.set_streak_tasks(
            child=child, tasks=serializer.validated_data["task_ids"]
        )
        return Response({"task_ids": task_ids})
