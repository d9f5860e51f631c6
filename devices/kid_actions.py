"""What a paired device does for one of its children (kid mode): claim a chore, ask for a
reward, cancel its own pending request. Each checks the child's PIN on the device first (when it
has one), then calls the domain's service with who acted taken from the credential: the guardian
who paired the device (`by`) and the device itself (`device_id`), so the event says
`actor: "child"`."""

from children.claims import ClaimResult, claim_task
from children.models import Child, Task
from devices.models import Device
from devices.pins import check_child_pin
from devices.selectors import pairing_member
from rewards.models import Reward, RewardRequest
from rewards.services import RewardActionResult, cancel_request, request_reward


def claim_chore(*, device: Device, child: Child, task: Task, pin: str | None) -> ClaimResult:
    """The child says it did a chore: a pending claim for a guardian to approve.

    Raises devices.pins.PinRefused, then what `children.claims.claim_task` raises.
    """
    check_child_pin(device_id=device.pk, child_id=child.pk, pin=pin)
    return claim_task(child=child, task=task, by=pairing_member(device), device_id=device.pk)


def ask_for_reward(
    *, device: Device, child: Child, reward: Reward, pin: str | None
) -> RewardActionResult:
    """The child asks for a reward: a pending request that holds its cost.

    Raises devices.pins.PinRefused, then what `rewards.services.request_reward` raises.
    """
    check_child_pin(device_id=device.pk, child_id=child.pk, pin=pin)
    return request_reward(
        child=child, reward=reward, by=pairing_member(device), device_id=device.pk
    )


def withdraw_request(
    *, device: Device, request: RewardRequest, pin: str | None
) -> RewardActionResult:
    """The child withdraws a pending request this device made (the caller checked that).

    Raises devices.pins.PinRefused, then what `rewards.services.cancel_request` raises.
    """
    check_child_pin(device_id=device.pk, child_id=request.child_id, pin=pin)
    return cancel_request(request=request, by=pairing_member(device), device_id=device.pk)
