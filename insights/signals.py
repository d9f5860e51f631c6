"""The signals insights sends, for what is built on its projections (`achievements`)."""

from django.dispatch import Signal

projection_applied = Signal()
"""One tracking row was applied to a child's projections (`ChildDay`, `ChildTotals`).

Sender: `ChildTotals`. Keyword arguments: `child_id`, `row` (the TrackingEvent applied) and
`totals` (the child's ChildTotals as saved, locked for the rest of the transaction).

Sent by insights' receiver of `tracking.signals.event_published` (after the row's stream
message is stored, in a savepoint of its own) for every row the projection applied, those that
change no figure (requests, claims, badges) included, inside the transaction that wrote the row. Not sent for a child that no longer exists, nor by `insights.rebuild`
(a rebuild recomputes everything at once; what is built on the projections rebuilds itself).
"""

streak_tasks_changed = Signal()
"""The guardians chose other chores for a child's streak, and the child's projections were rebuilt
with the choice (which past days count changed with it).

Sender: `StreakChoice`. Keyword argument: `child_id`.

Sent by `insights.services.set_streak_tasks` inside its transaction, after the rebuild, so that
what is built on the streak (streak badges) settles on the new days in the same transaction; and
likewise when a deleted chore leaves a child's choice (`children.signals.task_deleted`).
"""
