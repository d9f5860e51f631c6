"""Request and response shapes of the rewards API."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from children.models import TASK_POINTS_MAX, Task, TaskOverride
from children.selectors import tasks_for
from children.serializers import DOES_NOT_EXIST, WRONG_KIND, ChildSerializer, OwnedIdsField
from kernel.api import ListField, StrictFieldsMixin, TrackingEventRefField, id_field
from kernel.text import validate_multi_line_text, validate_single_line_text
from rewards.models import REWARD_COST_MAX, Reward, RewardOverride, RewardRequest
from rewards.selectors import rewards_for

VALUE_RANGE = "Must be from 1 to {maximum} for a {entity_type}."


class RewardSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(
        max_length=100, allow_blank=False, validators=[validate_single_line_text]
    )
    description = serializers.CharField(
        max_length=1000,
        allow_blank=True,
        required=False,
        validators=[validate_multi_line_text],
        help_text="Several lines allowed (line feeds); no other control characters.",
    )
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
    cost = serializers.IntegerField(
        read_only=True,
        help_text=_(
            "The effective cost when the request was made: held while it is pending, charged "
            "when it is redeemed."
        ),
    )

    class Meta:
        model = RewardRequest
        fields = [
            "id",
            "child_id",
            "child_name",
            "reward_id",
            "reward_name",
            "cost",
            "status",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = fields


class RewardChoiceSerializer(StrictFieldsMixin, serializers.Serializer):
    reward_id = id_field()

    def validate_reward_id(self, reward_id: int) -> Reward:
        reward = rewards_for(self.context["user"]).filter(pk=reward_id).first()
        if reward is None:
            raise serializers.ValidationError(DOES_NOT_EXIST.format(kind="Reward", id=reward_id))
        return reward


class RequestRewardSerializer(RewardChoiceSerializer):
    """A guardian asks for a reward for the child (who acted comes from the credential: a
    child's own request is made from its paired device)."""


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


class AssignRewardsSerializer(StrictFieldsMixin, serializers.Serializer):
    reward_ids = OwnedIdsField(kind="reward")

    def validate_reward_ids(self, ids: list[int]):
        return self.fields["reward_ids"].resolve(ids, rewards_for(self.context["user"]))


class OverrideSerializer(StrictFieldsMixin, serializers.Serializer):
    entity_type = serializers.ChoiceField(choices=["task", "penalty", "reward"])
    entity_id = id_field()
    value = serializers.IntegerField(
        min_value=1,
        max_value=REWARD_COST_MAX,
        help_text=_(f"Points (1-{TASK_POINTS_MAX}) or cost (1-{REWARD_COST_MAX})."),
    )

    def __init__(self, *args, require_value: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not require_value:
            self.fields.pop("value")

    def validate(self, attrs: dict) -> dict:
        attrs["entity"] = resolve_entity(
            user=self.context["user"],
            entity_type=attrs["entity_type"],
            entity_id=attrs["entity_id"],
        )
        value = attrs.get("value")
        maximum = REWARD_COST_MAX if attrs["entity_type"] == "reward" else TASK_POINTS_MAX
        if value is not None and value > maximum:
            raise serializers.ValidationError(
                {"value": [VALUE_RANGE.format(maximum=maximum, entity_type=attrs["entity_type"])]}
            )
        return attrs

    def to_representation(self, override: TaskOverride | RewardOverride) -> dict:
        if isinstance(override, TaskOverride):
            entity_type, entity_id, value = (
                override.task.entity_type,
                override.task_id,
                override.points,
            )
        else:
            entity_type, entity_id, value = "reward", override.reward_id, override.cost
        return {"entity_type": entity_type, "entity_id": entity_id, "value": value}


def resolve_entity(*, user, entity_type: str, entity_id: int):
    """The household's task, penalty or reward with this id, or a 400 on `entity_id`."""
    owned = rewards_for(user) if entity_type == "reward" else tasks_for(user)
    entity = owned.filter(pk=entity_id).first()
    if entity is None:
        raise serializers.ValidationError(
            {"entity_id": [DOES_NOT_EXIST.format(kind=entity_type.title(), id=entity_id)]}
        )
    if isinstance(entity, Task) and entity.entity_type != entity_type:
        raise serializers.ValidationError(
            {
                "entity_type": [
                    WRONG_KIND.format(
                        name=entity.name,
                        id=entity.pk,
                        actual=entity.entity_type,
                        expected=entity_type,
                    )
                ]
            }
        )
    return entity


class RewardIdsSerializer(serializers.Serializer):
    reward_ids = ListField(child=serializers.IntegerField())
