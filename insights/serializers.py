"""The insights API's input (query parameters and bodies) and output."""

from datetime import date, timedelta
from typing import Any

from rest_framework import serializers

from children.models import Task
from children.selectors import tasks_for
from children.serializers import OwnedIdsField
from insights.calendar import HouseholdCalendar
from kernel.api import DayField, ListField, StrictFieldsMixin
from kernel.text import validate_single_line_text
from tracking.serializers import TrackingEventSerializer

MAX_RANGE_DAYS = 366
SERIES_DEFAULT_DAYS = 30
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9000, 12, 31)
DAY_OUT_OF_RANGE = f"Must be a day from {FIRST_DAY} to {LAST_DAY}."
START_AND_END = "Give both start and end, or neither."
NOT_WITH_RANGE = "Give either period and date, or start and end, not both."
END_BEFORE_START = "Must not be before start."
RANGE_TOO_LONG = f"A range is at most {MAX_RANGE_DAYS} days (start and end included)."
REASON_MAX = 200


def day_field(**kwargs: Any) -> serializers.DateField:
    return DayField(
        required=False,
        help_text="A household day, YYYY-MM-DD.",
        **kwargs,
    )


def check_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise serializers.ValidationError(DAY_OUT_OF_RANGE)
    return value


class DayRangeQuerySerializer(serializers.Serializer):
    """`start` and `end` (inclusive household days), both or neither, at most a year apart."""

    start = day_field(validators=[check_day])
    end = day_field(validators=[check_day])

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("start" in attrs) != ("end" in attrs):
            missing = "end" if "start" in attrs else "start"
            raise serializers.ValidationError({missing: [START_AND_END]})
        if "start" in attrs:
            if attrs["end"] < attrs["start"]:
                raise serializers.ValidationError({"end": [END_BEFORE_START]})
            if (attrs["end"] - attrs["start"]).days + 1 > MAX_RANGE_DAYS:
                raise serializers.ValidationError({"end": [RANGE_TOO_LONG]})
        return attrs


class FiguresQuerySerializer(DayRangeQuerySerializer):
    period = serializers.ChoiceField(
        choices=["day", "week", "month"],
        required=False,
        help_text="The household day, week or month that holds `date` (default week).",
    )
    date = day_field(validators=[check_day])

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if "start" in attrs and ({"period", "date"} & attrs.keys()):
            raise serializers.ValidationError({"start": [NOT_WITH_RANGE]})
        return attrs

    def day_range(self, calendar: HouseholdCalendar) -> tuple[date, date]:
        """The inclusive range asked for, in the household's calendar."""
        data = self.validated_data
        if "start" in data:
            return data["start"], data["end"]
        day = data.get("date") or calendar.today()
        period = data.get("period", "week")
        if period == "day":
            return day, day
        if period == "month":
            return calendar.month_range(day)
        return calendar.week_range(day)


class SeriesQuerySerializer(DayRangeQuerySerializer):
    def day_range(self, calendar: HouseholdCalendar) -> tuple[date, date]:
        """The inclusive range asked for; by default the last 30 household days, today included."""
        data = self.validated_data
        if "start" in data:
            return data["start"], data["end"]
        today = calendar.today()
        return today - timedelta(days=SERIES_DEFAULT_DAYS - 1), today


class GoodNotGoodSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Activations that stand (not reversed).")
    points = serializers.IntegerField()


EARNED = "Points from chores."
LOST = "Points taken by penalties (floored at 0)."
SPENT = "Points spent on rewards."
ADJUSTED = "Manual adjustments, signed."
REVERSED = "What reversals could not take back (the floor at 0); usually 0."
NET = "earned - lost - spent + adjusted + reversed."


def figure(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(help_text=help_text)


class PointsFiguresSerializer(serializers.Serializer):
    """The points figures of a range or a lifetime, and their net."""

    earned = figure(EARNED)
    lost = figure(LOST)
    spent = figure(SPENT)
    adjusted = figure(ADJUSTED)
    reversed = figure(REVERSED)
    net = figure(NET)


class LifetimeSerializer(PointsFiguresSerializer):
    pass


class StreakSerializer(serializers.Serializer):
    current = serializers.IntegerField(
        help_text="Consecutive household days with a chore, up to today (or yesterday)."
    )
    best = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    earned = figure(EARNED)
    lost = figure(LOST)
    spent = figure(SPENT)
    adjusted = figure(ADJUSTED)
    reversed = figure(REVERSED)
    reversals = serializers.IntegerField(help_text="Reversals of points events in the range.")
    good = GoodNotGoodSerializer(help_text="Chores activated in the range.")
    not_good = GoodNotGoodSerializer(help_text="Penalties activated in the range.")
    net = figure(NET)
    lifetime = LifetimeSerializer()
    points = serializers.IntegerField(help_text="The child's points now: lifetime net.")
    available_points = serializers.IntegerField()
    streak = StreakSerializer()


class SeriesDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    earned = figure(EARNED)
    lost = figure(LOST)
    spent = figure(SPENT)
    adjusted = figure(ADJUSTED)
    reversed = figure(REVERSED)
    net = figure(NET)
    good = GoodNotGoodSerializer()
    not_good = GoodNotGoodSerializer()
    paused = serializers.BooleanField(help_text="A guardian paused this day's streak.")


class PauseSerializer(StrictFieldsMixin, serializers.Serializer):
    day = DayField(
        validators=[check_day],
        help_text="The household day to pause, YYYY-MM-DD (within a year of today).",
    )
    reason = serializers.CharField(
        min_length=1,
        max_length=REASON_MAX,
        validators=[validate_single_line_text],
        help_text="Why (a holiday, an illness).",
    )


class PauseResponseSerializer(serializers.Serializer):
    day = serializers.DateField()
    reason = serializers.CharField()
    tracking_event = TrackingEventSerializer(help_text="The `pause` `paused` event recorded.")


class StreakTasksSerializer(StrictFieldsMixin, serializers.Serializer):
    task_ids = OwnedIdsField(
        kind="task", help_text="Chores that count for the streak; empty: every chore counts."
    )

    def validate_task_ids(self, ids: list[int]) -> list[Task]:
        return self.fields["task_ids"].resolve(ids, tasks_for(self.context["user"]))


class StreakTaskIdsSerializer(serializers.Serializer):
    task_ids = ListField(child=serializers.IntegerField())
