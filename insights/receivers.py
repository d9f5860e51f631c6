"""Insights follows the history: each row tracking writes is applied to the projections (and its
stream message gets the child's figures), then what builds on the projections (the badges) is
told, once that message is stored; a household whose calendar changed has its projections
rebuilt. Connected in `InsightsConfig.ready()`."""

from typing import Any

from kernel.lazy_savepoint import lazy_savepoint

APPLIED = "insights_applied"  # where a row keeps what applying it did, for `event_published`


def on_event_recorded(sender: type, *, row: Any, **_: Any) -> dict[str, Any] | None:
    """Apply the row; return the figures for its `tracking_event_created` message when it changed
    them."""
    from insights.projection import apply_recorded
    from insights.stream import figures_payload

    applied = apply_recorded(row)
    if applied is None:
        return None
    row.__dict__[APPLIED] = applied
    return {"figures": figures_payload(applied)} if applied.days else None


def on_event_published(sender: type, *, row: Any, **_: Any) -> None:
    """Send `projection_applied` for a row applied above, in a savepoint of its own: what fails
    there (a badge check) rolls back alone and never the projection nor the action (the rebuild
    repairs it). A check that reads nothing (what this process remembers sufficed) sends no
    SAVEPOINT either (`kernel.lazy_savepoint`)."""
    from insights.models import ChildTotals
    from insights.signals import projection_applied

    applied = row.__dict__.pop(APPLIED, None)
    if applied is None:
        return  # not applied: the child is gone, or the projection failed and rolled back
    with lazy_savepoint():
        projection_applied.send(
            sender=ChildTotals, child_id=row.child_id, row=row, totals=applied.totals
        )


def on_household_calendar_changed(sender: type, *, household: Any, **_: Any) -> None:
    from insights.rebuild import rebuild

    rebuild(household_id=household.pk)


STREAK_CHILDREN = "insights_streak_children"  # kept on the task between the two signals


def on_task_deleting(sender: type, *, task: Any, **_: Any) -> None:
    """Note the children whose streak choice names the task: the cascade removes it from them."""
    from insights.services import children_choosing

    task.__dict__[STREAK_CHILDREN] = children_choosing(task)


def on_task_deleted(sender: type, *, task: Any, **_: Any) -> None:
    """Rebuild those children as a change of their streak choice would."""
    from insights.services import rebuild_after_task_deletion

    child_ids = task.__dict__.pop(STREAK_CHILDREN, None)
    if child_ids:
        rebuild_after_task_deletion(child_ids)
