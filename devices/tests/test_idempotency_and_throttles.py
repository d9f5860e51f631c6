"""A device's Idempotency-Keys and request counts are its own: not an account's, not another
device's."""

import pytest
from django.urls import reverse

from children.models import Claim
from devices.tests.conftest import device_client_for, pair
from idempotency.middleware import HEADER, REPLAYED_HEADER
from idempotency.models import IdempotencyRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def claim(client, child, task, key):
    return client.post(
        reverse("kid-claims", args=[child.pk]),
        {"task_id": task.pk},
        headers={HEADER: key},
    )


def test_a_repeated_key_replays_a_devices_claim(device_client, device, child, chore):
    first = claim(device_client, child, chore, "tap-1")
    again = claim(device_client, child, chore, "tap-1")

    assert (first.status_code, first[REPLAYED_HEADER]) == (201, "false")
    assert (again.status_code, again[REPLAYED_HEADER]) == (201, "true")
    assert again.json() == first.json()
    assert Claim.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.device_id, record.user_id) == (device.pk, None)


def test_two_devices_keys_are_their_own(guardian, child, chore, sibling):
    sibling.tasks.add(chore)
    first = device_client_for(pair(children=[child], by=guardian)[1])
    second = device_client_for(pair(children=[sibling], by=guardian)[1])

    assert claim(first, child, chore, "same-key")[REPLAYED_HEADER] == "false"
    other = claim(second, sibling, chore, "same-key")

    assert (other.status_code, other[REPLAYED_HEADER]) == (201, "false")
    assert Claim.objects.count() == 2


def test_a_devices_key_is_not_its_pairing_guardians(
    device_client, guardian, guardian_client, child, chore
):
    claim(device_client, child, chore, "shared-key")

    response = guardian_client.post(
        reverse("child-activate", args=[child.pk]),
        {"task_id": chore.pk},
        headers={HEADER: "shared-key"},
    )

    assert (response.status_code, response[REPLAYED_HEADER]) == (200, "false")


def test_the_pairing_answer_is_never_stored(parent, child, device_client, guardian_client):
    code = guardian_client.post(
        reverse("device-pairing-codes"), {"name": "Tablet", "child_ids": [child.pk]}
    ).json()["code"]

    # Even sent by a device that is signed in, with a key: the answer holds a credential.
    response = device_client.post(reverse("device-pair"), {"code": code}, headers={HEADER: "k"})

    assert response.status_code == 201
    assert not IdempotencyRecord.objects.exists()


def limit_users_to(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": rate,
        },
    }


def test_each_device_is_throttled_on_its_own(settings, guardian, child):
    limit_users_to(settings, "2/min")
    first = device_client_for(pair(children=[child], by=guardian)[1])
    second = device_client_for(pair(children=[child], by=guardian)[1])
    home = reverse("kid-home")

    assert [first.get(home).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(home).status_code == 200
