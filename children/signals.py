"""Signals the children app sends. Listeners (the ledger, the event stream) connect to these; this
app never imports them.

Every points signal is sent by `children.services.move_points` inside the action's
`transaction.atomic()` block, after the child's points are saved and before the transaction
commits, with two keyword arguments:

    child   the Child, as saved (locked until the transaction ends)
    event   the `kernel.events.PointsChanged`: who, which child, what, points before and after,
            when, and the contract's metadata

A receiver may return a dict of extra fields for the action's API response (`kernel.announce`);
a receiver that raises `kernel.errors.HistoryUnavailable` refuses the action, any other error is
logged and skipped. Receivers with side effects outside the database defer them with
`transaction.on_commit`.
"""

from django.dispatch import Signal

task_activated = Signal()
"""A chore or a penalty was applied to a child. Sender: `Task`.

Not sent when the action is refused (task not assigned, unknown task): nothing changed then.
"""

child_created = Signal()
"""A member added a child. Sender: `Child`. Arguments: `user_id` (the acting account, or the
household's owner when none acts), `child`, `occurred_at`.

Sent inside the transaction that created it.
"""

child_changed = Signal()
"""A child's name, age or assignment changed. Sender: `Child`. Arguments: `user_id` (as for
`child_created`), `child`, `changed` (list of field names), `occurred_at`.

Not sent for points changes: those are announced by the action that moved them.
"""

child_deleted = Signal()
"""A member deleted a child. Sender: `Child`. Arguments: `user_id` (as for `child_created`),
`household_id` (the child's), `child_id`, `child_name`, `occurred_at`.

Not sent when the child disappears because its household's last member's account is deleted.
"""

points_adjusted = Signal()
"""A parent added or removed points by hand, with a reason. Sender: `Child`. The event has
`entity_type="adjustment"`, `entity_id=None`, `action="adjusted"` and `metadata["reason"]`.
"""

points_reversed = Signal()
"""An earlier change was undone by applying its exact opposite (floored at 0). Sender: `Child`.
The event has `action="reversed"`, the original's `entity_type` and `entity_id` (the entity may
be gone), `metadata["reverses"]` (the id of the record being reversed) and `metadata["reason"]`.

Not sent when the reversal is refused (already reversed, or not a reversible action).
"""

task_claimed = Signal()
"""A child claimed a chore (from its paired device, `metadata.device_id`): a pending claim, points
unchanged. Sender: `Task`. The event has `entity_type="task"`, `action="requested"`, delta 0 and
`metadata["claim_id"]`; its approval is a `task_activated` with the same `claim_id`.

Not sent when the claim is refused (a penalty, an unassigned chore, a claim already pending).
"""

claim_rejected = Signal()
"""A guardian rejected a pending claim: points unchanged. Sender: `Task`. The event has
`entity_type="task"`, `action="cancelled"`, delta 0, `metadata["claim_id"]` and
`metadata["rejected_by"]`.

Not sent when the claim was no longer pending (approved or rejected first): nothing changed then.
"""

task_deleting = Signal()
"""A member is deleting a chore or a penalty: its row is locked, not yet deleted, so what refers to
it (a child's streak choice) can still be found. Sender: `Task`. Argument: `task`.

Sent inside the deletion's transaction, once every child of the task's household is locked (child
first, then the task: the order an action on a child locks in). Followed by `task_deleted`.
"""

task_deleted = Signal()
"""The chore or penalty announced by `task_deleting` is deleted (with its assignments, overrides and
claims): listeners rebuild what depended on it. Sender: `Task`. Argument: `task` (the same
instance, its `pk` still set).

Sent inside the deletion's transaction, right after the delete.
"""
