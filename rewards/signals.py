"""Signals the rewards app sends, through `children.services.move_points`, with the same keyword
arguments as the points signals in `children.signals`: `child` and `event` (a
`kernel.events.PointsChanged` with `entity_type="reward"`). `event.metadata["request_id"]` is the
request's id (None for a direct redemption).

Each is sent by a service inside its transaction, after the state change is saved, and only when the
action succeeds: a refused action (409 or 400) sends nothing.
"""

from django.dispatch import Signal

reward_requested = Signal()
"""A child asked for a reward; points do not move (points_before == points_after). Sender: `Reward`."""

reward_redeemed = Signal()
"""A parent redeemed a pending request, or a reward directly; points went down by the cost.
Sender: `Reward`."""

reward_cancelled = Signal()
"""A pending request was cancelled by a parent or a child; points do not move. Sender: `Reward`."""
