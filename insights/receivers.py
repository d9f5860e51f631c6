"""Insights follows the history: each row tracking writes is applied to the projections, and a
household whose calendar changed has its projections rebuilt. Connected in
`InsightsConfig.ready()`."""

from typing import Any


def on_event_recorded(sender: type, *, row: Any, **_: Any) -> None:
    from insights.projection import apply_recorded

    apply_recorded(row)


def on_household_calendar_changed(sender: type, *, household: Any, **_: Any) -> None:
    from insights.rebuild import rebuild

    rebuild(household_id=household.pk)
