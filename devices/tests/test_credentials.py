"""A device's credential: `Authorization: Device <credential>`; revoked, it is a 401 at once; a
device is a 403 on every route but its own, and an account a 403 on the device routes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from devices import services
from devices.authentication import INVALID_CREDENTIAL, MALFORMED_HEADER, REVOKED
from devices.models import Device
from devices.permissions import DEVICES_ONLY
from devices.tests.conftest import device_client_for, pair
from kernel.principals import DEVICES_MAY_NOT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

HOME = reverse("kid-home")


def test_a_device_reads_its_home_with_its_credential(device_client, device):
    response = device_client.get(HOME)

    assert response.status_code == 200
    assert response.json()["id"] == device.pk


def test_a_revoked_device_gets_a_401_that_says_so_on_its_next_request(device_client, device):
    assert device_client.get(HOME).status_code == 200

    services.revoke_device(device=device)
    response = device_client.get(HOME)

    assert response.status_code == 401
    assert response.json() == {"detail": REVOKED}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Device not-a-credential", INVALID_CREDENTIAL),
        ("Device", MALFORMED_HEADER),
        ("Device a b", MALFORMED_HEADER),
    ],
)
def test_a_wrong_credential_is_a_401(device, header, message):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(HOME)

    assert response.status_code == 401
    assert response.json() == {"detail": message}


def test_a_credential_that_is_not_ascii_is_a_401_not_a_500(device):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Device caf\u00e9".encode().decode("latin-1"))

    assert client.get(HOME).status_code == 401


def test_anonymous_callers_of_device_routes_get_a_401_that_asks_for_a_device(anon_client):
    response = anon_client.get(HOME)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Device"


def test_anonymous_callers_elsewhere_still_get_the_token_challenge(anon_client):
    response = anon_client.get(reverse("child-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("client_name", ["parent_client", "guardian_client", "viewer_client"])
def test_an_account_gets_a_403_on_the_device_routes(request, client_name, child, device):
    client = request.getfixturevalue(client_name)

    home = client.get(HOME)
    claim = client.post(reverse("kid-claims", args=[child.pk]), {"task_id": 1})

    assert (home.status_code, home.json()) == (403, {"detail": DEVICES_ONLY})
    assert (claim.status_code, claim.json()) == (403, {"detail": DEVICES_ONLY})


def guardian_routes(family):
    """A sample of the routes of accounts: reads and writes, the household's, children's,
    tracking's and the devices' own."""
    child, chore, reward = family
    return [
        ("get", reverse("child-list"), None),
        ("get", reverse("child-detail", args=[child.pk]), None),
        ("post", reverse("child-activate", args=[child.pk]), {"task_id": chore.pk}),
        ("post", reverse("child-adjust", args=[child.pk]), {"points": 5, "reason": "Why not"}),
        (
            "post",
            reverse("child-reward-reward-requests", args=[child.pk]),
            {"reward_id": reward.pk},
        ),
        ("get", reverse("child-tracking", args=[child.pk]), None),
        ("get", reverse("task-list"), None),
        ("get", reverse("reward-request-list"), None),
        ("get", reverse("household"), None),
        ("patch", reverse("household"), {"name": "Kids rule"}),
        ("get", reverse("auth-me"), None),
        ("delete", reverse("auth-me"), None),
        ("get", reverse("device-list"), None),
        ("post", reverse("device-pairing-codes"), {"name": "Mine", "child_ids": [child.pk]}),
    ]


def test_a_device_gets_a_403_on_the_routes_of_accounts(device_client, child, chore, reward):
    for method, url, body in guardian_routes((child, chore, reward)):
        response = getattr(device_client, method)(url, body)
        assert (response.status_code, response.json()) == (403, {"detail": DEVICES_MAY_NOT}), url
    child.refresh_from_db()
    assert child.points == 0


def test_a_device_gets_a_403_on_the_staff_routes(device_client):
    assert device_client.get(reverse("admin-tracking")).status_code == 403


def test_last_use_is_recorded_at_most_once_a_minute(device_client, device):
    device_client.get(HOME)
    first = Device.objects.get(pk=device.pk).last_used_at
    assert first is not None

    device_client.get(HOME)
    assert Device.objects.get(pk=device.pk).last_used_at == first

    Device.objects.filter(pk=device.pk).update(last_used_at=first - timedelta(minutes=2))
    device_client.get(HOME)
    assert Device.objects.get(pk=device.pk).last_used_at > first - timedelta(seconds=1)
    assert Device.objects.get(pk=device.pk).last_used_at <= timezone.now()


def test_each_pairing_gets_its_own_credential(child, guardian):
    first, first_credential = pair(children=[child], by=guardian)
    second, second_credential = pair(children=[child], by=guardian)
    services.revoke_device(device=first)

    assert device_client_for(first_credential).get(HOME).status_code == 401
    assert device_client_for(second_credential).get(HOME).json()["id"] == second.pk
