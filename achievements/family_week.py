"""The family's week: for each child of a household, the household week's figures (insights'
figures, the same functions the figures API uses), its streak, the badges it won and the rewards
it redeemed that week, then the same for the week before and the differences. Read by the API
(`GET /api/household/week/`) and the admin's "Family week" page."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from achievements.models import BadgeAward
from children.models import Child
from households.models import Household
from insights.calendar import HouseholdCalendar
from insights.selectors import points_figures, range_counters, streak_of, totals_of
from kernel.errors import NotFound
from tracking.models import Action, EntityType, TrackingEvent

NO_HOUSEHOLD = "You belong to no household yet."
ONE_WEEK = timedelta(days=7)
COMPARED = ("earned", "lost", "spent", "adjusted", "reversed", "reversals", "net")


@dataclass(frozen=True)
class Week:
    start: date
    end: date  # inclusive
    starts_at: datetime  # UTC, the start of its first household day
    ends_at: datetime  # UTC, exclusive

    @classmethod
    def holding(cls, day: date, calendar: HouseholdCalendar) -> "Week":
        start, end = calendar.week_range(day)
        return cls(start, end, calendar.start_of(start), calendar.end_of(end))


def family_week(*, user: AbstractBaseUser, day: date | None = None) -> dict[str, Any]:
    """The caller's household's week that holds `day` (default: today in its calendar). Raises
    NotFound for a user who belongs to no household."""
    household = Household.objects.filter(memberships__user_id=user.pk).first()
    if household is None:
        raise NotFound(NO_HOUSEHOLD)
    return week_of_household(household, day)


def week_of_household(household: Household, day: date | None = None) -> dict[str, Any]:
    calendar = HouseholdCalendar.of(household)
    today = calendar.today()
    this = Week.holding(day or today, calendar)
    before = Week.holding(this.start - ONE_WEEK, calendar)
    children = list(Child.objects.filter(household=household).order_by("id"))
    ids = [child.pk for child in children]
    badges = badges_won(ids, before.starts_at, this.ends_at)
    rewards = rewards_redeemed(ids, before.starts_at, this.ends_at)
    rows = []
    for child in children:
        child.household = household  # the calendar, without a query per child
        weeks = {
            name: {
                **points_figures(range_counters(child.pk, week.start, week.end)),
                "badges": [b for b in badges[child.pk] if week.starts_at <= b["at"] < week.ends_at],
                "rewards": [
                    r for r in rewards[child.pk] if week.starts_at <= r["at"] < week.ends_at
                ],
            }
            for name, week in (("this_week", this), ("previous_week", before))
        }
        rows.append(
            {
                "child_id": child.pk,
                "name": child.name,
                "points": child.points,
                "streak": streak_of(child.pk, totals_of(child), today),
                **weeks,
                "difference": difference(weeks["this_week"], weeks["previous_week"]),
            }
        )
    return {
        "household_id": household.pk,
        "time_zone": household.time_zone,
        "week": {"start": this.start, "end": this.end},
        "previous_week": {"start": before.start, "end": before.end},
        "children": rows,
    }


def difference(this: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """This week minus the week before, figure by figure."""
    return {
        **{name: this[name] - before[name] for name in COMPARED},
        **{
            side: {part: this[side][part] - before[side][part] for part in ("count", "points")}
            for side in ("good", "not_good")
        },
        "badges": len(this["badges"]) - len(before["badges"]),
        "rewards": len(this["rewards"]) - len(before["rewards"]),
    }


def badges_won(child_ids: list[int], since: datetime, until: datetime) -> dict[int, list[dict]]:
    """The badges awarded to these children from `since` to `until` (revoked since or not), by
    child, oldest first."""
    won: dict[int, list[dict]] = defaultdict(list)
    awards = BadgeAward.objects.filter(
        child_id__in=child_ids, awarded=True, awarded_at__gte=since, awarded_at__lt=until
    ).order_by("awarded_at", "id")
    for award in awards:
        won[award.child_id].append(
            {
                "badge_key": award.badge_key,
                "name": award.name,
                "period": award.period,
                "period_start": award.period_start,
                "standing": award.standing,
                "award_event_id": award.award_event_id,
                "at": award.awarded_at,
            }
        )
    return won


def rewards_redeemed(
    child_ids: list[int], since: datetime, until: datetime
) -> dict[int, list[dict]]:
    """The rewards these children redeemed from `since` to `until`, by child, oldest first;
    a redemption reversed since is left out, as the figures leave out what it spent."""
    reversed_ids = TrackingEvent.objects.filter(
        child_id__in=child_ids, entity_type=EntityType.REWARD, action=Action.REVERSED
    ).values("reverses")
    events = (
        TrackingEvent.objects.filter(
            child_id__in=child_ids,
            entity_type=EntityType.REWARD,
            action=Action.REDEEMED,
            occurred_at__gte=since,
            occurred_at__lt=until,
        )
        .exclude(pk__in=reversed_ids)
        .order_by("occurred_at", "created_at", "id")
    )
    redeemed: dict[int, list[dict]] = defaultdict(list)
    for event in events:
        redeemed[event.child_id].append(
            {
                "reward_id": event.entity_id,
                "name": event.metadata.get("entity_name", ""),
                "cost": -event.delta,
                "tracking_event_id": event.pk,
                "at": event.occurred_at,
            }
        )
    return redeemed
