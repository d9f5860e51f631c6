"""Achievements follow the projections: after each row insights applies, the badges it can change
are checked (the household's badge definitions read with the row); after a household's calendar
changed (and insights rebuilt its days), its children's badges are settled again, and a child's
when other chores count for its streak; a deleted child is forgotten. Connected in
`AchievementsConfig.ready()`."""

from typing import Any

from tracking.models import EntityType

DEFINITIONS_READ = "achievements.definitions"  # read with the row (`read_with_row`)


def read_with_row(sender: type, *, child: Any = None, **_: Any) -> dict[str, Any] | None:
    """The `tracking.signals.reading_with_row` receiver: the household's badge definitions, which
    the check after the row reads, go in the row's round trip (one round trip less per action)."""
    if child is None:
        return None
    from achievements.catalog import definitions_read

    return {DEFINITIONS_READ: definitions_read(child.household_id)}


def on_projection_applied(sender: type, *, child_id: int, row: Any, totals: Any, **_: Any) -> None:
    """Check the badges this row can change. An award or a revocation that fails rolls back alone
    (its savepoint) and is logged; anything else that fails goes up to the savepoint insights
    sends `projection_applied` in, which rolls the whole check back (the rebuild repairs it),
    never the projection nor the action. A badge's own event changes nothing a badge counts."""
    if row.entity_type == EntityType.BADGE:
        return
    from achievements.checks import check_badges_after

    check_badges_after(row, totals, getattr(row, "read_with_row", {}).get(DEFINITIONS_READ))


def on_household_calendar_changed(sender: type, *, household: Any, **_: Any) -> None:
    """Days, weeks and months moved: count the chore tallies again in the new calendar and
    settle every child's badges on the rebuilt projections."""
    from achievements.sync import sync_household

    sync_household(household.pk)


def on_streak_tasks_changed(sender: type, *, child_id: int, **_: Any) -> None:
    """Which days count changed: settle the child's badges on its rebuilt days."""
    from achievements.sync import sync_child

    sync_child(child_id)


def on_child_deleted(sender: type, *, child_id: int, **_: Any) -> None:
    """Its awards went with it (CASCADE): forget what this process remembered of them."""
    from achievements.memo import memo

    memo.forget(child_id)
