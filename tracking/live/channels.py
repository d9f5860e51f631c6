"""Live updates over server-sent events (django-eventstream): who reads which channel, what each
event carries, and the receivers of the domain signals that send them.

Each household has one channel, `household-<id>`, that every member reads (issue 14); a user reads
their own household's and no other. Events are stored in the action's transaction and
delivered after it commits (`tracking.live.store`), so a rolled-back action sends nothing, and a
failure to deliver (Redis down, say) is logged and never fails the action.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django_eventstream.channelmanager import ChannelManagerBase

from children.selectors import available_points
from households.selectors import household_id_of
from kernel.events import PointsChanged, iso_z
from tracking.ledger.render import render_event
from tracking.live.store import store_and_deliver_on_commit
from tracking.models import TrackingEvent

# Domain signal action → the name of the event the frontend receives.
DOMAIN_EVENT_NAMES = {
    "activated": "task_activated",
    "requested": "reward_requested",
    "redeemed": "reward_redeemed",
    "cancelled": "reward_cancelled",
    "adjusted": "points_adjusted",
    "reversed": "points_reversed",
}
TRACKING_EVENT_CREATED = "tracking_event_created"


def channel_for(household_id: int) -> str:
    return f"household-{household_id}"


def channel_of_user(user: AbstractBaseUser | None) -> str | None:
    """The channel of the user's household, or None (anonymous, or in no household)."""
    if user is None or not user.is_authenticated:
        return None
    household_id = household_id_of(user)
    return None if household_id is None else channel_for(household_id)


class UserChannelManager(ChannelManagerBase):
    """A signed-in member reads their household's channel and no other; anonymous reads
    nothing."""

    def get_channels_for_request(self, request, view_kwargs) -> set[str]:
        channel = channel_of_user(getattr(request, "user", None))
        return set() if channel is None else {channel}

    def can_read_channel(self, user: AbstractBaseUser | None, channel: str) -> bool:
        return user is not None and channel == channel_of_user(user)

    def is_channel_reliable(self, channel: str) -> bool:
        return True


def publish_on_commit(household_id: int | None, event_type: str, data: dict[str, Any]) -> None:
    """Store an event for a household's channel in the current transaction; it is delivered
    after the commit (a rolled-back action sends nothing)."""
    if household_id is not None:
        store_and_deliver_on_commit(channel_for(household_id), event_type, data)


def publish_tracking_event(row: TrackingEvent, *, household_id: int | None) -> None:
    """`tracking_event_created`: the row as the ledger renders it, without `user_id` (the
    channel already is the user's)."""
    data = {name: value for name, value in render_event(row).items() if name != "user_id"}
    publish_on_commit(household_id, TRACKING_EVENT_CREATED, data)


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
        "reason": event.metadata.get("reason"),
        "occurred_at": iso_z(event.occurred_at),
    }
    publish_on_commit(child.household_id, DOMAIN_EVENT_NAMES[event.action], data)


def on_child_created(sender: type, *, child, occurred_at, **extra: Any) -> None:
    publish_on_commit(
        child.household_id,
        "child_created",
        {"child": child_payload(child), "occurred_at": iso_z(occurred_at)},
    )


def on_child_changed(sender: type, *, user_id, child, changed, occurred_at, **extra: Any) -> None:
    publish_on_commit(
        user_id,
        "child_changed",
        {"child": child_payload(child), "changed": changed, "occurred_at": iso_z(occurred_at)},
    )


def on_child_deleted(
    sender: type, *, household_id, child_id, child_name, occurred_at, **extra: Any
) -> None:
    publish_on_commit(
        household_id,
        "child_deleted",
        {"child_id": child_id, "child_name": child_name, "occurred_at": iso_z(occurred_at)},
    )
