"""The figures on the event stream: the `tracking_event_created` message of each row that changed a
child's figures (a chore, a penalty, a reward, an adjustment, a reversal, a pause) carries
`figures`: the child's lifetime figures, points and streak as the projection just saved them, and
the household days the row changed. Added by insights' receiver of `event_recorded` (the stream
schema's `RowFigures`); read from the locked totals without a query, but for the paused days that
may bridge a streak more than a day old."""

from typing import Any

from insights.calendar import HouseholdCalendar
from insights.models import COUNTERS
from insights.projection import Applied
from insights.selectors import net, points_figures, streak_of


def figures_payload(applied: Applied) -> dict[str, Any]:
    totals = applied.totals
    child = totals.child
    lifetime = {name: getattr(totals, name) for name in COUNTERS}
    today = HouseholdCalendar.of(child.household).today()
    return {
        "points": child.points,
        "lifetime": {**points_figures(lifetime), "net": net(lifetime)},
        "streak": streak_of(child.pk, totals, today),
        "days": [day.isoformat() for day in applied.days],
    }
