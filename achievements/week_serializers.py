"""The family's week in the API: its query and its answer (documentation and rendering)."""

from datetime import date

from rest_framework import serializers

from kernel.api import DayField

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9000, 12, 31)  # as insights' day parameters
DAY_OUT_OF_RANGE = f"Must be a day from {FIRST_DAY} to {LAST_DAY}."


def check_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise serializers.ValidationError(DAY_OUT_OF_RANGE)
    return value


class WeekQuerySerializer(serializers.Serializer):
    date = DayField(
        required=False,
        validators=[check_day],
        help_text="A day of the week, YYYY-MM-DD (default: today in the household's calendar).",
    )


class WeekGoodNotGoodSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Activations that stand (not reversed).")
    points = serializers.IntegerField()


class WeekStreakSerializer(serializers.Serializer):
    current = serializers.IntegerField(help_text="As it stands today.")
    best = serializers.IntegerField()


class WeekFiguresSerializer(serializers.Serializer):
    earned = serializers.IntegerField(help_text="Points from chores.")
    lost = serializers.IntegerField(help_text="Points taken by penalties (floored at 0).")
    spent = serializers.IntegerField(help_text="Points spent on rewards.")
    adjusted = serializers.IntegerField(help_text="Manual adjustments, signed.")
    reversed = serializers.IntegerField(help_text="What reversals could not take back.")
    net = serializers.IntegerField(help_text="earned - lost - spent + adjusted + reversed.")


class WeekRangeSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="The week's first household day.")
    end = serializers.DateField(help_text="Its last household day (inclusive).")


class WeekBadgeSerializer(serializers.Serializer):
    badge_key = serializers.CharField()
    name = serializers.CharField()
    period = serializers.CharField()
    period_start = serializers.DateField(allow_null=True)
    standing = serializers.BooleanField(help_text="False once revoked.")
    award_event_id = serializers.IntegerField()


class WeekRewardSerializer(serializers.Serializer):
    reward_id = serializers.IntegerField()
    name = serializers.CharField()
    cost = serializers.IntegerField(help_text="The points it cost.")
    tracking_event_id = serializers.IntegerField()


class ChildWeekSerializer(WeekFiguresSerializer):
    reversals = serializers.IntegerField()
    good = WeekGoodNotGoodSerializer(help_text="Chores activated that week (not reversed).")
    not_good = WeekGoodNotGoodSerializer(help_text="Penalties activated that week (not reversed).")
    badges = WeekBadgeSerializer(many=True, help_text="Badges awarded that week.")
    rewards = WeekRewardSerializer(
        many=True, help_text="Rewards redeemed that week (a reversed redemption is left out)."
    )


class WeekDifferenceSerializer(WeekFiguresSerializer):
    reversals = serializers.IntegerField()
    good = WeekGoodNotGoodSerializer()
    not_good = WeekGoodNotGoodSerializer()
    badges = serializers.IntegerField(help_text="Badges won, this week minus the week before.")
    rewards = serializers.IntegerField(
        help_text="Rewards redeemed, this week minus the week before."
    )


class ChildOfWeekSerializer(serializers.Serializer):
    child_id = serializers.IntegerField()
    name = serializers.CharField()
    points = serializers.IntegerField(help_text="The child's points now.")
    streak = WeekStreakSerializer(help_text="The streak as it stands today.")
    this_week = ChildWeekSerializer()
    previous_week = ChildWeekSerializer()
    difference = WeekDifferenceSerializer(help_text="This week minus the week before.")


class FamilyWeekSerializer(serializers.Serializer):
    household_id = serializers.IntegerField()
    time_zone = serializers.CharField()
    week = WeekRangeSerializer()
    previous_week = WeekRangeSerializer()
    children = ChildOfWeekSerializer(many=True)
