"""Reads of the projections: a child's figures for a range of household days, its per-day series,
its lifetime and its streak. Each is a query or two on the projections, never a scan of the
history (a child with 100,000 events answers as fast as one with ten)."""

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from children.models import Child
from children.selectors import available_points
from insights.calendar import HouseholdCalendar
from insights.models import COUNTERS, ChildDay, ChildTotals
from insights.projection import paused_days_between
from insights.rebuild import rebuild_child
from insights.streaks import StreakState, current_streak
from rewards.models import RewardRequest

ONE_DAY = timedelta(days=1)

# What a child's pending requests hold, read through the (child, status) index: a child with
# years of requests answers as fast as a new one (a filtered SUM over the join reads them all).
HELD_BY_PENDING = Coalesce(
    Subquery(
        RewardRequest.objects.filter(child=OuterRef("pk"), status=RewardRequest.Status.PENDING)
        .values("child")
        .annotate(held=Sum("cost"))
        .values("held")
    ),
    0,
)


def children_with_calendar(user: AbstractBaseUser) -> QuerySet[Child]:
    """The caller's household's children, with their household (the calendar), their totals and
    the points their pending requests hold: one query for all a figures request needs of them."""
    return (
        Child.objects.filter(household__memberships__user_id=user.pk)
        .select_related("household", "totals")
        .annotate(held_points=HELD_BY_PENDING)
        .order_by("id")
    )


def totals_of(child: Child) -> ChildTotals:
    """A child's totals. A child never projected (history written by the bulk path, or before
    this feature) is projected from its history first, once."""
    try:
        return child.totals  # read with the child by `children_with_calendar`
    except ChildTotals.DoesNotExist:
        rebuild_child(child)
        return ChildTotals.objects.get(child_id=child.pk)


def range_counters(child_id: int, start: date, end: date) -> dict[str, int]:
    """Every counter summed over the household days from `start` to `end`, inclusive."""
    # At most 366 short rows, summed here: cheaper than compiling ten SUM()s in the ORM.
    rows = ChildDay.objects.filter(child_id=child_id, day__gte=start, day__lte=end).values_list(
        *COUNTERS
    )
    sums = [sum(column) for column in zip(*rows, strict=True)] or [0] * len(COUNTERS)
    return dict(zip(COUNTERS, sums, strict=True))


def points_figures(counters: dict[str, int]) -> dict[str, Any]:
    """The figures the API shows for a range (or a lifetime): points by kind, good and not-good
    activations, and the net."""
    return {
        "earned": counters["earned"],
        "lost": counters["lost"],
        "spent": counters["spent"],
        "adjusted": counters["adjusted"],
        "reversed": counters["reversed"],
        "reversals": counters["reversals"],
        "good": {"count": counters["chores"], "points": counters["chore_points"]},
        "not_good": {"count": counters["penalties"], "points": counters["penalty_points"]},
        "net": net(counters),
    }


def net(counters: dict[str, int]) -> int:
    return (
        counters["earned"]
        - counters["lost"]
        - counters["spent"]
        + counters["adjusted"]
        + counters["reversed"]
    )


def streak_of(child_id: int, totals: ChildTotals, today: date) -> dict[str, int]:
    """The child's current streak (as it stands `today`) and its best."""
    state = StreakState(
        run=totals.current_streak, best=totals.best_streak, last_day=totals.last_streak_day
    )
    bridged = 0
    if state.last_day is not None and (today - state.last_day).days > 1:
        bridged = paused_days_between(child_id, state.last_day + ONE_DAY, today - ONE_DAY)
    return {"current": current_streak(state, today, bridged), "best": state.best}


def figures(child: Child, start: date, end: date) -> dict[str, Any]:
    """A child's figures for the household days `start` to `end` (inclusive), with its lifetime,
    its points (lifetime net equals them), what it can spend, and its streak."""
    totals = totals_of(child)
    lifetime = {name: getattr(totals, name) for name in COUNTERS}
    today = HouseholdCalendar.of(child.household).today()
    return {
        "start": start,
        "end": end,
        **points_figures(range_counters(child.pk, start, end)),
        "lifetime": {
            **{name: lifetime[name] for name in ("earned", "lost", "spent", "adjusted")},
            "reversed": lifetime["reversed"],
            "net": net(lifetime),
        },
        "points": child.points,
        "available_points": available_points(child),
        "streak": streak_of(child.pk, totals, today),
    }


def series(child: Child, start: date, end: date) -> list[dict[str, Any]]:
    """A child's figures per household day from `start` to `end` (inclusive), every day listed
    (days without events are zeros)."""
    totals_of(child)  # a child never projected is projected first
    rows = {
        row[0]: row[1:]
        for row in ChildDay.objects.filter(child=child, day__gte=start, day__lte=end).values_list(
            "day", *COUNTERS, "pauses"
        )
    }
    empty = (0,) * (len(COUNTERS) + 1)
    days = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        values = rows.get(day, empty)
        counters = dict(zip(COUNTERS, values, strict=False))
        days.append(
            {
                "day": day,
                "earned": counters["earned"],
                "lost": counters["lost"],
                "spent": counters["spent"],
                "adjusted": counters["adjusted"],
                "reversed": counters["reversed"],
                "net": net(counters),
                "good": {"count": counters["chores"], "points": counters["chore_points"]},
                "not_good": {"count": counters["penalties"], "points": counters["penalty_points"]},
                "paused": values[-1] > 0,
            }
        )
    return days
