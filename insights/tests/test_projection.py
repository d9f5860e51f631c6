"""How the history becomes figures, day by day, and how the stored projections follow it: each
test acts through the services, reads the projections, and checks them against a rebuild."""

from datetime import date

import pytest

from insights.models import ChildDay, ChildTotals
from insights.selectors import figures, range_counters
from insights.services import set_streak_tasks
from insights.tests.conftest import set_calendar
from testsupport.factories import RewardFactory, TaskFactory

pytestmark = pytest.mark.django_db


def day_of(child, day: date) -> ChildDay:
    return ChildDay.objects.get(child=child, day=day)


def test_a_chore_at_23_30_in_new_york_counts_on_that_local_day(
    acting, household, child, chore, agrees_with_history
):
    set_calendar(household, "America/New_York")
    acting.at(2026, 3, 10, 23, 30)
    acting.activate(child, chore)

    assert list(ChildDay.objects.filter(child=child).values_list("day", "earned", "chores")) == [
        (date(2026, 3, 10), 10, 1)
    ]
    agrees_with_history()


def test_with_a_4_oclock_boundary_a_chore_at_1_oclock_counts_on_the_day_before(
    acting, household, child, chore, agrees_with_history
):
    set_calendar(household, "Europe/Berlin", day_boundary_hour=4)
    acting.at(2026, 5, 6, 1, 0)
    acting.activate(child, chore)

    assert day_of(child, date(2026, 5, 5)).chores == 1
    agrees_with_history()


def test_each_kind_of_event_lands_in_its_own_figure(
    acting, parent, child, chore, penalty, reward, agrees_with_history
):
    acting.at(2026, 4, 1)
    acting.activate(child, chore)  # +10
    acting.activate(child, chore)  # +10
    acting.redeem(child, reward)  # -20
    acting.adjust(child, 25)  # +25
    acting.activate(child, penalty)  # -30, floored: -25
    acting.adjust(child, 7)  # +7

    day = day_of(child, date(2026, 4, 1))
    assert (day.earned, day.lost, day.spent, day.adjusted, day.reversed) == (20, 25, 20, 32, 0)
    assert (day.chores, day.chore_points, day.penalties, day.penalty_points) == (2, 20, 1, 25)
    child.refresh_from_db()
    assert day.net == child.points == 7
    agrees_with_history()


def test_requests_claims_and_cancellations_change_no_figure(
    acting, parent, child, reward, agrees_with_history
):
    from rewards import services as rewards_services

    acting.at(2026, 4, 1)
    acting.adjust(child, 50)
    result = rewards_services.request_reward(child=child, reward=reward, by=parent)
    rewards_services.cancel_request(request=result.request, by=parent)

    assert range_counters(child.pk, date(2026, 4, 1), date(2026, 4, 1)) == {
        **dict.fromkeys(range_counters(child.pk, date(2000, 1, 1), date(2000, 1, 1)), 0),
        "adjusted": 50,
    }
    agrees_with_history()


def test_a_reversal_neutralizes_its_original_on_the_original_day(
    acting, child, chore, agrees_with_history
):
    acting.at(2026, 4, 1)
    chore_event = acting.activate(child, chore)
    acting.at(2026, 4, 3)
    acting.reverse(chore_event)

    first, third = day_of(child, date(2026, 4, 1)), day_of(child, date(2026, 4, 3))
    assert (first.earned, first.chores, first.chore_points, first.streak_chores) == (0, 0, 0, 0)
    assert (third.reversals, third.reversed, third.earned) == (1, 0, 0)
    totals = ChildTotals.objects.get(child=child)
    assert (totals.earned, totals.chores, totals.reversals, totals.net) == (0, 0, 1, 0)
    agrees_with_history()


def test_what_a_reversal_could_not_take_back_is_its_residual_on_its_own_day(
    acting, parent, child, chore, agrees_with_history
):
    reward = RewardFactory(owner=parent, cost=10)
    child.rewards.add(reward)
    acting.at(2026, 4, 1)
    chore_event = acting.activate(child, chore)  # 10
    acting.redeem(child, reward)  # 0
    acting.at(2026, 4, 2)
    acting.reverse(chore_event)  # floored at 0: takes nothing back

    assert day_of(child, date(2026, 4, 1)).earned == 0
    assert day_of(child, date(2026, 4, 2)).reversed == 10
    child.refresh_from_db()
    assert ChildTotals.objects.get(child=child).net == child.points == 0
    agrees_with_history()


def test_a_reversed_penalty_gives_back_its_points_in_every_figure(
    acting, child, penalty, agrees_with_history
):
    acting.at(2026, 4, 1)
    acting.adjust(child, 40)
    penalty_event = acting.activate(child, penalty)
    acting.reverse(penalty_event)

    day = day_of(child, date(2026, 4, 1))
    assert (day.lost, day.penalties, day.penalty_points, day.reversals) == (0, 0, 0, 1)
    child.refresh_from_db()
    assert day.net == child.points == 40
    agrees_with_history()


def test_lifetime_net_equals_points_after_a_mixed_history(
    acting, parent, child, chore, penalty, reward, agrees_with_history
):
    acting.at(2026, 5, 31)
    acting.adjust(child, 100)
    events = []
    for day in range(1, 15):
        acting.at(2026, 6, day, 8)
        events.append(acting.activate(child, chore))
        if day % 3 == 0:
            events.append(acting.activate(child, penalty))
        if day % 4 == 0:
            events.append(acting.redeem(child, reward))
        if day % 5 == 0:
            acting.reverse(events[-2])
    child.refresh_from_db()

    totals = ChildTotals.objects.get(child=child)
    assert totals.net == child.points
    assert figures(child, date(2026, 5, 31), date(2026, 6, 30))["net"] == child.points
    agrees_with_history()


def test_changing_the_calendar_rebuilds_the_households_days(
    acting, household, child, chore, agrees_with_history
):
    from households.services import update_household

    acting.at(2026, 4, 1, 22, 30)  # UTC
    acting.activate(child, chore)
    assert day_of(child, date(2026, 4, 1)).chores == 1

    update_household(household=household, time_zone="Asia/Tokyo")  # 07:30 on April 2nd there

    assert list(ChildDay.objects.filter(child=child).values_list("day", flat=True)) == [
        date(2026, 4, 2)
    ]
    agrees_with_history()


def test_a_child_projected_from_history_it_had_before_agrees_with_the_history(
    acting, child, chore, agrees_with_history
):
    acting.at(2026, 4, 1)
    acting.activate(child, chore)
    ChildDay.objects.all().delete()
    ChildTotals.objects.all().delete()  # as after the bulk path, or before this feature

    acting.at(2026, 4, 2)
    acting.activate(child, chore)  # the first applied row projects the whole history

    assert ChildTotals.objects.get(child=child).chores == 2
    assert day_of(child, date(2026, 4, 1)).chores == 1
    agrees_with_history()


def test_a_difference_with_the_history_is_reported_and_repaired(acting, child, chore):
    from insights.rebuild import rebuild

    acting.at(2026, 4, 1)
    acting.activate(child, chore)
    ChildDay.objects.filter(child=child).update(earned=99)

    differences = rebuild()

    assert differences == [
        f"child {child.pk}, day 2026-04-01, earned: stored 99, history says 10",
    ]
    assert rebuild() == []


def test_other_childrens_days_are_their_own(acting, parent, child, chore, agrees_with_history):
    from testsupport.factories import ChildFactory

    sibling = ChildFactory(owner=parent)
    sibling.tasks.add(chore)
    acting.at(2026, 4, 1)
    acting.activate(child, chore)
    acting.activate(sibling, chore)
    acting.activate(sibling, chore)

    assert day_of(child, date(2026, 4, 1)).chores == 1
    assert day_of(sibling, date(2026, 4, 1)).chores == 2
    agrees_with_history()


def test_a_row_written_back_by_repair_is_projected(acting, child, chore, agrees_with_history):
    from tracking.ledger.render import render_replayable
    from tracking.ledger.repair import RepairReport, repair
    from tracking.models import TrackingEvent

    acting.at(2026, 4, 1)
    event = acting.activate(child, chore)
    replayable = render_replayable(event)
    # The same action once more, a minute later, as if its row had gone to the spool.
    replayable["occurred_at"] = "2026-04-01T12:01:00+00:00"
    replayable["points_before"], replayable["points_after"] = 10, 20
    child.points = 20
    child.save()

    list(repair([replayable], RepairReport()))

    assert TrackingEvent.objects.filter(child_id=child.pk).count() == 2
    assert day_of(child, date(2026, 4, 1)).chores == 2
    agrees_with_history()


def test_a_task_made_for_another_child_counts_for_the_streak_by_default(
    acting, parent, child, agrees_with_history
):
    task = TaskFactory(owner=parent, points=3)
    child.tasks.add(task)
    acting.at(2026, 4, 1)
    acting.activate(child, task)

    assert day_of(child, date(2026, 4, 1)).streak_chores == 1
    agrees_with_history()


@pytest.mark.django_db(transaction=True)
def test_applying_a_chore_costs_a_few_queries(acting, parent, child, chore):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    acting.at(2026, 4, 1)
    acting.activate(child, chore)  # the child's projection exists from here
    with CaptureQueriesContext(connection) as projected:
        acting.activate(child, chore)

    # The locked totals with the calendar and the streak choice, read with the row; the day's
    # UPSERT and the totals' update (and a savepoint around them); what listens to
    # `projection_applied` is not counted.
    projection = [q["sql"] for q in projected.captured_queries if "insights_" in q["sql"]]
    if connection.vendor == "postgresql":
        # The read goes in the row's round trip. The UPSERT and the update are one statement,
        # which goes with the COMMIT: the day counted already, so its result changes nothing.
        with_row, with_commit = projection
        assert 'INSERT INTO "tracking_trackingevent"' in with_row
        assert 'FROM "insights_childtotals" t' in with_row and "FOR UPDATE OF t" in with_row
        assert with_commit.startswith('SAVEPOINT "rider"; WITH day AS (INSERT INTO "insights_')
        assert 'UPDATE "insights_childtotals"' in with_commit
        assert with_commit.endswith("; COMMIT")
    else:
        assert len(projection) == 3, "\n".join(projection)
        assert projection[1].startswith('INSERT INTO "insights_childday"')
        assert "ON CONFLICT" in projection[1]
    # With chosen streak chores, one more: which they are.
    set_streak_tasks(child=child, tasks=[chore])
    with CaptureQueriesContext(connection) as chosen:
        acting.activate(child, chore)
    chosen_sql = [q["sql"] for q in chosen.captured_queries if "insights_" in q["sql"]]
    assert len(chosen_sql) == len(projection) + 1
    assert day_of(child, date(2026, 4, 1)).chores == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_first_chore_of_a_day_is_projected_before_the_commit(
    acting, child, chore, agrees_with_history
):
    """Its day's streak counters decide the streak: the projection waits for them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    acting.at(2026, 4, 1)
    acting.activate(child, chore)
    acting.at(2026, 4, 2)
    with CaptureQueriesContext(connection) as captured:
        acting.activate(child, chore)

    writes = [q["sql"] for q in captured.captured_queries if 'INTO "insights_childday"' in q["sql"]]
    assert len(writes) == 1 and not writes[0].endswith("COMMIT")
    totals = ChildTotals.objects.get(child=child)
    assert (totals.current_streak, totals.last_streak_day) == (2, date(2026, 4, 2))
    agrees_with_history()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_that_fails_at_the_commit_leaves_the_action_and_is_repaired(
    acting, child, chore, caplog
):
    """A projection that could not be saved is logged; the action and its row stand, and the
    rebuild finds the difference and repairs it."""
    from django.db import connection

    from insights.rebuild import rebuild

    acting.at(2026, 4, 1)
    acting.activate(child, chore)
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE insights_childday ADD CONSTRAINT few_chores CHECK (chores < 2) NOT VALID"
        )
    try:
        event = acting.activate(child, chore)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE insights_childday DROP CONSTRAINT few_chores")

    assert event.points_after == 20
    assert type(child).objects.get(pk=child.pk).points == 20
    assert day_of(child, date(2026, 4, 1)).chores == 1  # not saved
    assert "few_chores" in caplog.text
    assert rebuild(child_ids=[child.pk])  # the difference, reported and repaired
    assert day_of(child, date(2026, 4, 1)).chores == 2


def test_without_the_read_made_with_the_row_the_projection_reads_the_totals_itself(
    acting, child, chore, agrees_with_history
):
    from tracking.signals import reading_with_row

    acting.at(2026, 4, 1)
    acting.activate(child, chore)
    reading_with_row.disconnect(dispatch_uid="insights.projection")
    try:
        acting.activate(child, chore)
    finally:
        from insights.projection import read_with_row

        reading_with_row.connect(read_with_row, dispatch_uid="insights.projection")

    assert ChildTotals.objects.get(child=child).chores == 2
    assert day_of(child, date(2026, 4, 1)).chores == 2
    agrees_with_history()


def test_a_failed_read_with_the_row_leaves_the_projection_to_read_the_totals_itself(
    acting, child, chore, agrees_with_history
):
    from tracking.signals import reading_with_row

    def broken(sender, **_):
        return {"test.broken": ("SELECT * FROM no_such_table", [])}

    acting.at(2026, 4, 1)
    acting.activate(child, chore)
    reading_with_row.connect(broken, dispatch_uid="test.broken")
    try:
        acting.activate(child, chore)
    finally:
        reading_with_row.disconnect(dispatch_uid="test.broken")

    assert ChildTotals.objects.get(child=child).chores == 2
    assert day_of(child, date(2026, 4, 1)).chores == 2
    agrees_with_history()
