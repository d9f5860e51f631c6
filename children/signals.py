"""Signals the children app sends. Listeners (tracking, the event stream) connect to these; this app
never imports them.

Every points signal is sent by a service inside its `transaction.atomic()` block, after the child's
points are saved and before the transaction commits, with these keyword arguments:

    user           the parent who owns the child (User)
    child          the Child, with its new points
    entity         the Task (chore or penalty) or Reward acted on
    entity_type    "task" | "penalty" | "reward"
    action         "activated" | "requested" | "redeemed" | "cancelled"
    points_before  the child's points before the action (int)
    points_after   the child's points after the action (int)
    occurred_at    server time of the action (aware datetime, UTC)
    metadata       dict: child_name, entity_name, actor ("parent" | "child"), default_value,
                   override_applied (bool), and request_id for reward actions

A receiver may return a dict of extra fields for the API response (see `chorehub.announce`).
Receivers with side effects outside the database must defer them with `transaction.on_commit`.
"""

from django.dispatch import Signal

task_activated = Signal()
"""A chore or a penalty was applied to a child. Sender: `Task`.

Not sent when the action is refused (task not assigned, unknown task): nothing changed then.
"""

child_created = Signal()
"""A parent added a child. Sender: `Child`. Arguments: `user`, `child`, `occurred_at`.

Sent inside the transaction that created it.
"""

child_changed = Signal()
"""A child's name, age or assignment changed. Sender: `Child`. Arguments: `user`, `child`,
`changed` (list of field names), `occurred_at`.

Not sent for points changes: those are announced by the action that moved them.
"""

child_deleted = Signal()
"""A parent deleted a child. Sender: `Child`. Arguments: `user`, `child_id`, `child_name`,
`occurred_at`.

Not sent when the child disappears because its parent's account is deleted.
"""

points_adjusted = Signal()
"""A parent added or removed points by hand, with a reason. Sender: `Child`. Same arguments as
`task_activated`, with `entity=None`, `entity_id=None`, `entity_type="adjustment"`,
`action="adjusted"`, and `metadata["reason"]`.
"""

points_reversed = Signal()
"""An earlier change was undone by applying its exact opposite (floored at 0). Sender: `Child`.
Same arguments as `task_activated`, with `action="reversed"`, the original's `entity_type` and
`entity_id` (the entity may be gone: `entity=None`), and `metadata["reverses"]` (the id of the
record being reversed) and `metadata["reason"]`.

Not sent when the reversal is refused (already reversed, or not a reversible action).
"""
