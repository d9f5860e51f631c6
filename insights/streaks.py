"""Streaks: runs of consecutive household days with at least one chore that counts for the streak.

A paused day neither breaks nor extends a run: it is a bridge, even if a chore was done that day
*(choice: the pause wins)*. Any other day without such a chore ends the run. The stored state
(`ChildTotals`) is the run ending on the child's latest counting day and the best run; whether
that run still stands is decided when read (`current_streak`), so nothing has to happen at
midnight: today without a chore yet does not break it, yesterday without one (and not paused)
does. Pure: no database.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)

COUNTS, BRIDGE, NOTHING = "counts", "bridge", "nothing"


def day_kind(streak_chores: int, pauses: int) -> str:
    """What a day is for a streak."""
    if pauses > 0:
        return BRIDGE
    return COUNTS if streak_chores > 0 else NOTHING


@dataclass(frozen=True)
class StreakState:
    run: int = 0  # the run ending on `last_day`
    best: int = 0
    last_day: date | None = None  # the latest day that counts


def streak_state(days: Iterable[tuple[date, str]]) -> StreakState:
    """The state from the days that count or bridge (`day_kind`), in date order; days not given
    are days without a chore."""
    run = run_at_last = best = 0
    last_day = previous = None
    for day, kind in days:
        if kind == NOTHING:
            continue
        if previous is not None and day - previous > ONE_DAY:
            run = 0  # a day between that neither counted nor bridged
        previous = day
        if kind == COUNTS:
            run += 1
            run_at_last, last_day = run, day
            best = max(best, run)
    return StreakState(run=run_at_last, best=best, last_day=last_day)


def current_streak(state: StreakState, today: date, bridged_days: int) -> int:
    """The streak that stands today: the stored run if every day from the day after its last day
    to yesterday is paused (`bridged_days` of them are), else 0."""
    if state.last_day is None:
        return 0
    gap = (today - state.last_day).days - 1  # days after last_day, before today
    if gap <= 0:
        return state.run
    return state.run if bridged_days >= gap else 0
