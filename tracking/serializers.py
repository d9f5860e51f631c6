"""The shape of a tracking event in API responses."""

from rest_framework import serializers

from tracking.models import TrackingEvent


class TrackingEventSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True, allow_null=True)
    metadata = serializers.DictField(
        read_only=True,
        help_text="child_name, entity_name, actor (parent|child), default_value, "
        "override_applied, value, and request_id for reward actions.",
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
        ]
        read_only_fields = fields
