"""The badge check is cheap: it reads the projections insights just updated, never scans the
history, and what this process learnt from committed actions (`achievements.memo`) spares reads
it would repeat. Commits are simulated by running the on-commit callbacks."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from achievements.memo import memo
from children.services import activate_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`committed(action)`: run an action, then its on-commit callbacks, as a commit would."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def badge_reads(action) -> list[str]:
    """The SQL an action ran on the badges' tables and on the history (but its own INSERT)."""
    with CaptureQueriesContext(connection) as context:
        action()
    return [
        query["sql"]
        for query in context.captured_queries
        if "achievements_" in query["sql"]
        or (query["sql"].startswith("SELECT") and "tracking_trackingevent" in query["sql"])
    ]


def test_a_second_chore_of_the_day_with_its_badges_awarded_reads_only_the_households_badges(
    acting, committed, child, chore
):
    acting.at(2026, 4, 1, 8)
    for _ in range(10):
        committed(lambda: acting.activate(child, chore))
    assert memo.was_awarded(child.pk, "chores_10", None)

    reads = badge_reads(lambda: activate_task(child=child, task=chore))

    assert len(reads) == 1
    assert "achievements_badgedefinition" in reads[0]


def test_the_first_event_of_a_day_reads_the_childs_previous_event_once(
    acting, committed, child, chore
):
    acting.at(2026, 4, 1, 8)
    committed(lambda: acting.activate(child, chore))
    acting.clock.now += timedelta(days=1)

    reads = badge_reads(lambda: activate_task(child=child, task=chore))

    history = [sql for sql in reads if "tracking_trackingevent" in sql]
    assert len(history) == 1
    assert "LIMIT 1" in history[0]


def test_a_long_history_costs_the_check_no_more_queries(acting, committed, child, chore):
    def queries_after(days: int) -> int:
        for _ in range(days):
            acting.clock.now += timedelta(days=1)
            committed(lambda: acting.activate(child, chore))
        acting.clock.now += timedelta(minutes=5)
        return len(badge_reads(lambda: activate_task(child=child, task=chore)))

    acting.at(2026, 1, 1)
    short = queries_after(3)
    long = queries_after(60)

    assert long <= short


def test_a_rolled_back_action_teaches_nothing(acting, child, chore):
    acting.at(2026, 4, 1, 8)
    for _ in range(10):
        acting.activate(child, chore)  # never committed: no on-commit callback runs

    assert not memo.was_awarded(child.pk, "chores_10", None)
    assert not memo.had_event_on(child.pk, None, None)
