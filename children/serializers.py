"""Request and response shapes of the children API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from children.models import (
    CHILD_NAME_MAX,
    MAX_AGE,
    REWARD_COST_MAX,
    TASK_POINTS_MAX,
    Child,
    RewardOverride,
    Task,
    TaskOverride,
)
from chorehub.api import StrictFieldsMixin, TrackingEventRefField, id_field
from rewards.models import Reward

MAX_ASSIGNED = 1000
UNKNOWN_IDS = "Unknown {kind} id(s): {ids}."
WRONG_KIND = "{name} (id {id}) is a {actual}, not a {expected}."
VALUE_RANGE = "Must be from 1 to {maximum} for a {entity_type}."
DOES_NOT_EXIST = "{kind} {id} does not exist."


class ChildSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(max_length=CHILD_NAME_MAX, allow_blank=False)
    age = serializers.IntegerField(min_value=0, max_value=MAX_AGE, allow_null=True, required=False)
    task_ids = serializers.SerializerMethodField()
    reward_ids = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields = [
            "id",
            "name",
            "age",
            "points",
            "task_ids",
            "reward_ids",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["points", "created_at", "updated_at"]

    def get_task_ids(self, child: Child) -> list[int]:
        return sorted(task.pk for task in child.tasks.all())

    def get_reward_ids(self, child: Child) -> list[int]:
        return sorted(reward.pk for reward in child.rewards.all())


class TaskSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(max_length=100, allow_blank=False)
    points = serializers.IntegerField(min_value=1, max_value=TASK_POINTS_MAX)
    is_good = serializers.BooleanField(
        default=True, help_text=_("true: a chore (adds points); false: a penalty (takes them).")
    )
    entity_type = serializers.CharField(read_only=True)

    class Meta:
        model = Task
        fields = ["id", "name", "points", "is_good", "entity_type", "created_at"]
        read_only_fields = ["created_at"]


class OwnedIdsField(serializers.ListField):
    """A list of ids of the signed-in parent's objects; unknown and foreign ids are the same 400."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        super().__init__(child=id_field(), max_length=MAX_ASSIGNED, **kwargs)

    def resolve(self, ids: list[int], queryset) -> list:
        wanted = set(ids)
        found = list(queryset.filter(pk__in=wanted))
        missing = wanted - {obj.pk for obj in found}
        if missing:
            raise serializers.ValidationError(
                UNKNOWN_IDS.format(kind=self.kind, ids=", ".join(map(str, sorted(missing))))
            )
        return found


class AssignTasksSerializer(StrictFieldsMixin, serializers.Serializer):
    task_ids = OwnedIdsField(kind="task")

    def validate_task_ids(self, ids: list[int]) -> list[Task]:
        return self.fields["task_ids"].resolve(ids, Task.objects.filter(owner=self.context["user"]))


class AssignRewardsSerializer(StrictFieldsMixin, serializers.Serializer):
    reward_ids = OwnedIdsField(kind="reward")

    def validate_reward_ids(self, ids: list[int]):
        return self.fields["reward_ids"].resolve(
            ids, Reward.objects.filter(owner=self.context["user"])
        )


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
    """The parent's task, penalty or reward with this id, or a 400 on `entity_id`."""
    model = Reward if entity_type == "reward" else Task
    entity = model.objects.filter(owner=user, pk=entity_id).first()
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


class ActivateSerializer(StrictFieldsMixin, serializers.Serializer):
    task_id = id_field()

    def validate_task_id(self, task_id: int) -> Task:
        task = Task.objects.filter(owner=self.context["user"], pk=task_id).first()
        if task is None:
            raise serializers.ValidationError(DOES_NOT_EXIST.format(kind="Task", id=task_id))
        return task


ADJUST_MAX = 100_000
ZERO_ADJUSTMENT = "Must not be 0."


class AdjustSerializer(StrictFieldsMixin, serializers.Serializer):
    points = serializers.IntegerField(
        min_value=-ADJUST_MAX,
        max_value=ADJUST_MAX,
        help_text="Points to add (negative: to remove, floored at 0 like a penalty). Not 0.",
    )
    reason = serializers.CharField(min_length=1, max_length=200, allow_blank=False)

    def validate_points(self, points: int) -> int:
        if points == 0:
            raise serializers.ValidationError(ZERO_ADJUSTMENT)
        return points


class ChildActionResponseSerializer(serializers.Serializer):
    """The child after the action, and the tracking event it recorded."""

    child = ChildSerializer()
    tracking_event = TrackingEventRefField()


class TaskIdsSerializer(serializers.Serializer):
    task_ids = serializers.ListField(child=serializers.IntegerField())


class RewardIdsSerializer(serializers.Serializer):
    reward_ids = serializers.ListField(child=serializers.IntegerField())
