"""Pairing a device: a guardian gets a short code (10 minutes, single use), a device exchanges it
without signing in for a credential that is stored only as a digest."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from devices import services
from devices.credentials import PAIRING_ALPHABET, PAIRING_CODE_LENGTH
from devices.models import MAX_CHILDREN_PER_DEVICE, Device, PairingCode
from devices.serializers import UNKNOWN_CHILDREN
from devices.tests.conftest import device_client_for, pair
from kernel.principals import DEVICES_MAY_NOT
from testsupport.factories import ChildFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

CODES = reverse("device-pairing-codes")
PAIR = reverse("device-pair")


def ask_code(client, children, name="Kitchen tablet"):
    return client.post(CODES, {"name": name, "child_ids": [c.pk for c in children]})


def exchange(code: str):
    return APIClient().post(PAIR, {"code": code})


# --- The code ------------------------------------------------------------------------------------


def test_a_guardian_gets_a_short_code_valid_ten_minutes(guardian_client, child, sibling):
    before = timezone.now()
    response = ask_code(guardian_client, [sibling, child])

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"code", "expires_at", "name", "child_ids"}
    assert len(body["code"]) == PAIRING_CODE_LENGTH
    assert set(body["code"]) <= set(PAIRING_ALPHABET)
    assert body["name"] == "Kitchen tablet"
    assert body["child_ids"] == sorted([child.pk, sibling.pk])
    stored = PairingCode.objects.get()
    assert before + timedelta(minutes=10) <= stored.expires_at
    assert stored.expires_at <= timezone.now() + timedelta(minutes=10)


def test_the_code_is_stored_as_its_digest_only(parent_client, child):
    code = ask_code(parent_client, [child]).json()["code"]

    stored = PairingCode.objects.get()
    assert stored.code_digest == hashlib.sha256(code.encode()).hexdigest()
    assert code not in str(PairingCode.objects.values().get())


@pytest.mark.parametrize(
    "child_ids",
    [[], "1", [None], [0], [-1], [2**63], list(range(1, MAX_CHILDREN_PER_DEVICE + 2))],
)
def test_bad_child_ids_are_a_400(parent_client, child, child_ids):
    response = parent_client.post(CODES, {"name": "Tablet", "child_ids": child_ids})

    assert response.status_code == 400
    assert "child_ids" in response.json()
    assert not PairingCode.objects.exists()


def test_another_households_child_is_a_400_like_an_unknown_one(parent_client, child, other_parent):
    foreign = ChildFactory(owner=other_parent)

    response = ask_code(parent_client, [child, foreign])

    assert response.status_code == 400
    assert response.json() == {"child_ids": [UNKNOWN_CHILDREN.format(ids=foreign.pk)]}


@pytest.mark.parametrize("name", ["", "   ", "a\x00b", "x" * 65, None])
def test_a_bad_name_is_a_400(parent_client, child, name):
    response = parent_client.post(CODES, {"name": name, "child_ids": [child.pk]})

    assert response.status_code == 400
    assert "name" in response.json()


def test_a_viewer_cannot_get_a_code(viewer_client, child):
    assert ask_code(viewer_client, [child]).status_code == 403
    assert not PairingCode.objects.exists()


def test_a_device_cannot_get_a_code(device_client, child):
    response = ask_code(device_client, [child])

    assert response.status_code == 403
    assert response.json() == {"detail": DEVICES_MAY_NOT}


# --- The exchange --------------------------------------------------------------------------------


def test_a_device_exchanges_the_code_without_signing_in(guardian, guardian_client, child):
    code = ask_code(guardian_client, [child], name="Hall tablet").json()["code"]

    response = exchange(code)

    assert response.status_code == 201, response.json()
    body = response.json()
    device = Device.objects.get()
    assert body["device"] == {
        "id": device.pk,
        "name": "Hall tablet",
        "child_ids": [child.pk],
        "token_prefix": body["credential"][:8],
        "paired_by": {"user_id": guardian.pk, "username": guardian.username},
        "created_at": body["device"]["created_at"],
        "last_used_at": None,
        "revoked_at": None,
    }
    assert device_client_for(body["credential"]).get(reverse("kid-home")).status_code == 200


def test_the_credential_is_stored_as_its_digest_only(child, guardian):
    device, credential = pair(children=[child], by=guardian)

    assert device.token_digest == hashlib.sha256(credential.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Device._meta.db_table}")
        rows = cursor.fetchall()
    assert credential not in repr(rows)
    assert device.token_prefix == credential[:8]


def test_a_code_pairs_one_device_only(parent_client, child):
    code = ask_code(parent_client, [child]).json()["code"]

    assert exchange(code).status_code == 201
    second = exchange(code)

    assert second.status_code == 400
    assert second.json() == {"code": [services.UNKNOWN_CODE]}
    assert Device.objects.count() == 1


def test_an_expired_code_is_a_400(parent_client, child):
    code = ask_code(parent_client, [child]).json()["code"]
    PairingCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = exchange(code)

    assert response.status_code == 400
    assert response.json() == {"code": [services.UNKNOWN_CODE]}
    assert not Device.objects.exists()


def test_a_code_still_pairs_just_before_ten_minutes(parent_client, child):
    code = ask_code(parent_client, [child]).json()["code"]
    PairingCode.objects.update(expires_at=timezone.now() + timedelta(seconds=5))

    assert exchange(code).status_code == 201


@pytest.mark.parametrize("code", ["", "WRONG123", "x" * 65, None])
def test_a_wrong_code_is_a_400(parent_client, child, code):
    ask_code(parent_client, [child])

    response = APIClient().post(PAIR, {"code": code})

    assert response.status_code == 400
    assert "code" in response.json()
    assert not Device.objects.exists()


def test_case_spaces_and_dashes_in_the_code_do_not_matter(parent_client, child):
    code = ask_code(parent_client, [child]).json()["code"]

    assert exchange(f" {code[:4].lower()}-{code[4:]} ").status_code == 201


def test_a_code_whose_children_were_all_deleted_is_a_400(parent_client, child):
    code = ask_code(parent_client, [child]).json()["code"]
    child.delete()

    response = exchange(code)

    assert response.status_code == 400
    assert response.json() == {"code": [services.NO_CHILDREN_LEFT]}


def test_the_exchange_is_throttled_per_address(parent_client, child, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "token": "3/min",
        },
    }
    statuses = [exchange("WRONG123").status_code for _ in range(4)]

    assert statuses == [400, 400, 400, 429]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_exchanges_of_one_code_pair_exactly_one_device(concurrently, parent, child):
    _, code = services.create_pairing_code(
        household=child.household, name="Tablet", children=[child], by=parent
    )

    outcomes = concurrently(8, lambda _: services.pair_device(code=code))

    paired = [result for kind, result in outcomes if kind == "ok"]
    refused = [error for kind, error in outcomes if kind == "error"]
    assert len(paired) == 1
    assert len(refused) == 7
    assert all(getattr(error, "message", "") == services.UNKNOWN_CODE for error in refused)
    assert Device.objects.count() == 1
