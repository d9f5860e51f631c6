"""The shape of a tracking event in API responses."""

from rest_framework import serializers

from kernel.api import StrictFieldsMixin
from kernel.events import iso_z
from kernel.text import validate_single_line_text
from tracking.ledger.render import render_event
from tracking.models import TrackingEvent


class TrackingEventSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True, allow_null=True)
    metadata = serializers.DictField(
        read_only=True,
        help_text="child_name, entity_name, actor (guardian or child, from the credential; "
        "parent before households), device_id (a child device's action), default_value, "
        "override_applied, value; request_id for reward actions; claim_id and approved_by for "
        "an approved claim; reason for adjustments and reversals; reverses for reversals.",
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

    def to_representation(self, event: TrackingEvent) -> dict:
        # The fields above document the shape; the values are the one rendering every consumer
        # of an event shares (`render_event`), in the same order.
        fields = render_event(event)
        return {
            "id": fields.pop("tracking_event_id"),
            **fields,
            "created_at": iso_z(event.created_at),
            "metadata": event.metadata,
            "reverses": event.reverses,
            "reversed_by": self.get_reversed_by(event),
        }


class ReverseSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(
        min_length=1, max_length=200, allow_blank=False, validators=[validate_single_line_text]
    )
