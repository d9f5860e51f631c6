"""The live event of the figures: `figures_changed`, after each row that changed a child's figures
(a chore, a penalty, a reward, an adjustment, a reversal, a pause), with the child's lifetime
figures, points and streak as the projection just saved them. On the household's channel and the
child's (its paired devices), stored in the action's transaction and delivered after it commits,
as every live event (`tracking.live.channels`). Read from the locked totals: no query, but for
the paused days that may bridge a streak that is more than a day old."""

from datetime import date
from typing import Any

from insights.calendar import HouseholdCalendar
from insights.models import COUNTERS, ChildTotals
from kernel.events import iso_z
from tracking.live.channels import publish_child_event
from tracking.models import TrackingEvent

FIGURES_CHANGED = "figures_changed"


def figures_payload(totals: ChildTotals, row: TrackingEvent, days: list[date]) -> dict[str, Any]:
    """What `figures_changed` carries (documented by `FiguresEvent` in the stream's schema)."""
    from insights.selectors import net, points_figures, streak_of  # they build on the projection

    child = totals.child
    calendar = HouseholdCalendar.of(child.household)
    lifetime = {name: getattr(totals, name) for name in COUNTERS}
    return {
        "child_id": child.pk,
        "child_name": child.name,
        "points": child.points,
        "lifetime": {**points_figures(lifetime), "net": net(lifetime)},
        "streak": streak_of(child.pk, totals, calendar.today()),
        "days": [day.isoformat() for day in days],
        "tracking_event_id": row.pk,
        "occurred_at": iso_z(row.occurred_at),
    }


def publish_figures(totals: ChildTotals, row: TrackingEvent, days: list[date]) -> None:
    """`days`: the household days whose figures the row changed (a reversal's is its
    original's, a pause's the paused day)."""
    publish_child_event(totals.child, FIGURES_CHANGED, figures_payload(totals, row, days))
