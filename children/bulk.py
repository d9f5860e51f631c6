"""The children app's bulk paths, for demo data and imports (`demo.bulk_history`): plain
`bulk_create` and `bulk_update` in batches, sending no signals (bulk writes send none).

Not for what parents do: their actions go through `children.services`, whose `move_points` is the
only writer of points for an action. `set_points_from_history` exists for one case only: children
whose whole history was written in bulk by `tracking.ledger.bulk.append_events`, so that each
child's points equal its last event's `points_after` (what `verify_tracking` checks).
"""

from collections.abc import Iterable

from children.models import Child, Task

BATCH = 2000


def create_tasks(tasks: Iterable[Task]) -> list[Task]:
    return Task.objects.bulk_create(tasks, batch_size=BATCH)


def create_children(children: Iterable[Child]) -> list[Child]:
    """New children with 0 points (their history sets them; see `set_points_from_history`)."""
    return Child.objects.bulk_create(children, batch_size=BATCH)


def assign_tasks(pairs: Iterable[tuple[int, int]]) -> None:
    """Assign tasks to children: (child id, task id) pairs."""
    Through = Child.tasks.through
    Through.objects.bulk_create(
        (Through(child_id=child_id, task_id=task_id) for child_id, task_id in pairs),
        batch_size=BATCH,
    )


def set_points_from_history(children: Iterable[Child]) -> None:
    """Save each child's `points` as computed from its bulk-written history."""
    Child.objects.bulk_update(list(children), ["points"], batch_size=BATCH)
