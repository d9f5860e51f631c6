"""Writes of the achievements app: the badges a household defines.

A new badge counts the history before it *(choice)*: the children who already meet it get it at
once, for every period in which they did (`achievements.sync`). Its criterion never changes
afterwards (what it awarded was awarded under it): only its name does; to change a criterion,
delete the badge and define another. Deleting a badge keeps what it awarded: the events stay in
the history, the awards in the children's lists.
"""

from django.db import transaction

from achievements.models import DEFINABLE_PERIODS, BadgeDefinition, Criterion, TaskTally
from achievements.sync import sync_household
from children.models import Task
from households.models import Household
from kernel.referenced import keep_referenced


def create_badge_definition(
    *,
    household: Household,
    name: str,
    criterion: str,
    threshold: int,
    period: str | None = None,
    task: Task | None = None,
    ratio_good: int | None = None,
    ratio_not_good: int | None = None,
) -> BadgeDefinition:
    """Define a badge for a household's children and award it to those who already meet it.
    `period` defaults to the first its criterion takes (`DEFINABLE_PERIODS`)."""
    with transaction.atomic():
        if task is not None:
            keep_referenced(task, field="task_id")
        definition = BadgeDefinition.objects.create(
            household=household,
            name=name,
            criterion=criterion,
            period=period or DEFINABLE_PERIODS[criterion][0],
            threshold=threshold,
            task=task,
            ratio_good=ratio_good,
            ratio_not_good=ratio_not_good,
        )
        # A chore counted for the first time is counted from the history (its tallies).
        sync_household(household.pk, recount_tasks=criterion == Criterion.TASK_COUNT)
    return definition


def rename_badge_definition(*, definition: BadgeDefinition, name: str) -> BadgeDefinition:
    """Change a badge's name (awards already made keep the name they were made with)."""
    definition.name = name
    definition.save(update_fields=["name"])
    return definition


def delete_badge_definition(*, definition: BadgeDefinition) -> None:
    """Remove a badge: no more awards or revocations; those made stay."""
    with transaction.atomic():
        task_id, household_id = definition.task_id, definition.household_id
        definition.delete()
        still_counted = BadgeDefinition.objects.filter(
            household_id=household_id, task_id=task_id
        ).exists()
        if task_id is not None and not still_counted:
            TaskTally.objects.filter(child__household_id=household_id, task_id=task_id).delete()
