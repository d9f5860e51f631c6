"""What the database itself guarantees of awards and definitions, whatever code writes them: a
badge is awarded once per child and period (a lifetime badge once), an award has its event, a
revocation follows an award, and a definition's criterion is whole."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from achievements.models import BadgeAward, BadgeDefinition

pytestmark = pytest.mark.django_db


def award_row(child, **fields) -> BadgeAward:
    values = {
        "child": child,
        "badge_key": "clean_week",
        "name": "Clean week",
        "criterion": "clean_week",
        "period": "week",
        "period_start": date(2026, 4, 6),
        "awarded": True,
        "award_event_id": 1,
        **fields,
    }
    return BadgeAward.objects.create(**values)


def test_a_second_award_of_a_badge_for_the_same_period_is_refused(child):
    award_row(child)

    with pytest.raises(IntegrityError), transaction.atomic():
        award_row(child, award_event_id=2)
    award_row(child, period_start=date(2026, 4, 13), award_event_id=3)  # another week is fine


def test_a_second_award_of_a_lifetime_badge_is_refused(child):
    lifetime = {"badge_key": "chores_10", "period": "lifetime", "period_start": None}
    award_row(child, **lifetime)

    with pytest.raises(IntegrityError), transaction.atomic():
        award_row(child, **lifetime, award_event_id=2)


def test_an_award_without_its_event_is_refused(child):
    with pytest.raises(IntegrityError), transaction.atomic():
        award_row(child, award_event_id=None)


def test_a_revocation_of_what_was_never_awarded_is_refused(child):
    with pytest.raises(IntegrityError), transaction.atomic():
        award_row(child, awarded=False, award_event_id=None, revoke_event_id=5)


def test_awarded_flips_from_false_to_true_only_once(child):
    row = award_row(child, awarded=False, award_event_id=None)

    first = BadgeAward.objects.filter(pk=row.pk, awarded=False).update(
        awarded=True, award_event_id=7
    )
    second = BadgeAward.objects.filter(pk=row.pk, awarded=False).update(
        awarded=True, award_event_id=8
    )

    assert (first, second) == (1, 0)
    row.refresh_from_db()
    assert row.award_event_id == 7


@pytest.mark.parametrize(
    "fields",
    [
        {"criterion": "task_count", "threshold": 3},  # no chore
        {"criterion": "chore_count", "threshold": 0},
        {"criterion": "week_points", "threshold": 3, "period": "lifetime"},
        {"criterion": "good_ratio", "threshold": 1, "period": "week"},  # no ratio
        {"criterion": "chore_count", "threshold": 3, "ratio_good": 1, "ratio_not_good": 1},
        {"criterion": "chore_count", "threshold": 3, "name": ""},
    ],
    ids=str,
)
def test_a_definition_that_is_not_whole_is_refused(household, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        BadgeDefinition.objects.create(household=household, **{"name": "X", **fields})
