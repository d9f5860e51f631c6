"""Live updates over server-sent events (django-eventstream): who reads which channel, what each
event carries, and the receivers of the domain signals that send them.

Each household has one channel, `household-<id>`, that every member reads (issue 14); a user reads
their own household's and no other. A paired child device reads only its children's events: each
child-related event goes to `child-<id>` too while a device is paired for that child, and a
device's stream reads its children's channels (docs/devices.md). Events are stored in the action's transaction and
delivered after it commits (`tracking.live.store`), so a rolled-back action sends nothing, and a
failure to deliver (Redis down, say) is logged and never fails the action.
"""

import contextlib
import contextvars
from collections.abc import Iterator
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django_eventstream.channelmanager import ChannelManagerBase

from children.selectors import available_points, held_points_statement, keep_held_points
from devices.selectors import has_live_device, live_device_statement
from households.selectors import household_id_of
from kernel.events import PointsChanged, iso_z
from kernel.principals import is_device
from tracking.ledger.insert import Read
from tracking.ledger.render import render_event
from tracking.live.store import store_on_channels_and_deliver_on_commit
from tracking.models import TrackingEvent

# What a points action was (its entity type and action) → the name of the event the frontend
# receives. A chore's `requested` and `cancelled` are a device's claim and its rejection.
DOMAIN_EVENT_NAMES = {
    ("task", "activated"): "task_activated",
    ("penalty", "activated"): "task_activated",
    ("task", "requested"): "task_claimed",
    ("task", "cancelled"): "claim_rejected",
    ("reward", "requested"): "reward_requested",
    ("reward", "redeemed"): "reward_redeemed",
    ("reward", "cancelled"): "reward_cancelled",
    ("adjustment", "adjusted"): "points_adjusted",
}


def domain_event_name(event: PointsChanged) -> str:
    """The stream event's name for a points action (every reversal is `points_reversed`)."""
    if event.action == "reversed":
        return "points_reversed"
    return DOMAIN_EVENT_NAMES[(event.entity_type, event.action)]


TRACKING_EVENT_CREATED = "tracking_event_created"


def channel_for(household_id: int) -> str:
    return f"household-{household_id}"


def child_channel(child_id: int) -> str:
    """A child's own channel, which its paired devices read."""
    return f"child-{child_id}"


def channel_of_user(user: AbstractBaseUser | None) -> str | None:
    """The channel of the user's household, or None (anonymous, in no household, or a device)."""
    if user is None or not user.is_authenticated or is_device(user):
        return None
    household_id = household_id_of(user)
    return None if household_id is None else channel_for(household_id)


def channels_of(principal: Any) -> set[str]:
    """What a caller may read: a member their household's channel; a paired device its children's
    (read once per principal: a device's children are fixed when it is paired); else nothing."""
    if principal is not None and is_device(principal):
        return {child_channel(child_id) for child_id in principal.child_ids}
    channel = channel_of_user(principal)
    return set() if channel is None else {channel}


class UserChannelManager(ChannelManagerBase):
    """A signed-in member reads their household's channel and no other; a paired device its
    children's channels (those it asks for with `?channel=`, else all); anonymous reads
    nothing."""

    def get_channels_for_request(self, request, view_kwargs) -> set[str]:
        own = channels_of(getattr(request, "user", None))
        asked = set(request.GET.getlist("channel"))
        return own & asked if asked else own

    def can_read_channel(self, user: AbstractBaseUser | None, channel: str) -> bool:
        return user is not None and channel in channels_of(user)

    def is_channel_reliable(self, channel: str) -> bool:
        return True


def publish_on_commit(
    household_id: int | None,
    event_type: str,
    data: dict[str, Any],
    *,
    child_id: int | None = None,
    to_child: bool | None = None,
) -> None:
    """Store an event for a household's channel in the current transaction; it is delivered
    after the commit (a rolled-back action sends nothing). An event about a child (`child_id`)
    is stored for the child's channel too when a paired device reads it (`to_child` overrides
    that check): one query more per event, and no stored copy for children without a device."""
    channels = [] if household_id is None else [channel_for(household_id)]
    if child_id is not None and (reads_child_channel(child_id) if to_child is None else to_child):
        channels.append(child_channel(child_id))
    if channels:
        store_on_channels_and_deliver_on_commit(channels, event_type, data)


# Within one action (`one_device_check_per_child`): whether a paired device reads each child's
# channel, asked once per child rather than once per message.
_device_checks: contextvars.ContextVar[dict[int, bool] | None] = contextvars.ContextVar(
    "device_checks", default=None
)


@contextlib.contextmanager
def one_device_check_per_child() -> Iterator[None]:
    checks = _device_checks.get()
    token = _device_checks.set({} if checks is None else checks)
    try:
        yield
    finally:
        _device_checks.reset(token)


def reads_for_a_child_action(child: Any) -> list[Read]:
    """What an action's messages about the child will read (what its pending requests hold, for
    `available_points`; whether a paired device reads its channel), to send with the ledger's row
    (`tracking.ledger.insert`) rather than one round trip each. Within
    `one_device_check_per_child`."""
    checks = _device_checks.get()
    reads: list[Read] = [(held_points_statement(child), partial(keep_held_points, child))]
    if checks is not None and child.pk not in checks:

        def keep(rows: list[tuple]) -> None:
            checks[child.pk] = bool(rows)

        reads.append((live_device_statement(child.pk), keep))
    return reads


def reads_child_channel(child_id: int) -> bool:
    """Whether a paired device reads the child's channel (remembered for the action)."""
    checks = _device_checks.get()
    if checks is None:
        return has_live_device(child_id)
    if child_id not in checks:
        checks[child_id] = has_live_device(child_id)
    return checks[child_id]


def publish_child_event(child: Any, event_type: str, data: dict[str, Any]) -> None:
    """Store an event about a child for its household's channel and, when a paired device reads
    it, the child's channel; delivered after the commit (a badge awarded or revoked, issue 15)."""
    publish_on_commit(child.household_id, event_type, data, child_id=child.pk)


def publish_tracking_event(
    row: TrackingEvent, *, household_id: int | None, extra: dict[str, Any] | None = None
) -> None:
    """`tracking_event_created`: the row as the ledger renders it, without `user_id` (the
    channel already is the user's), with the fields `event_recorded`'s receivers added (`extra`:
    insights' `figures`)."""
    data = {name: value for name, value in render_event(row).items() if name != "user_id"}
    data.update(extra or {})
    publish_on_commit(household_id, TRACKING_EVENT_CREATED, data, child_id=row.child_id)


def child_payload(child: Any) -> dict[str, Any]:
    """The child as saved by the action, with what its pending requests leave available (read in
    the action's transaction, under the child's lock: the state the action left)."""
    return {
        "id": child.pk,
        "name": child.name,
        "age": child.age,
        "points": child.points,
        "available_points": available_points(child),
    }


# --- Receivers of the domain signals (connected in TrackingConfig.ready) -------------------------


def on_points_action(sender: type, *, child: Any, event: PointsChanged, **_: Any) -> None:
    """task_activated, reward_requested, reward_redeemed, reward_cancelled, points_adjusted,
    points_reversed. `child` is the locked child as the action saved it (its points are the
    event's `points_after`)."""
    data = {
        "child": {
            "id": event.child_id,
            "name": event.child_name,
            "age": event.child_age,
            "points": event.points_after,
            "available_points": available_points(child),
        },
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "entity_name": event.metadata.get("entity_name"),
        "action": event.action,
        "points_before": event.points_before,
        "points_after": event.points_after,
        "actor": event.metadata.get("actor"),
        "request_id": event.metadata.get("request_id"),
        "claim_id": event.metadata.get("claim_id"),
        "reason": event.metadata.get("reason"),
        "occurred_at": iso_z(event.occurred_at),
    }
    publish_on_commit(child.household_id, domain_event_name(event), data, child_id=child.pk)


def on_child_created(sender: type, *, child, occurred_at, **extra: Any) -> None:
    publish_on_commit(
        child.household_id,
        "child_created",
        {"child": child_payload(child), "occurred_at": iso_z(occurred_at)},
        child_id=child.pk,
        to_child=False,  # a child just created has no device yet
    )


def on_child_changed(sender: type, *, child, changed, occurred_at, **extra: Any) -> None:
    publish_on_commit(
        child.household_id,
        "child_changed",
        {"child": child_payload(child), "changed": changed, "occurred_at": iso_z(occurred_at)},
        child_id=child.pk,
    )


def on_child_deleted(
    sender: type, *, household_id, child_id, child_name, occurred_at, **extra: Any
) -> None:
    publish_on_commit(
        household_id,
        "child_deleted",
        {"child_id": child_id, "child_name": child_name, "occurred_at": iso_z(occurred_at)},
        # The child's pairings went with it: tell its devices' streams anyway.
        child_id=child_id,
        to_child=True,
    )
