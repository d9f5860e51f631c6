"""The projections under concurrency, in real threads with their own PostgreSQL connections:
actions racing on one child (and a household's calendar changing meanwhile) leave projections
equal to a rebuild, and a day is paused once however many guardians pause it at the same time."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from children.models import Child, Task
from children.services import activate_task, adjust_points
from households.models import Household
from households.services import update_household
from insights.models import ChildTotals
from insights.rebuild import rebuild
from insights.services import record_pause
from kernel.errors import StateConflict
from testsupport.factories import ChildFactory, TaskFactory
from tracking.models import TrackingEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_actions_on_one_child_leave_projections_equal_to_a_rebuild(
    concurrently, parent
):
    child = ChildFactory(owner=parent)
    chore = TaskFactory(owner=parent, points=3)
    child.tasks.add(chore)

    def act(index: int):
        target = Child.objects.get(pk=child.pk)
        if index % 3 == 2:
            return adjust_points(child=target, points=-2, reason="race", by=parent)
        return activate_task(child=target, task=Task.objects.get(pk=chore.pk), by=parent)

    outcomes = concurrently(12, act)

    assert [kind for kind, _ in outcomes] == ["ok"] * 12
    assert rebuild() == []
    totals = ChildTotals.objects.get(child=child)
    assert (totals.chores, totals.net) == (8, Child.objects.get(pk=child.pk).points)


def test_a_calendar_change_racing_actions_leaves_projections_equal_to_a_rebuild(
    concurrently, parent
):
    children = [ChildFactory(owner=parent) for _ in range(3)]
    chore = TaskFactory(owner=parent, points=3)
    for child in children:
        child.tasks.add(chore)
        activate_task(child=child, task=chore, by=parent)
    household_id = children[0].household_id

    def act(index: int):
        if index == 0:
            household = Household.objects.get(pk=household_id)
            return update_household(household=household, time_zone="Pacific/Kiritimati")
        target = Child.objects.get(pk=children[index % 3].pk)
        return activate_task(child=target, task=Task.objects.get(pk=chore.pk), by=parent)

    outcomes = concurrently(7, act)

    assert [kind for kind, _ in outcomes] == ["ok"] * 7
    assert rebuild() == []


def test_a_day_paused_by_several_guardians_at_once_is_paused_once(concurrently, parent):
    child = ChildFactory(owner=parent)
    today = timezone.now().date()
    user = get_user_model().objects.get(pk=parent.pk)

    def pause(index: int):
        return record_pause(
            child=Child.objects.get(pk=child.pk), day=today, reason=f"ill {index}", by=user
        )

    outcomes = concurrently(5, pause)

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error"] * 4 + ["ok"]
    assert all(isinstance(value, StateConflict) for kind, value in outcomes if kind == "error")
    assert TrackingEvent.objects.filter(child_id=child.pk, action="paused").count() == 1
    assert rebuild() == []
