"""A stored answer is replayed only to a caller who may still see it: one who still belongs to the
household they belonged to when it was answered (households.md: a removed member loses access at
once, and a replay is no way around that)."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from households import services as households
from households.models import Role
from idempotency.middleware import NO_LONGER_YOUR_HOUSEHOLD, REPLAYED_HEADER
from idempotency.models import IdempotencyRecord
from testsupport.factories import (
    ChildFactory,
    MembershipFactory,
    TaskFactory,
    UserFactory,
    household_of,
)
from tracking.models import TrackingEvent


@pytest.fixture
def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def guardian(parent):
    return MembershipFactory(household=households.household_for_writing(user=parent)).user


def activate(client, child, chore, key):
    return client.post(
        reverse("child-activate", args=[child.pk]),
        {"task_id": chore.pk},
        format="json",
        headers={"Idempotency-Key": key},
    )


def family(parent):
    child, chore = ChildFactory(owner=parent), TaskFactory(owner=parent, points=5)
    child.tasks.add(chore)
    return child, chore


@pytest.mark.django_db
def test_a_removed_member_replaying_a_key_gets_a_404_and_nothing_of_the_household(
    parent, guardian, key
):
    child, chore = family(parent)
    client = client_for(guardian)
    assert activate(client, child, chore, key).status_code == 200
    households.remove_member(
        household=households.household_for_writing(user=parent), user_id=guardian.pk, by=parent
    )

    replay = activate(client, child, chore, key)

    assert replay.status_code == 404
    assert replay.json() == {"detail": NO_LONGER_YOUR_HOUSEHOLD}
    assert REPLAYED_HEADER not in replay
    child.refresh_from_db()
    assert child.points == 5
    assert TrackingEvent.objects.filter(child_id=child.pk).count() == 1


@pytest.mark.django_db
def test_a_member_who_left_gets_no_replay_and_one_who_came_back_gets_it_again(
    parent, guardian, key
):
    child, chore = family(parent)
    client = client_for(guardian)
    first = activate(client, child, chore, key)
    household = households.household_for_writing(user=parent)
    households.leave_household(user=guardian)

    assert activate(client, child, chore, key).status_code == 404

    _, code = households.create_invitation(household=household, role=Role.GUARDIAN, by=parent)
    households.join_household(user=guardian, code=code)
    again = activate(client, child, chore, key)
    assert again.status_code == 200
    assert again.content == first.content
    assert again[REPLAYED_HEADER] == "true"


@pytest.mark.django_db
def test_a_user_whose_first_write_made_their_household_gets_its_replay(key):
    user = UserFactory(household=False)
    client = client_for(user)

    def create():
        return client.post(
            reverse("child-list"),
            {"name": "Alice"},
            format="json",
            headers={"Idempotency-Key": key},
        )

    first = create()
    again = create()

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again[REPLAYED_HEADER] == "true"


@pytest.fixture
def before_households_on_records(transactional_db):
    call_command("migrate", "idempotency", "0003", verbosity=0)
    yield (
        MigrationExecutor(connection)
        .loader.project_state(("idempotency", "0003_keys_per_device_too"))
        .apps
    )
    call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_answers_stored_before_the_upgrade_get_their_users_household(
    before_households_on_records,
):
    """Else every retry across the upgrade would be refused as if its user had left."""
    record = before_households_on_records.get_model("idempotency", "IdempotencyRecord")
    member, outsider = UserFactory(), UserFactory(household=False)
    for user in (member, outsider):
        record.objects.create(
            user_id=user.pk,
            key="k",
            fingerprint="f",
            status="complete",
            expires_at=timezone.now() + timedelta(hours=1),
        )

    call_command("migrate", "idempotency", verbosity=0)

    households_now = dict(IdempotencyRecord.objects.values_list("user_id", "household_id"))
    assert households_now == {member.pk: household_of(member).pk, outsider.pk: None}
