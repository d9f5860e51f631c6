"""Request and response shapes of the claims API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from children.models import Claim
from children.selectors import claim_points
from children.serializers import ChildSerializer
from kernel.api import TrackingEventRefField


class ClaimSerializer(serializers.ModelSerializer):
    child_id = serializers.IntegerField(read_only=True)
    task_id = serializers.IntegerField(read_only=True)
    task_name = serializers.CharField(source="task.name", read_only=True)
    points = serializers.SerializerMethodField(
        help_text=_(
            "What the chore is worth to the child: while pending, its value now (the child's "
            "override, else the chore's points), which approving gives; once decided, its value "
            "at that moment."
        )
    )
    device_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("The paired device that claimed it; null when a guardian's account did."),
    )
    decided_by = serializers.IntegerField(
        source="decided_by_id",
        read_only=True,
        allow_null=True,
        help_text=_(
            "The user id of the guardian who approved or rejected it; null while pending, for "
            "an automatic approval, and once that account is deleted."
        ),
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "child_id",
            "task_id",
            "task_name",
            "points",
            "status",
            "device_id",
            "created_at",
            "decided_at",
            "decided_by",
        ]
        read_only_fields = fields

    def get_points(self, claim: Claim) -> int:
        return claim_points(claim)


class ClaimActionResponseSerializer(serializers.Serializer):
    """The claim and the child after the decision, and the tracking event it recorded."""

    claim = ClaimSerializer()
    child = ChildSerializer()
    tracking_event = TrackingEventRefField()
