"""Request and response shapes of the rewards API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from children.models import REWARD_COST_MAX
from children.serializers import DOES_NOT_EXIST, ChildSerializer
from chorehub.api import StrictFieldsMixin, TrackingEventRefField, id_field
from rewards.models import Reward, RewardRequest


class RewardSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(max_length=100, allow_blank=False)
    description = serializers.CharField(max_length=1000, allow_blank=True, required=False)
    cost = serializers.IntegerField(min_value=1, max_value=REWARD_COST_MAX)

    class Meta:
        model = Reward
        fields = ["id", "name", "description", "cost", "created_at"]
        read_only_fields = ["created_at"]


# "RewardRequest" would collide with the request-body component drf-spectacular makes for Reward.
@extend_schema_serializer(component_name="RewardRequestRecord")
class RewardRequestSerializer(serializers.ModelSerializer):
    child_id = serializers.IntegerField(read_only=True)
    reward_id = serializers.IntegerField(read_only=True)
    child_name = serializers.CharField(source="child.name", read_only=True)
    reward_name = serializers.CharField(source="reward.name", read_only=True)

    class Meta:
        model = RewardRequest
        fields = [
            "id",
            "child_id",
            "child_name",
            "reward_id",
            "reward_name",
            "status",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = fields


class RewardChoiceSerializer(StrictFieldsMixin, serializers.Serializer):
    reward_id = id_field()

    def validate_reward_id(self, reward_id: int) -> Reward:
        reward = Reward.objects.filter(owner=self.context["user"], pk=reward_id).first()
        if reward is None:
            raise serializers.ValidationError(DOES_NOT_EXIST.format(kind="Reward", id=reward_id))
        return reward


class RequestRewardSerializer(RewardChoiceSerializer):
    actor = serializers.ChoiceField(
        choices=["parent", "child"],
        default="child",
        help_text="Who asks: the child in child mode (the default), or a parent for the child.",
    )


class CancelSerializer(StrictFieldsMixin, serializers.Serializer):
    actor = serializers.ChoiceField(choices=["parent", "child"], default="parent")


class RequestCreatedResponseSerializer(serializers.Serializer):
    request = RewardRequestSerializer()
    tracking_event = TrackingEventRefField()


class RedeemedResponseSerializer(serializers.Serializer):
    child = ChildSerializer()
    request = RewardRequestSerializer()
    tracking_event = TrackingEventRefField()


class DirectRedeemResponseSerializer(serializers.Serializer):
    child = ChildSerializer()
    tracking_event = TrackingEventRefField()


class CancelledResponseSerializer(serializers.Serializer):
    request = RewardRequestSerializer()
    tracking_event = TrackingEventRefField()
