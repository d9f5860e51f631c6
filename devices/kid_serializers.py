"""Request and response shapes of the device routes (kid mode): what a paired device reads of its
children, and what it sends to claim a chore, ask for a reward or cancel its request."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from children.claim_serializers import ClaimSerializer
from children.models import Child, Task
from children.selectors import available_points
from children.serializers import DOES_NOT_EXIST, ChildSerializer
from devices.models import Device
from devices.serializers import PIN_FORMAT, PinField
from kernel.api import StrictFieldsMixin, TrackingEventRefField, id_field
from rewards.models import Reward
from rewards.serializers import RewardRequestSerializer

PIN_HELP = _(
    "The child's PIN on this device, when it has one (see `has_pin`); ignored otherwise. "
    + PIN_FORMAT
)


def pin_field() -> PinField:
    return PinField(required=False, help_text=PIN_HELP)


class KidChoreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    points = serializers.IntegerField(help_text=_("For this child (its override, if any)."))


class KidRewardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    cost = serializers.IntegerField(help_text=_("For this child (its override, if any)."))


class KidPendingRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reward_id = serializers.IntegerField()
    reward_name = serializers.CharField(source="reward.name")
    cost = serializers.IntegerField(help_text=_("What the request holds."))
    created_at = serializers.DateTimeField()
    mine = serializers.SerializerMethodField(
        help_text=_("Made from this device: it may cancel it (a guardian's request it may not).")
    )

    def get_mine(self, request) -> bool:
        return request.device_id == self.context["device_id"]


class KidClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    task_id = serializers.IntegerField()
    task_name = serializers.CharField(source="task.name")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


# Built from `devices.selectors.kid_view_children` (every list below comes from its prefetches)
# and the device's PINs (`context["pins"]`). (A comment: a docstring would be the schema's
# description.)
class KidChildSerializer(serializers.Serializer):
    """One of the device's children: its points, its PIN state on this device, and what it can
    claim, ask for, and is waiting for."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    age = serializers.IntegerField(allow_null=True)
    points = serializers.IntegerField()
    available_points = serializers.SerializerMethodField(
        help_text=_("Points minus what the pending requests hold: what the child can ask for.")
    )
    has_pin = serializers.SerializerMethodField(
        help_text=_("Whether the claims and requests for this child need its PIN here.")
    )
    locked_until = serializers.SerializerMethodField(
        help_text=_("Set while too many wrong PINs lock this child on this device.")
    )
    chores = serializers.SerializerMethodField()
    rewards = serializers.SerializerMethodField()
    pending_requests = KidPendingRequestSerializer(many=True, read_only=True)
    claims = serializers.SerializerMethodField(
        help_text=_("The pending claims, then the last 10 decided (newest first).")
    )

    def get_available_points(self, child: Child) -> int:
        return available_points(child)

    def get_has_pin(self, child: Child) -> bool:
        return child.pk in self.context["pins"]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_locked_until(self, child: Child) -> str | None:
        pin = self.context["pins"].get(child.pk)
        if pin is None or pin.locked_until is None or pin.locked_until <= self.context["now"]:
            return None
        return serializers.DateTimeField().to_representation(pin.locked_until)

    @extend_schema_field(KidChoreSerializer(many=True))
    def get_chores(self, child: Child) -> list[dict]:
        overrides = {o.task_id: o.points for o in child.task_overrides.all()}
        return KidChoreSerializer(
            [
                {"id": task.pk, "name": task.name, "points": overrides.get(task.pk, task.points)}
                for task in child.chores
            ],
            many=True,
        ).data

    @extend_schema_field(KidRewardSerializer(many=True))
    def get_rewards(self, child: Child) -> list[dict]:
        overrides = {o.reward_id: o.cost for o in child.reward_overrides.all()}
        return KidRewardSerializer(
            [
                {
                    "id": reward.pk,
                    "name": reward.name,
                    "cost": overrides.get(reward.pk, reward.cost),
                }
                for reward in child.assigned_rewards
            ],
            many=True,
        ).data

    @extend_schema_field(KidClaimSerializer(many=True))
    def get_claims(self, child: Child) -> list[dict]:
        return KidClaimSerializer([*child.pending_claims, *child.decided_claims], many=True).data


class KidHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    time_zone = serializers.CharField()


class KidHomeSerializer(serializers.Serializer):
    """`GET /api/device/`: the device, its household, and its children."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    household = KidHouseholdSerializer()
    children = KidChildSerializer(many=True)


class ClaimChoreSerializer(StrictFieldsMixin, serializers.Serializer):
    task_id = id_field()
    pin = pin_field()

    def validate_task_id(self, task_id: int) -> Task:
        device: Device = self.context["device"]
        task = Task.objects.filter(household_id=device.household_id, pk=task_id).first()
        if task is None:
            raise serializers.ValidationError(DOES_NOT_EXIST.format(kind="Task", id=task_id))
        return task


class AskForRewardSerializer(StrictFieldsMixin, serializers.Serializer):
    reward_id = id_field()
    pin = pin_field()

    def validate_reward_id(self, reward_id: int) -> Reward:
        device: Device = self.context["device"]
        reward = Reward.objects.filter(household_id=device.household_id, pk=reward_id).first()
        if reward is None:
            raise serializers.ValidationError(DOES_NOT_EXIST.format(kind="Reward", id=reward_id))
        return reward


class PinOnlySerializer(StrictFieldsMixin, serializers.Serializer):
    pin = pin_field()


class KidClaimedSerializer(serializers.Serializer):
    claim = ClaimSerializer()
    child = ChildSerializer()
    tracking_event = TrackingEventRefField()


class KidRequestSerializer(serializers.Serializer):
    request = RewardRequestSerializer()
    child = ChildSerializer()
    tracking_event = TrackingEventRefField()


class PinRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(
        choices=["pin_required", "wrong_pin", "pin_locked"],
        required=False,
        help_text=_("Why the PIN check refused (absent when the caller is not a paired device)."),
    )
    locked_until = serializers.DateTimeField(
        required=False, help_text=_("With `pin_locked`: until when the child is locked.")
    )
