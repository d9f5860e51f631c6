"""The households API's input and output."""

from rest_framework import serializers

from households.models import (
    HOUSEHOLD_NAME_MAX,
    INVITATION_DAYS,
    Household,
    Membership,
    Role,
    validate_time_zone,
)
from kernel.api import StrictFieldsMixin, id_field
from kernel.text import validate_single_line_text

INVITATION_DAYS_MAX = 30


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["user_id", "username", "role", "joined_at"]
        read_only_fields = fields


class HouseholdSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(
        min_length=1,
        max_length=HOUSEHOLD_NAME_MAX,
        allow_blank=False,
        validators=[validate_single_line_text],
    )
    time_zone = serializers.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="An IANA time zone name, e.g. `Europe/Paris`.",
    )
    auto_approve_claims = serializers.BooleanField(
        required=False,
        help_text="When true, a chore a child claims from its device is approved at once (its "
        "points move), without a guardian. Default false.",
    )
    day_boundary_hour = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=23,
        help_text="The local hour at which the household's day starts and ends (0-23, default "
        "0): a family whose day ends at 04:00 sets 4, and 01:00 then counts on the day before.",
    )
    week_start = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=6,
        help_text="The first day of the household's week: 0 = Monday (default) ... 6 = Sunday.",
    )
    role = serializers.SerializerMethodField(help_text="Your role in this household.")
    members = MemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "name",
            "time_zone",
            "day_boundary_hour",
            "week_start",
            "auto_approve_claims",
            "created_at",
            "role",
            "members",
        ]
        read_only_fields = ["id", "created_at", "role", "members"]

    def get_role(self, household: Household) -> str:
        user_id = self.context["user"].pk
        return next((m.role for m in household.memberships.all() if m.user_id == user_id), "")


class InvitationRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    role = serializers.ChoiceField(choices=[Role.GUARDIAN.value, Role.VIEWER.value])
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=INVITATION_DAYS_MAX, default=INVITATION_DAYS
    )


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="Shown only here: give it to the person you invite.")
    role = serializers.CharField()
    expires_at = serializers.DateTimeField()


class JoinSerializer(StrictFieldsMixin, serializers.Serializer):
    code = serializers.CharField(max_length=64)


class TransferSerializer(StrictFieldsMixin, serializers.Serializer):
    user_id = id_field()
