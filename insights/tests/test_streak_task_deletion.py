"""Deleting a chore chosen for a child's streak does what changing the choice does: the child's
projections are rebuilt without it (a choice left empty means every chore counts again) and the
streak badges settle (`streak_tasks_changed`). Before, the stored streak kept counting as if the
chore were still chosen, and differed from a rebuild."""

import pytest

from children.services import delete_task
from insights.models import StreakChoice
from insights.services import set_streak_tasks, streak_task_ids
from insights.signals import streak_tasks_changed
from insights.tests.test_streaks import streak
from kernel.errors import InvalidAction
from testsupport.factories import ChildFactory, TaskFactory
from testsupport.races import race_in_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled():
    """The children whose streak badges were told to settle, in order."""
    child_ids = []

    def note(sender, *, child_id, **_):
        child_ids.append(child_id)

    streak_tasks_changed.connect(note, dispatch_uid="test.settled")
    yield child_ids
    streak_tasks_changed.disconnect(dispatch_uid="test.settled")


@pytest.fixture
def homework(parent, child):
    task = TaskFactory(owner=parent, name="Homework")
    child.tasks.add(task)
    return task


def two_days(acting, child, chore, homework):
    acting.at(2026, 4, 1, 9)
    acting.activate(child, chore)
    acting.at(2026, 4, 2, 9)
    acting.activate(child, homework)


def test_deleting_the_only_chosen_chore_makes_every_chore_count_again(
    acting, child, chore, homework, agrees_with_history, settled
):
    two_days(acting, child, chore, homework)
    set_streak_tasks(child=child, tasks=[homework])
    assert streak(child) == {"current": 1, "best": 1}
    settled.clear()

    delete_task(task=homework)

    assert streak_task_ids(child) == []
    assert not StreakChoice.objects.filter(child=child).exists()
    assert streak(child) == {"current": 2, "best": 2}
    assert settled == [child.pk]
    agrees_with_history()


def test_deleting_one_of_the_chosen_chores_keeps_the_others(
    acting, parent, child, chore, homework, agrees_with_history, settled
):
    reading = TaskFactory(owner=parent, name="Reading")
    child.tasks.add(reading)
    two_days(acting, child, chore, homework)
    acting.activate(child, reading)
    set_streak_tasks(child=child, tasks=[homework, chore])
    assert streak(child) == {"current": 2, "best": 2}
    settled.clear()

    delete_task(task=chore)

    assert streak_task_ids(child) == [homework.pk]
    assert streak(child) == {"current": 1, "best": 1}
    assert settled == [child.pk]
    agrees_with_history()


def test_deleting_a_chore_no_streak_names_rebuilds_nobody(
    acting, parent, child, chore, homework, agrees_with_history, settled
):
    sibling = ChildFactory(owner=parent)
    sibling.tasks.add(chore, homework)
    two_days(acting, child, chore, homework)
    set_streak_tasks(child=sibling, tasks=[homework])
    set_streak_tasks(child=child, tasks=[homework])
    settled.clear()

    delete_task(task=chore)

    assert settled == []
    assert streak_task_ids(child) == streak_task_ids(sibling) == [homework.pk]
    agrees_with_history()


def test_only_the_children_choosing_the_deleted_chore_are_rebuilt(
    acting, parent, child, chore, homework, agrees_with_history, settled
):
    sibling = ChildFactory(owner=parent)
    sibling.tasks.add(chore, homework)
    two_days(acting, child, chore, homework)
    set_streak_tasks(child=sibling, tasks=[chore])
    set_streak_tasks(child=child, tasks=[homework])
    settled.clear()

    delete_task(task=homework)

    assert settled == [child.pk]
    assert streak_task_ids(sibling) == [chore.pk]
    agrees_with_history()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_deletion_racing_the_choice_of_its_chore_waits_and_rebuilds_the_child(
    acting, child, chore, homework, agrees_with_history
):
    two_days(acting, child, chore, homework)

    chosen, deleted, deletion_waited = race_in_order(
        lambda: set_streak_tasks(child=child, tasks=[homework]),
        lambda: delete_task(task=homework),
        pause_after='INSERT INTO "insights_streakchoice_tasks"',
    )

    assert chosen.error is None and deleted.error is None, (chosen.error, deleted.error)
    assert deletion_waited
    assert streak_task_ids(child) == []
    agrees_with_history()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_choice_racing_the_deletion_of_its_chore_waits_and_is_refused(
    acting, child, chore, homework, agrees_with_history
):
    two_days(acting, child, chore, homework)

    deleted, chosen, choice_waited = race_in_order(
        lambda: delete_task(task=homework),
        lambda: set_streak_tasks(child=child, tasks=[homework]),
        pause_after='DELETE FROM "children_task"',
    )

    assert deleted.error is None, deleted.error
    assert isinstance(chosen.error, InvalidAction), chosen.error
    assert choice_waited
    assert streak_task_ids(child) == []
    agrees_with_history()
