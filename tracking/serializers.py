"""The shape of a tracking event in API responses."""

from rest_framework import serializers

from chorehub.api import StrictFieldsMixin
from tracking.models import TrackingEvent


class TrackingEventSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True, allow_null=True)
    metadata = serializers.DictField(
        read_only=True,
        help_text="child_name, entity_name, actor (parent|child), default_value, "
        "override_applied, value; request_id for reward actions; reason for adjustments and "
        "reversals; reverses for reversals.",
    )
    reverses = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="On a reversal: the id of the event it undoes."
    )
    reversed_by = serializers.SerializerMethodField(
        help_text="The id of the event that reversed this one, or null."
    )

    class Meta:
        model = TrackingEvent
        fields = [
            "id",
            "user_id",
            "child_id",
            "entity_type",
            "entity_id",
            "action",
            "points_before",
            "points_after",
            "delta",
            "occurred_at",
            "created_at",
            "metadata",
            "reverses",
            "reversed_by",
        ]
        read_only_fields = fields

    def get_reversed_by(self, event: TrackingEvent) -> int | None:
        return getattr(event, "reversed_by", None)


class ReverseSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(min_length=1, max_length=200, allow_blank=False)
