"""Idempotency-Key: a retry returns the first answer and changes nothing."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from children.models import Child
from conftest import client_for
from idempotency.middleware import BAD_KEY, KEY_REUSED, REPLAYED_HEADER, STILL_RUNNING
from idempotency.models import IdempotencyRecord
from testsupport.factories import ChildFactory, TaskFactory
from tracking.models import TrackingEvent


def activate(client, child, task, key, **extra):
    return client.post(
        reverse("child-activate", args=[child.pk]),
        {"task_id": task.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
        **extra,
    )


@pytest.fixture
def key() -> str:
    return str(uuid.uuid4())


@pytest.mark.django_db
def test_a_replay_returns_the_identical_response_and_changes_nothing(
    parent_client, child, chore, key
):
    first = activate(parent_client, child, chore, key)
    second = activate(parent_client, child, chore, key)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert (first[REPLAYED_HEADER], second[REPLAYED_HEADER]) == ("false", "true")
    assert Child.objects.get(pk=child.pk).points == 10
    assert TrackingEvent.objects.filter(child_id=child.pk).count() == 1


@pytest.mark.django_db
def test_the_same_json_spelled_differently_is_the_same_request(parent_client, child, chore, key):
    url = reverse("child-activate", args=[child.pk])
    parent_client.post(
        url, f'{{"task_id": {chore.pk}}}', content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    again = parent_client.post(
        url,
        f'{{ "task_id" :{chore.pk} }}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert again[REPLAYED_HEADER] == "true"
    assert Child.objects.get(pk=child.pk).points == 10


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_422_that_changes_nothing(
    parent_client, child, chore, penalty, key
):
    activate(parent_client, child, chore, key)
    response = activate(parent_client, child, penalty, key)
    assert response.status_code == 422
    assert response.json() == {"detail": KEY_REUSED}
    assert Child.objects.get(pk=child.pk).points == 10


@pytest.mark.django_db
def test_the_same_key_on_another_endpoint_is_a_422(parent_client, child, chore, key):
    activate(parent_client, child, chore, key)
    response = parent_client.post(
        reverse("child-adjust", args=[child.pk]),
        {"points": 5, "reason": "bonus"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 422


@pytest.mark.django_db
def test_keys_are_per_user(parent_client, other_client, other_parent, child, chore, key):
    other_child = ChildFactory(owner=other_parent)
    other_chore = TaskFactory(owner=other_parent, points=3)
    other_child.tasks.add(other_chore)
    activate(parent_client, child, chore, key)
    response = activate(other_client, other_child, other_chore, key)
    assert response.status_code == 200
    assert response[REPLAYED_HEADER] == "false"
    assert Child.objects.get(pk=other_child.pk).points == 3


@pytest.mark.django_db
def test_a_refused_action_is_replayed_as_refused(parent_client, child, reward, key):
    url = reverse("child-reward-redeem", args=[child.pk])
    first = parent_client.post(
        url, {"reward_id": reward.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    Child.objects.filter(pk=child.pk).update(points=100)
    second = parent_client.post(
        url, {"reward_id": reward.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert first.status_code == second.status_code == 409
    assert second.content == first.content
    assert Child.objects.get(pk=child.pk).points == 100


@pytest.mark.django_db
def test_an_unauthenticated_attempt_does_not_use_up_the_key(parent, child, chore, key, anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert activate(anon_client, child, chore, key).status_code == 401
    assert activate(client_for(parent), child, chore, key)[REPLAYED_HEADER] == "false"


@pytest.mark.django_db
def test_a_request_still_running_answers_409(parent, parent_client, child, chore, key):
    IdempotencyRecord.objects.create(
        user=parent,
        key=key,
        fingerprint=fingerprint_of_activation(parent_client, child, chore, key),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    response = activate(parent_client, child, chore, key)
    assert response.status_code == 409
    assert response.json() == {"detail": STILL_RUNNING}
    assert Child.objects.get(pk=child.pk).points == 0


def fingerprint_of_activation(client, child, chore, key) -> str:
    """The fingerprint the middleware stores for this activation, learnt by running it once on a
    throwaway key."""
    probe = f"probe-{key}"
    activate(client, child, chore, probe)
    record = IdempotencyRecord.objects.get(key=probe)
    Child.objects.filter(pk=child.pk).update(points=0)
    return record.fingerprint


@pytest.mark.django_db
def test_a_record_left_running_by_a_dead_process_is_taken_over(
    parent, parent_client, child, chore, key, settings
):
    settings.IDEMPOTENCY_RUNNING_TIMEOUT_SECONDS = 60
    fingerprint = fingerprint_of_activation(parent_client, child, chore, key)
    IdempotencyRecord.objects.create(
        user=parent,
        key=key,
        fingerprint=fingerprint,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    IdempotencyRecord.objects.filter(key=key).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    response = activate(parent_client, child, chore, key)
    assert (response.status_code, response[REPLAYED_HEADER]) == (200, "false")


@pytest.mark.django_db
def test_an_expired_key_runs_again(parent_client, child, chore, key):
    activate(parent_client, child, chore, key)
    IdempotencyRecord.objects.filter(key=key).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = activate(parent_client, child, chore, key)
    assert response[REPLAYED_HEADER] == "false"
    assert Child.objects.get(pk=child.pk).points == 20


@pytest.mark.django_db
def test_a_malformed_key_is_a_400(parent_client, child, chore):
    response = activate(parent_client, child, chore, "has spaces in it")
    assert response.status_code == 400
    assert response.json() == {"detail": BAD_KEY}
    assert activate(parent_client, child, chore, "k" * 256).status_code == 400


@pytest.mark.django_db
def test_first_answers_are_kept_at_least_24_hours_and_purged_after(
    parent_client, child, chore, key
):
    activate(parent_client, child, chore, key)
    record = IdempotencyRecord.objects.get(key=key)
    assert record.expires_at - record.created_at >= timedelta(hours=24)
    IdempotencyRecord.objects.filter(pk=record.pk).update(expires_at=timezone.now())
    call_command("purge_idempotency_keys")
    assert not IdempotencyRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_with_one_key_have_one_effect(
    parent, child, chore, concurrently, key
):
    responses = concurrently(20, lambda _: activate(client_for(parent), child, chore, key))
    statuses = sorted(
        (outcome.status_code, outcome.get(REPLAYED_HEADER))
        for kind, outcome in responses
        if kind == "ok"
    )
    assert len(statuses) == 20, responses
    assert statuses.count((200, "false")) == 1
    assert all(status in {(200, "false"), (200, "true"), (409, None)} for status in statuses)
    assert Child.objects.get(pk=child.pk).points == 10
    assert TrackingEvent.objects.filter(child_id=child.pk).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["household-invitations", "device-pairing-codes"])
def test_an_answer_holding_a_code_is_never_stored(parent_client, child, key, route):
    """The database keeps an invitation's or pairing code's digest only: the store would keep the
    code itself, for a day, to replay it. With a key, each request runs and gives a code of its own."""
    body = {
        "household-invitations": {"role": "guardian"},
        "device-pairing-codes": {"name": "Kitchen tablet", "child_ids": [child.pk]},
    }[route]
    codes = []
    for _ in range(2):
        response = parent_client.post(reverse(route), body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 201, response.json()
        codes.append(response.json()["code"])

    assert codes[0] != codes[1]
    assert not IdempotencyRecord.objects.exists()
