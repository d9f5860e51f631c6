"""The household calendar: which day and week a moment belongs to (issue 15's calendar proofs)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from insights.calendar import HouseholdCalendar

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def test_an_event_at_23_30_in_new_york_counts_on_that_local_day():
    calendar = HouseholdCalendar("America/New_York")
    moment = datetime(2026, 3, 10, 23, 30, tzinfo=NEW_YORK)  # 03:30 UTC the next day

    assert moment.astimezone(UTC).date() == date(2026, 3, 11)
    assert calendar.day_of(moment) == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("time_zone", "short_day", "long_day"),
    [
        ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
        ("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25)),
    ],
)
def test_the_daylight_saving_days_count_once_each(time_zone, short_day, long_day):
    calendar = HouseholdCalendar(time_zone)

    for day, hours in ((short_day, 23), (long_day, 25)):
        start, end = calendar.start_of(day), calendar.end_of(day)
        assert end - start == timedelta(hours=hours)
        # Every minute of the day belongs to it, and to no other day.
        minutes = [start + timedelta(minutes=m) for m in range(hours * 60)]
        assert {calendar.day_of(moment) for moment in minutes} == {day}
        assert calendar.day_of(start - timedelta(microseconds=1)) == day - timedelta(days=1)
        assert calendar.day_of(end) == day + timedelta(days=1)


@pytest.mark.parametrize("time_zone", ["America/New_York", "Europe/Berlin"])
def test_a_year_of_hours_across_both_changes_gives_each_day_once(time_zone):
    calendar = HouseholdCalendar(time_zone)
    start = calendar.start_of(date(2026, 1, 1))
    hours = [start + timedelta(hours=h) for h in range(365 * 24)]
    days = [calendar.day_of(moment) for moment in hours]

    assert sorted(set(days)) == [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    per_day = {day: days.count(day) for day in set(days)}
    assert sorted(set(per_day.values())) == [23, 24, 25]
    assert list(per_day.values()).count(23) == 1
    assert list(per_day.values()).count(25) == 1


def test_with_a_4_oclock_boundary_1_oclock_belongs_to_the_day_before():
    calendar = HouseholdCalendar("Europe/Berlin", day_boundary_hour=4)

    assert calendar.day_of(datetime(2026, 5, 6, 1, 0, tzinfo=BERLIN)) == date(2026, 5, 5)
    assert calendar.day_of(datetime(2026, 5, 6, 3, 59, tzinfo=BERLIN)) == date(2026, 5, 5)
    assert calendar.day_of(datetime(2026, 5, 6, 4, 0, tzinfo=BERLIN)) == date(2026, 5, 6)
    assert calendar.start_of(date(2026, 5, 6)) == datetime(2026, 5, 6, 4, tzinfo=BERLIN)


def test_a_boundary_day_across_a_daylight_saving_change_is_still_one_day():
    calendar = HouseholdCalendar("America/New_York", day_boundary_hour=4)

    assert calendar.end_of(date(2026, 3, 7)) - calendar.start_of(date(2026, 3, 7)) == timedelta(
        hours=23
    )


def test_a_saturday_start_week_runs_from_saturday_to_friday():
    calendar = HouseholdCalendar("UTC", week_start=5)

    assert calendar.week_range(date(2026, 5, 6)) == (date(2026, 5, 2), date(2026, 5, 8))
    assert calendar.week_of(date(2026, 5, 2)) == date(2026, 5, 2)  # a Saturday
    assert calendar.week_of(date(2026, 5, 8)) == date(2026, 5, 2)  # the Friday after
    assert calendar.week_of(date(2026, 5, 9)) == date(2026, 5, 9)


def test_the_default_week_starts_on_monday_and_months_hold_their_days():
    calendar = HouseholdCalendar()

    assert calendar.week_range(date(2026, 5, 10)) == (date(2026, 5, 4), date(2026, 5, 10))
    assert calendar.month_range(date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert calendar.month_range(date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))
