"""Reads of the devices app: a household's devices (for its guardians), and what a paired device
sees of its children (kid mode), scoped to that device."""

from collections.abc import Iterable
from functools import cache

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Prefetch, QuerySet

from children.models import Child, Claim, Task, TaskOverride
from children.selectors import HELD_POINTS
from devices.models import ChildPin, Device
from households.models import Membership
from rewards.models import Reward, RewardOverride, RewardRequest

RECENT_DECIDED_CLAIMS = 10
QUERY_BATCH = 500  # ids per `IN (...)`: under SQLite's limit on query parameters


def devices_for(user: AbstractBaseUser) -> QuerySet[Device]:
    """The caller's household's devices (revoked ones too), with their children and who paired
    them."""
    return (
        Device.objects.filter(household__memberships__user_id=user.pk)
        .select_related("paired_by")
        .prefetch_related(Prefetch("children", queryset=Child.objects.only("id").order_by("id")))
        .order_by("id")
    )


def children_of_device(device: Device) -> QuerySet[Child]:
    """The children a device was paired for (each still in its household: a child deleted since
    is gone from the pairing too)."""
    return Child.objects.filter(devices=device, household_id=device.household_id).order_by("id")


def child_of_device(device: Device, child_id: int) -> Child | None:
    """One of the device's children, or None (another child, of this household or another)."""
    return children_of_device(device).filter(pk=child_id).first()


def device_request(device: Device, request_id: int) -> RewardRequest | None:
    """A reward request this device made, for one of its children; None for any other (another
    device's, a guardian's, another household's)."""
    return (
        RewardRequest.objects.filter(
            pk=request_id, device_id=device.pk, child__in=children_of_device(device)
        )
        .select_related("child", "reward")
        .first()
    )


def kid_view_children(device: Device) -> QuerySet[Child]:
    """A device's children with everything its home screen shows, in a fixed number of queries
    whatever the number of children: held points (for `available_points`), assigned chores and
    rewards with this child's overrides, pending requests, pending and recently decided claims,
    and whether the child has a PIN on this device (`device_pins`)."""
    return (
        children_of_device(device)
        .annotate(held_points=HELD_POINTS)
        .prefetch_related(
            Prefetch(
                "tasks", queryset=Task.objects.filter(is_good=True).order_by("id"), to_attr="chores"
            ),
            Prefetch("task_overrides", queryset=TaskOverride.objects.all()),
            Prefetch("rewards", queryset=Reward.objects.order_by("id"), to_attr="assigned_rewards"),
            Prefetch("reward_overrides", queryset=RewardOverride.objects.all()),
            Prefetch(
                "reward_requests",
                queryset=RewardRequest.objects.filter(status=RewardRequest.Status.PENDING)
                .select_related("reward")
                .order_by("id"),
                to_attr="pending_requests",
            ),
            Prefetch(
                "claims",
                queryset=Claim.objects.filter(status=Claim.Status.PENDING)
                .select_related("task")
                .order_by("id"),
                to_attr="pending_claims",
            ),
            Prefetch(
                "claims",
                queryset=Claim.objects.exclude(status=Claim.Status.PENDING)
                .select_related("task")
                .order_by("-decided_at", "-id")[:RECENT_DECIDED_CLAIMS],
                to_attr="decided_claims",
            ),
        )
    )


def pins_of(device: Device) -> dict[int, ChildPin]:
    """The device's PINs by child id."""
    return {pin.child_id: pin for pin in ChildPin.objects.filter(device=device)}


def live_device_ids(device_ids: Iterable[int]) -> set[int]:
    """Those of these devices that still exist and are not revoked (the stream watcher's check:
    one query per QUERY_BATCH ids, none for no ids)."""
    ids = list(device_ids)
    live: set[int] = set()
    for start in range(0, len(ids), QUERY_BATCH):
        batch = ids[start : start + QUERY_BATCH]
        live.update(
            Device.objects.filter(pk__in=batch, revoked_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
    return live


def has_live_device(child_id: int) -> bool:
    """Whether a paired, unrevoked device reads this child's events. Asked for every stream
    message about a child: hand-written, its SQL built once per process (compiling the ORM's
    query cost more than the read)."""
    sql, parameters = live_device_statement(child_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone() is not None


def live_device_statement(child_id: int) -> tuple[str, list]:
    """The read of `has_live_device`, to send with another statement (`kernel.one_trip`): a row
    when the child has a live device, none when not."""
    return _live_device_sql(), [child_id]


@cache
def _live_device_sql() -> str:
    quote = connection.ops.quote_name
    devices = quote(Device._meta.db_table)
    children = quote(Device.children.through._meta.db_table)
    return (
        f"SELECT 1 FROM {devices} d JOIN {children} dc ON dc.device_id = d.id "
        "WHERE dc.child_id = %s AND d.revoked_at IS NULL LIMIT 1"
    )


def pairing_member(device: Device) -> AbstractBaseUser | None:
    """Who a device's actions are recorded for: the guardian who paired it while they still
    belong to its household; else None (the household's owner, as for any action without an
    account)."""
    if device.paired_by_id is None:
        return None
    still_member = Membership.objects.filter(
        user_id=device.paired_by_id, household_id=device.household_id
    ).exists()
    return device.paired_by if still_member else None
