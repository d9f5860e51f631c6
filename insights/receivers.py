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
