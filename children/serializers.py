"""Request and response shapes of the children API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from children import selectors
from children.models import CHILD_NAME_MAX, MAX_AGE, TASK_POINTS_MAX, Child, Task
from children.selectors import tasks_for
from kernel.api import ListField, StrictFieldsMixin, TrackingEventRefField, id_field
from kernel.referenced import DOES_NOT_EXIST, UNKNOWN_IDS
from kernel.text import validate_single_line_text

MAX_ASSIGNED = 1000
WRONG_KIND = "{name} (id {id}) is a {actual}, not a {expected}."


class ChildSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(
        max_length=CHILD_NAME_MAX, allow_blank=False, validators=[validate_single_line_text]
    )
    age = serializers.IntegerField(min_value=0, max_value=MAX_AGE, allow_null=True, required=False)
    available_points = serializers.SerializerMethodField(
        help_text=_(
            "Points minus what the child's pending reward requests hold, never below 0: what "
            "the child can still ask for or spend."
        )
    )
    task_ids = serializers.SerializerMethodField()
    reward_ids = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields = [
            "id",
            "name",
            "age",
            "points",
            "available_points",
            "task_ids",
            "reward_ids",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["points", "created_at", "updated_at"]

    def get_available_points(self, child: Child) -> int:
        return selectors.available_points(child)

    def get_task_ids(self, child: Child) -> list[int]:
        return related_ids(child, "tasks")

    def get_reward_ids(self, child: Child) -> list[int]:
        # `Child.rewards` is the rewards app's relation (it builds on this app): read by name.
        return related_ids(child, "rewards")


def related_ids(child: Child, relation: str) -> list[int]:
    """The ids of a child's `relation`, sorted: from the list's prefetch when there is one, else
    the ids alone (an action's locked child: building the rows would cost more than the query)."""
    # DRF reads the same private cache (UpdateModelMixin.update) to tell a prefetched instance.
    if relation in getattr(child, "_prefetched_objects_cache", {}):
        return sorted(item.pk for item in getattr(child, relation).all())
    return list(getattr(child, relation).order_by("pk").values_list("pk", flat=True))


class TaskSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(
        max_length=100, allow_blank=False, validators=[validate_single_line_text]
    )
    points = serializers.IntegerField(min_value=1, max_value=TASK_POINTS_MAX)
    # No serializer default: a default would also apply to a PUT without the field, and turn a
    # penalty into a chore. A new task gets the model's (a chore); an update keeps its own.
    is_good = serializers.BooleanField(
        required=False,
        help_text=_(
            "true: a chore (adds points); false: a penalty (takes them). Defaults to true on "
            "creation; left out of a PUT or PATCH, it stays as it was."
        ),
    )
    entity_type = serializers.CharField(read_only=True)

    class Meta:
        model = Task
        fields = ["id", "name", "points", "is_good", "entity_type", "created_at"]
        read_only_fields = ["created_at"]


class OwnedIdsField(ListField):
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
        return self.fields["task_ids"].resolve(ids, tasks_for(self.context["user"]))


class ActivateSerializer(StrictFieldsMixin, serializers.Serializer):
    task_id = id_field()

    def validate_task_id(self, task_id: int) -> Task:
        task = tasks_for(self.context["user"]).filter(pk=task_id).first()
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
    reason = serializers.CharField(
        min_length=1, max_length=200, allow_blank=False, validators=[validate_single_line_text]
    )

    def validate_points(self, points: int) -> int:
        if points == 0:
            raise serializers.ValidationError(ZERO_ADJUSTMENT)
        return points


class ChildActionResponseSerializer(serializers.Serializer):
    """The child after the action, and the tracking event it recorded."""

    child = ChildSerializer()
    tracking_event = TrackingEventRefField()


class TaskIdsSerializer(serializers.Serializer):
    task_ids = ListField(child=serializers.IntegerField())
