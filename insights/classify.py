"""How the history becomes figures: what each event adds to which household day. Pure: the
incremental projection (`insights.projection`) and the rebuild (`insights.rebuild`) both go
through here, which is why they agree.

- a chore activated: `earned`, `chores`, `chore_points` (and `streak_chores` when it counts for
  the child's streak);
- a penalty activated: `lost`, `penalties`, `penalty_points` (what the floor at 0 let it take);
- a reward redeemed: `spent`; an adjustment: `adjusted` (signed);
- a pause: `pauses` on the day it pauses (its metadata's `day`);
- a reversal neutralizes what it reverses, on the original's day, as if it had never happened;
  a reversal of a points event also adds, on its own day, `reversals` 1 and `reversed` the
  residual (`original.delta + reversal.delta`: what the floor at 0 kept it from taking back);
- anything else (requests, cancellations, claims, badges): nothing.

So over any range, net = earned - lost - spent + adjusted + reversed, and over a child's whole
history net = the sum of its deltas = its points.
"""

from collections.abc import Collection
from datetime import date
from typing import Any, NamedTuple

from insights.calendar import HouseholdCalendar

Counters = dict[str, int]


class Effect(NamedTuple):
    """What one event adds (counters may be negative) to one household day."""

    day: date
    counters: Counters


# An event is read through these attributes (a TrackingEvent, or a row of `values_list(named=True)`):
# entity_type, entity_id, action, delta, occurred_at, reverses, and `pause_day` or metadata["day"].


def pause_day(event: Any) -> date | None:
    """The day a pause event pauses (from its metadata), or None if it cannot be read."""
    value = getattr(event, "pause_day", None)
    if value is None:
        metadata = getattr(event, "metadata", None) or {}
        value = metadata.get("day")
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def own_effect(
    event: Any, calendar: HouseholdCalendar, streak_tasks: Collection[int] | None
) -> Effect | None:
    """What an event that is not a reversal adds; None when it adds nothing. `streak_tasks` are
    the chores that count for the streak (None: every chore)."""
    kind, action, delta = event.entity_type, event.action, event.delta
    if action == "activated" and kind == "task":
        counters = {"earned": delta, "chores": 1, "chore_points": delta}
        if streak_tasks is None or event.entity_id in streak_tasks:
            counters["streak_chores"] = 1
    elif action == "activated" and kind == "penalty":
        counters = {"lost": -delta, "penalties": 1, "penalty_points": -delta}
    elif action == "redeemed":
        counters = {"spent": -delta}
    elif action == "adjusted":
        counters = {"adjusted": delta}
    elif action == "paused":
        day = pause_day(event)
        return None if day is None else Effect(day, {"pauses": 1})
    else:
        return None
    return Effect(calendar.day_of(event.occurred_at), counters)


def reversal_effects(
    reversal: Any,
    original: Any | None,
    calendar: HouseholdCalendar,
    streak_tasks: Collection[int] | None,
) -> list[Effect]:
    """What a reversal changes: its original's effect taken back on the original's day, and, for
    a points event, one reversal and the residual on the reversal's own day. `original` is None
    when it is not in the history read (the whole reversal's delta is then the residual)."""
    effects = []
    undone = None if original is None else own_effect(original, calendar, streak_tasks)
    if undone is not None:
        effects.append(
            Effect(undone.day, {name: -value for name, value in undone.counters.items()})
        )
    if original is None or original.entity_type != "pause":
        residual = reversal.delta + (0 if original is None else original.delta)
        effects.append(
            Effect(calendar.day_of(reversal.occurred_at), {"reversals": 1, "reversed": residual})
        )
    return effects
