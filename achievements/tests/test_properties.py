"""Badges, property-based (hypothesis): any sequence of chores, penalties, rewards, adjustments,
reversals, pauses, badges defined on the way and calendar changes, on two children over several
weeks, in any time zone, day boundary and week start, leaves, after every step, the incrementally
maintained figures, streaks, tallies and badges equal to a rebuild from the history alone, awards
no badge twice for one period, and keeps every chain unbroken.

Time is Django's clock, set by the test (every service reads it); each step runs with its on-commit
callbacks, as if it committed, so that what the process remembers (`achievements.memo`) is used as
in production. Each example runs in a transaction rolled back afterwards.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from achievements.memo import memo
from achievements.models import BadgeAward
from achievements.rebuild import rebuild_badges
from achievements.services import create_badge_definition
from children import services as children_services
from children.models import Child
from households.services import update_household
from insights import services as insights_services
from insights.calendar import HouseholdCalendar
from insights.rebuild import rebuild
from kernel.errors import DomainError
from rewards import services as rewards_services
from testsupport.factories import ChildFactory, PenaltyFactory, RewardFactory, TaskFactory
from tracking.ledger.reversal import reverse_event
from tracking.models import REVERSIBLE_ACTIONS, TrackingEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Pacific/Auckland", "Asia/Kolkata")
CALENDARS = st.tuples(st.sampled_from(ZONES), st.sampled_from((0, 4, 23)), st.integers(0, 6))
# Badges a household may define along the way (thresholds low enough to be reached).
DEFINITIONS = (
    {"name": "Three a week", "criterion": "chore_count", "period": "week", "threshold": 3},
    {"name": "Five a month", "criterion": "chore_count", "period": "month", "threshold": 5},
    {"name": "Forty points", "criterion": "week_points", "period": "week", "threshold": 40},
    {"name": "Dishes x4", "criterion": "task_count", "period": "lifetime", "threshold": 4},
    {"name": "Dishes weekly", "criterion": "task_count", "period": "week", "threshold": 2},
    {"name": "Three days", "criterion": "streak_length", "period": "lifetime", "threshold": 3},
    {
        "name": "Mostly good",
        "criterion": "good_ratio",
        "period": "week",
        "threshold": 2,
        "ratio_good": 2,
        "ratio_not_good": 1,
    },
)

kids = st.integers(0, 1)
STEP = st.one_of(
    st.tuples(st.just("later"), st.integers(1, 60)),  # hours
    st.tuples(st.just("later"), st.integers(1, 60)),
    st.tuples(st.just("chore"), kids, st.integers(0, 1)),  # which chore (0 is the counted one)
    st.tuples(st.just("chore"), kids, st.integers(0, 1)),
    st.tuples(st.just("chore"), kids, st.integers(0, 1)),
    st.tuples(st.just("penalty"), kids),
    st.tuples(st.just("reward"), kids),
    st.tuples(st.just("adjust"), kids, st.integers(-30, 30).filter(bool)),
    st.tuples(st.just("reverse"), kids, st.integers(0, 50)),
    st.tuples(st.just("reverse"), kids, st.integers(0, 50)),
    st.tuples(st.just("pause"), kids, st.integers(-6, 2)),  # a day around today
    st.tuples(st.just("define"), st.integers(0, len(DEFINITIONS) - 1)),
    st.tuples(st.just("calendar"), CALENDARS),
)


class Family:
    def __init__(self, parent, household) -> None:
        self.parent, self.household = parent, household
        self.children = [ChildFactory(owner=parent, name=name) for name in ("Ada", "Bo")]
        self.chores = [TaskFactory(owner=parent, points=10), TaskFactory(owner=parent, points=7)]
        self.penalty = PenaltyFactory(owner=parent, points=15)
        self.reward = RewardFactory(owner=parent, cost=25)
        for kid in self.children:
            kid.tasks.set([*self.chores, self.penalty])
            kid.rewards.set([self.reward])
        self.defined: set[int] = set()

    def kid(self, index: int) -> Child:
        return Child.objects.get(pk=self.children[index].pk)


def apply(step: tuple, family: Family, clock) -> None:
    """Run one step through the services; a refusal (not enough points, nothing to reverse, a day
    already paused) is part of the game."""
    kind, by = step[0], family.parent
    try:
        if kind == "later":
            clock.now += timedelta(hours=step[1])
        elif kind == "chore":
            children_services.activate_task(
                child=family.kid(step[1]), task=family.chores[step[2]], by=by
            )
        elif kind == "penalty":
            children_services.activate_task(child=family.kid(step[1]), task=family.penalty, by=by)
        elif kind == "reward":
            rewards_services.redeem_reward(child=family.kid(step[1]), reward=family.reward, by=by)
        elif kind == "adjust":
            children_services.adjust_points(
                child=family.kid(step[1]), points=step[2], reason="property", by=by
            )
        elif kind == "reverse":
            reversible = list(
                TrackingEvent.objects.filter(
                    child_id=family.children[step[1]].pk, action__in=REVERSIBLE_ACTIONS
                )
                .exclude(
                    pk__in=TrackingEvent.objects.filter(reverses__isnull=False).values("reverses")
                )
                .order_by("id")
                .values_list("pk", flat=True)
            )
            if reversible:
                event_id = reversible[step[2] % len(reversible)]
                reverse_event(user=by, event_id=event_id, reason="property")
        elif kind == "pause":
            calendar = HouseholdCalendar.of(family.household)
            day = calendar.day_of(clock.now) + timedelta(days=step[2])
            insights_services.record_pause(
                child=family.kid(step[1]), day=day, reason="property", by=by
            )
        elif kind == "define" and step[1] not in family.defined:
            family.defined.add(step[1])
            definition = dict(DEFINITIONS[step[1]])
            if definition["criterion"] == "task_count":
                definition["task"] = family.chores[0]
            create_badge_definition(household=family.household, **definition)
        elif kind == "calendar":
            time_zone, boundary, week_start = step[1]
            update_household(
                household=family.household,
                time_zone=time_zone,
                day_boundary_hour=boundary,
                week_start=week_start,
            )
            family.household.refresh_from_db()
    except DomainError:
        pass  # refused: nothing changed


def check(family: Family, step: tuple) -> None:
    """After a step: the figures and streaks (insights' rebuild) and the badges (compared without
    writing, so what the process remembers stays) equal what the history says."""
    ids = [kid.pk for kid in family.children]
    assert rebuild(child_ids=ids) == [], step
    assert rebuild_badges(child_ids=ids, store=False) == [], step
    badge_events = TrackingEvent.objects.filter(child_id__in=ids, entity_type="badge")
    per_period = Counter(
        (event.child_id, event.action, event.metadata["badge_key"], event.metadata["period_start"])
        for event in badge_events
    )
    assert all(count == 1 for count in per_period.values()), per_period.most_common(3)
    for award in BadgeAward.objects.filter(child_id__in=ids, awarded=True):
        key = (award.child_id, "awarded", award.badge_key, _iso(award.period_start))
        assert per_period[key] == 1


def _iso(day) -> str | None:
    return day.isoformat() if day else None


@settings(
    max_examples=40,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    calendar=CALENDARS,
    days_ago=st.integers(120, 300),
    hour=st.integers(0, 23),
    defined=st.sets(st.integers(0, len(DEFINITIONS) - 1), max_size=3),
    steps=st.lists(STEP, min_size=1, max_size=45),
)
@example(  # a chore, undone, redone: the ten-chores badge once, revoked, never again
    calendar=("UTC", 0, 0),
    days_ago=200,
    hour=10,
    defined=set(),
    steps=[*[("chore", 0, 0)] * 10, ("reverse", 0, 9), ("chore", 0, 0), ("chore", 0, 0)],
)
@example(  # a clean week closed by a later event, then its only chore undone
    calendar=("Europe/Berlin", 4, 5),
    days_ago=150,
    hour=22,
    defined={6},
    steps=[
        ("chore", 0, 1),
        ("later", 60),
        ("later", 60),
        ("later", 60),
        ("adjust", 0, 3),
        ("reverse", 0, 0),
        ("calendar", ("America/New_York", 0, 0)),
    ],
)
def test_incremental_badges_and_figures_equal_a_rebuild_and_no_badge_is_awarded_twice(
    parent,
    household,
    clock,
    django_capture_on_commit_callbacks,
    calendar,
    days_ago,
    hour,
    defined,
    steps,
):
    memo.children.clear()  # ids repeat across rolled-back examples
    start = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    clock.now = start - timedelta(days=days_ago)
    with transaction.atomic():  # each example starts from its own family, rolled back after
        update_household(
            household=household,
            time_zone=calendar[0],
            day_boundary_hour=calendar[1],
            week_start=calendar[2],
        )
        household.refresh_from_db()
        family = Family(parent, household)
        for index in sorted(defined):
            apply(("define", index), family, clock)
        for step in steps:
            with django_capture_on_commit_callbacks(execute=True):
                apply(step, family, clock)
            check(family, step)
        call_command("verify_tracking", "--no-progress", stdout=StringIO())  # raises on a break
        transaction.set_rollback(True)
    memo.children.clear()
