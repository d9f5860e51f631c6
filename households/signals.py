"""The signals of the households app, for the apps built on it (households imports none)."""

from django.dispatch import Signal

household_calendar_changed = Signal()
"""A household's calendar changed: its `time_zone`, `day_boundary_hour` or `week_start`.

Sender: `Household`. Keyword argument: `household` (as saved). Sent by
`households.services.update_household` after the save, only when one of the three changed (not
for a name or `auto_approve_claims`). `insights` rebuilds that household's projections: every
figure per day or per week depends on the calendar.
"""
