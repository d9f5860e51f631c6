"""A household's calendar: which household day, week and month a moment belongs to.

A household day runs from `day_boundary_hour`:00 local time to the same wall time the next day,
in the household's IANA time zone: a family whose day ends at 04:00 counts 01:00 on the day
before. Days are calendar days, so the 23-hour and 25-hour days of a daylight-saving change count
once each. No database.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class HouseholdCalendar:
    time_zone: str = "UTC"
    day_boundary_hour: int = 0
    week_start: int = 0  # 0 = Monday ... 6 = Sunday, as date.weekday()

    @classmethod
    def of(cls, household: Any) -> "HouseholdCalendar":
        """The calendar of a Household (or anything with its three fields)."""
        return cls(household.time_zone, household.day_boundary_hour, household.week_start)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def day_of(self, moment: datetime) -> date:
        """The household day of an aware moment."""
        local = moment.astimezone(self.zone).replace(tzinfo=None)
        return (local - timedelta(hours=self.day_boundary_hour)).date()

    def start_of(self, day: date) -> datetime:
        """When a household day starts, in UTC: its local wall time at the boundary hour (a
        boundary inside a daylight-saving gap resolves as zoneinfo does, fold=0)."""
        local = datetime.combine(day, time(self.day_boundary_hour), tzinfo=self.zone)
        return local.astimezone(UTC)

    def end_of(self, day: date) -> datetime:
        """When a household day ends (exclusive): the next day's start."""
        return self.start_of(day + ONE_DAY)

    def today(self, now: datetime | None = None) -> date:
        """The household day now (Django's clock, which tests can set)."""
        return self.day_of(now or timezone.now())

    def week_of(self, day: date) -> date:
        """The first day of the household week that holds `day`."""
        return day - timedelta(days=(day.weekday() - self.week_start) % 7)

    def month_of(self, day: date) -> date:
        """The first day of the month that holds `day`."""
        return day.replace(day=1)

    def week_range(self, day: date) -> tuple[date, date]:
        """The household week that holds `day`, first and last day (inclusive)."""
        first = self.week_of(day)
        return first, first + timedelta(days=6)

    def month_range(self, day: date) -> tuple[date, date]:
        """The month that holds `day`, first and last day (inclusive)."""
        first = self.month_of(day)
        following = (first + timedelta(days=31)).replace(day=1)
        return first, following - ONE_DAY
