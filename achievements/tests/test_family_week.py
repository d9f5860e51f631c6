"""The family's week: per child, the household week's figures (insights' own), its streak, the
badges it won and the rewards it redeemed, the week before and the differences; through the API
(every member, scoped to the household) and on the household's admin page."""

from datetime import date

import pytest
from django.urls import reverse

from conftest import client_for
from households.models import Role
from insights.selectors import figures
from insights.tests.conftest import set_calendar
from testsupport.factories import ChildFactory, MembershipFactory, RewardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

URL = reverse("household-week")


@pytest.fixture
def week_of_april_13(acting, parent, household, child, chore, penalty):
    """A child's two weeks: 6-12 April (two chores, a penalty), 13-19 April (ten chores, a
    reward redeemed, the ten-chores badge, a redemption reversed)."""
    reward = RewardFactory(owner=parent, cost=20, name="Ice cream")
    child.rewards.add(reward)
    acting.at(2026, 4, 7)
    acting.activate(child, chore)
    acting.activate(child, chore)
    acting.activate(child, penalty)
    acting.at(2026, 4, 14)
    for _ in range(8):
        acting.activate(child, chore)
    acting.redeem(child, reward)
    undone = acting.redeem(child, reward)
    acting.reverse(undone)
    return reward


def test_the_week_gives_each_childs_figures_badges_rewards_and_the_week_before(
    parent_client, child, week_of_april_13
):
    response = parent_client.get(URL, {"date": "2026-04-15"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["week"] == {"start": "2026-04-13", "end": "2026-04-19"}
    assert body["previous_week"] == {"start": "2026-04-06", "end": "2026-04-12"}
    [row] = body["children"]
    this, before = row["this_week"], row["previous_week"]
    assert (this["earned"], this["spent"], this["good"], this["not_good"]) == (
        80,
        20,
        {"count": 8, "points": 80},
        {"count": 0, "points": 0},
    )
    assert (before["earned"], before["lost"], before["good"]["count"]) == (20, 20, 2)
    assert [badge["badge_key"] for badge in this["badges"]] == ["chores_10"]
    assert before["badges"] == []
    assert [(r["name"], r["cost"]) for r in this["rewards"]] == [("Ice cream", 20)]
    assert row["difference"]["earned"] == 60
    assert row["difference"]["good"] == {"count": 6, "points": 60}
    assert row["difference"]["badges"] == 1
    assert row["streak"]["best"] == 1


def test_the_week_uses_insights_figures(parent_client, child, week_of_april_13):
    row = parent_client.get(URL, {"date": "2026-04-15"}).json()["children"][0]

    child.refresh_from_db()
    expected = figures(child, date(2026, 4, 13), date(2026, 4, 19))
    for name in ("earned", "lost", "spent", "adjusted", "reversed", "reversals", "net"):
        assert row["this_week"][name] == expected[name], name
    assert row["this_week"]["good"] == expected["good"]


def test_the_week_is_the_households_and_by_default_this_one(
    acting, household, parent_client, child, chore
):
    set_calendar(household, "Pacific/Auckland", week_start=6)  # weeks from Sunday
    acting.at(2026, 4, 12, 23)  # Sunday 23:00 in Auckland
    acting.activate(child, chore)

    this = parent_client.get(URL).json()
    asked = parent_client.get(URL, {"date": "2026-04-12"}).json()

    assert asked["week"] == {"start": "2026-04-12", "end": "2026-04-18"}
    assert asked["children"][0]["this_week"]["good"]["count"] == 1
    assert this["time_zone"] == "Pacific/Auckland"


def test_every_member_reads_it_and_only_their_households_children(
    parent, household, other_parent, child
):
    ChildFactory(owner=other_parent, name="Not ours")
    viewer = MembershipFactory(household=household, role=Role.VIEWER).user

    names = [row["name"] for row in client_for(viewer).get(URL).json()["children"]]

    assert names == [child.name]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            "date=yesterday",
            {"date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        ("date=0001-01-01", {"date": ["Must be a day from 1900-01-01 to 9000-12-31."]}),
        *(
            (
                f"date={day}",  # ISO 8601 parsing alone took these
                {"date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
            )
            for day in ("2026-W49-4", "20261203", "2026-1-1")
        ),
        ("week=1", {"week": ["Unknown query parameter. Allowed: date."]}),
    ],
)
def test_a_bad_query_is_a_400(parent_client, query, errors):
    response = parent_client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json() == errors


def test_a_user_in_no_household_gets_a_404(db):
    from testsupport.factories import UserFactory

    lonely = UserFactory(household=False)

    assert client_for(lonely).get(URL).status_code == 404


def test_the_household_admin_page_links_to_its_family_week(
    staff_client, household, child, week_of_april_13, client, staff_user
):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    page = client.get(reverse("admin:households_household_change", args=[household.pk]))
    week_url = reverse("admin:households_household_family_week", args=[household.pk])

    week = client.get(week_url, {"date": "2026-04-15"})

    assert week_url in page.content.decode()
    assert week.status_code == 200
    text = week.content.decode()
    assert "Week of <strong>2026-04-13</strong>" in text
    assert child.name in text
    assert "10 chores" in text and "Ice cream (20)" in text
    assert "+60" in text  # earned, this week minus the week before
    assert client.get(week_url, {"date": "0001-01-01"}).status_code == 200
