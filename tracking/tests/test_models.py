"""The TrackingEvent model: append-only through the ORM (and on PostgreSQL through raw SQL too),
constraints the database enforces, and what survives deleting a child or a user."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from children.services import activate_task, set_task_override
from rewards.services import redeem_reward, request_reward
from testsupport.factories import ChildFactory, UserFactory
from tracking.models import AppendOnlyError, TrackingEvent
from tracking.tests.factories import TrackingEventFactory
from tracking.tests.recorded import EVENT_COLUMNS, column_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(parent, child):
    return TrackingEventFactory(user=parent, child_id=child.pk)


def run_sql(sql: str, params: list | None = None) -> int:
    """Run one statement in its own savepoint, so that a refusal does not poison the test's
    transaction; returns the number of rows it touched."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.rowcount


# --- Append-only through the ORM -----------------------------------------------------------------


def test_saving_an_existing_event_raises(event):
    event.delta = 99

    with pytest.raises(AppendOnlyError):
        event.save()

    assert TrackingEvent.objects.get(pk=event.pk).delta == 10


def test_saving_an_unchanged_existing_event_raises(event):
    with pytest.raises(AppendOnlyError):
        event.save()


def test_saving_an_existing_event_with_update_fields_raises(event):
    event.points_after = 99

    with pytest.raises(AppendOnlyError):
        event.save(update_fields=["points_after"])


@pytest.mark.parametrize(
    "changes",
    [
        {"delta": 0},
        {"points_after": 0, "delta": -10},
        {"metadata": {}},
        {"child_id": 999},
        {"user": None, "delta": 0},
    ],
    ids=["delta", "points", "metadata", "child", "user-and-delta"],
)
def test_queryset_update_raises(event, changes):
    before = column_values()

    with pytest.raises(AppendOnlyError):
        TrackingEvent.objects.update(**changes)
    with pytest.raises(AppendOnlyError):
        TrackingEvent.objects.filter(pk=event.pk).update(**changes)

    assert column_values() == before


def test_queryset_update_to_another_user_raises(event, other_parent):
    with pytest.raises(AppendOnlyError):
        TrackingEvent.objects.update(user=other_parent)


def test_bulk_update_raises(event):
    event.delta = 0

    with pytest.raises(AppendOnlyError):
        TrackingEvent.objects.bulk_update([event], ["delta"])


def test_queryset_delete_raises(event):
    with pytest.raises(AppendOnlyError):
        TrackingEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        TrackingEvent.objects.filter(pk=event.pk).delete()

    assert TrackingEvent.objects.filter(pk=event.pk).exists()


def test_instance_delete_raises(event):
    with pytest.raises(AppendOnlyError):
        event.delete()

    assert TrackingEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("field", ["user", "user_id"])
def test_setting_the_user_to_null_is_the_one_update_allowed(event, field):
    before = column_values()

    assert TrackingEvent.objects.filter(pk=event.pk).update(**{field: None}) == 1

    after = column_values()
    assert after[0]["user_id"] is None
    assert drop_user(after) == drop_user(before)


def drop_user(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "user_id"} for row in rows]


# --- Append-only in the database (PostgreSQL triggers) ------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE tracking_trackingevent SET delta = delta + 1, points_after = points_after + 1",
        "UPDATE tracking_trackingevent SET points_before = 0",
        "UPDATE tracking_trackingevent SET metadata = '{}'::jsonb",
        "UPDATE tracking_trackingevent SET occurred_at = now()",
        "UPDATE tracking_trackingevent SET child_id = child_id + 1",
        "UPDATE tracking_trackingevent SET user_id = NULL, action = 'activated', delta = 0",
    ],
)
def test_database_refuses_raw_updates(event, sql):
    before = column_values()

    with pytest.raises(DatabaseError, match="pgtrigger: Cannot update"):
        run_sql(sql)

    assert column_values() == before


@pytest.mark.postgres
def test_database_refuses_raw_update_of_the_user_to_another_user(event, other_parent):
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot update"):
        run_sql("UPDATE tracking_trackingevent SET user_id = %s", [other_parent.pk])

    assert TrackingEvent.objects.get(pk=event.pk).user_id == event.user_id


@pytest.mark.postgres
def test_database_refuses_giving_an_anonymized_event_a_user(event, other_parent):
    run_sql("UPDATE tracking_trackingevent SET user_id = NULL")

    with pytest.raises(DatabaseError, match="pgtrigger: Cannot update"):
        run_sql("UPDATE tracking_trackingevent SET user_id = %s", [other_parent.pk])

    assert TrackingEvent.objects.get(pk=event.pk).user_id is None


@pytest.mark.postgres
def test_database_refuses_raw_deletes(event):
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot delete"):
        run_sql("DELETE FROM tracking_trackingevent")
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot delete"):
        run_sql("DELETE FROM tracking_trackingevent WHERE id = %s", [event.pk])

    assert TrackingEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_database_accepts_setting_the_user_to_null(event):
    before = column_values()

    assert run_sql("UPDATE tracking_trackingevent SET user_id = NULL") == 1

    after = column_values()
    assert after[0]["user_id"] is None
    assert drop_user(after) == drop_user(before)


# --- Constraints (both databases) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"points_before": 0, "points_after": 10, "delta": 5},
        {"points_before": 10, "points_after": 0, "delta": 10},
        {"points_before": -5, "points_after": 5, "delta": 10},
        {"points_before": 5, "points_after": -5, "delta": -10},
        {"entity_type": "task", "action": "redeemed"},
        {"entity_type": "penalty", "action": "requested"},
        {"entity_type": "reward", "action": "activated"},
        {"entity_type": "adjustment", "action": "activated", "entity_id": None},
        {"entity_type": "task", "entity_id": None},
    ],
    ids=[
        "delta-too-small",
        "delta-wrong-sign",
        "negative-before",
        "negative-after",
        "task-redeemed",
        "penalty-requested",
        "reward-activated",
        "adjustment-activated",
        "task-without-entity",
    ],
)
def test_database_refuses_an_inconsistent_row(parent, child, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackingEvent.objects.create(
            **{
                "user": parent,
                "child_id": child.pk,
                "entity_type": "task",
                "entity_id": 1,
                "action": "activated",
                "points_before": 0,
                "points_after": 10,
                "delta": 10,
                "occurred_at": child.created_at,
                **fields,
            }
        )

    assert not TrackingEvent.objects.exists()


@pytest.mark.parametrize(
    "entity_type, action",
    [
        ("task", "activated"),
        ("penalty", "activated"),
        ("reward", "requested"),
        ("reward", "redeemed"),
        ("reward", "cancelled"),
    ],
)
def test_database_accepts_the_allowed_pairs(parent, child, entity_type, action):
    TrackingEventFactory(user=parent, child_id=child.pk, entity_type=entity_type, action=action)

    assert TrackingEvent.objects.filter(entity_type=entity_type, action=action).count() == 1


def test_adjustment_needs_no_entity(parent, child):
    TrackingEventFactory(
        user=parent, child_id=child.pk, entity_type="adjustment", action="adjusted", entity_id=None
    )

    assert TrackingEvent.objects.get().entity_id is None


# --- Deletion ------------------------------------------------------------------------------------


def test_deleted_child_keeps_its_events_with_its_name(parent_client, child, chore, penalty):
    for task in (chore, chore, penalty):
        parent_client.post(reverse("child-activate", args=[child.pk]), {"task_id": task.pk})
    child_id, name = child.pk, child.name
    before = column_values(child_id=child_id)

    response = parent_client.delete(reverse("child-detail", args=[child_id]))

    assert response.status_code == 204
    assert column_values(child_id=child_id) == before
    events = TrackingEvent.objects.filter(child_id=child_id).order_by("occurred_at")
    assert [event.metadata["child_name"] for event in events] == [name] * 3
    assert [event.action for event in events] == ["activated"] * 3
    assert TrackingEvent.objects.filter(metadata__child_name=name).count() == 3


def test_deleted_entities_keep_their_ids_on_events(child, chore):
    activate_task(child=child, task=chore)
    chore_id = chore.pk

    chore.delete()

    assert TrackingEvent.objects.get().entity_id == chore_id


def test_deleted_user_is_nulled_on_its_events_and_nothing_else_changes(
    parent, parent_client, other_parent, child, chore, reward
):
    # 20 points a chore: the pending request holds 20 of the 40, the direct redemption takes 20.
    set_task_override(child=child, task=chore, points=20)
    activate_task(child=child, task=chore)
    activate_task(child=child, task=chore)
    request = request_reward(child=child, reward=reward).request
    redeem_reward(child=child, reward=reward)
    others_child = ChildFactory(owner=other_parent)
    others_event = TrackingEventFactory(user=other_parent, child_id=others_child.pk)
    mine_before = column_values(user=parent)
    others_before = column_values(user=other_parent)
    assert len(mine_before) == 4

    response = parent_client.delete(reverse("auth-me"))

    assert response.status_code == 204
    mine_after = column_values(pk__in=[row["id"] for row in mine_before])
    assert [row["user_id"] for row in mine_after] == [None] * 4
    assert drop_user(mine_after) == drop_user(mine_before)
    assert column_values(user=other_parent) == others_before
    assert TrackingEvent.objects.get(pk=others_event.pk).user_id == other_parent.pk
    # The anonymized history still answers the usual questions.
    assert TrackingEvent.objects.filter(user__isnull=True).count() == 4
    assert TrackingEvent.objects.filter(child_id=child.pk, action="redeemed").count() == 1
    assert TrackingEvent.objects.get(metadata__request_id=request.pk).action == "requested"
    assert set(EVENT_COLUMNS) <= set(mine_after[0])


def test_deleting_a_user_through_the_orm_also_anonymizes(parent, child, chore):
    activate_task(child=child, task=chore)
    user = UserFactory()
    TrackingEventFactory(user=user, child_id=child.pk)
    before = column_values(user=user)

    user.delete()

    after = column_values(pk=before[0]["id"])
    assert after[0]["user_id"] is None
    assert drop_user(after) == drop_user(before)
    assert TrackingEvent.objects.filter(user=parent).count() == 1
