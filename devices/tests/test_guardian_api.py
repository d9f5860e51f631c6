"""The guardians' device routes: the list, a device, revoking it, a child's PIN on it. Owners and
guardians only; another household's device is a 404."""

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from devices.models import ChildPin, Device
from devices.permissions import GUARDIANS_ONLY
from devices.serializers import PIN_FORMAT
from devices.services import DEVICE_REVOKED, NO_PIN, NOT_A_CHILD_OF
from devices.tests.conftest import device_client_for, pair
from devices.views import NO_SUCH_CHILD
from testsupport.factories import ChildFactory, MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def pin_url(device, child) -> str:
    return reverse("device-pin", args=[device.pk, child.pk])


def test_the_list_shows_each_device_with_its_children_and_last_use(
    guardian, guardian_client, child, sibling
):
    shared, _ = pair(children=[sibling, child], by=guardian, name="Family tablet")
    _, credential = pair(children=[child], by=guardian, name="Phone")
    device_client_for(credential).get(reverse("kid-home"))

    response = guardian_client.get(reverse("device-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["results"]
    assert first["id"] == shared.pk
    assert first["child_ids"] == sorted([child.pk, sibling.pk])
    assert first["last_used_at"] is None
    assert second["name"] == "Phone"
    assert second["last_used_at"] is not None
    assert second["token_prefix"] == credential[:8]
    assert "token_digest" not in second


def test_the_list_takes_a_bounded_number_of_queries(
    guardian, guardian_client, child, sibling, django_assert_max_num_queries
):
    for index in range(5):
        pair(children=[child, sibling], by=guardian, name=f"Tablet {index}")

    with django_assert_max_num_queries(7):
        response = guardian_client.get(reverse("device-list"))

    assert response.json()["count"] == 5


def test_the_list_holds_only_the_callers_household(guardian_client, paired, other_parent):
    neighbour_child = ChildFactory(owner=other_parent)
    pair(children=[neighbour_child], by=other_parent)

    assert [d["id"] for d in guardian_client.get(reverse("device-list")).json()["results"]] == [
        paired[0].pk
    ]


def test_another_households_device_is_a_404_on_every_route(other_client, device, child):
    for method, url in [
        ("get", reverse("device-detail", args=[device.pk])),
        ("post", reverse("device-revoke", args=[device.pk])),
        ("put", pin_url(device, child)),
        ("delete", pin_url(device, child)),
    ]:
        response = getattr(other_client, method)(url, None if method == "get" else {"pin": "1234"})
        assert response.status_code == 404, url
    assert Device.objects.get(pk=device.pk).revoked_at is None
    assert not ChildPin.objects.exists()


def test_a_viewer_gets_a_403_on_every_guardian_route(viewer_client, device, child):
    for method, url in [
        ("get", reverse("device-list")),
        ("get", reverse("device-detail", args=[device.pk])),
        ("post", reverse("device-revoke", args=[device.pk])),
        ("put", pin_url(device, child)),
    ]:
        response = getattr(viewer_client, method)(url, None if method == "get" else {"pin": "1234"})
        assert (response.status_code, response.json()) == (403, {"detail": GUARDIANS_ONLY}), url


def test_revoking_ends_access_at_once_and_answers_the_device(parent_client, paired):
    device, credential = paired

    response = parent_client.post(reverse("device-revoke", args=[device.pk]))

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert device_client_for(credential).get(reverse("kid-home")).status_code == 401


def test_revoking_twice_keeps_the_first_time(parent_client, device):
    first = parent_client.post(reverse("device-revoke", args=[device.pk])).json()["revoked_at"]
    second = parent_client.post(reverse("device-revoke", args=[device.pk]))

    assert (second.status_code, second.json()["revoked_at"]) == (200, first)


def test_a_guardian_sets_a_pin_stored_hashed(guardian_client, device, child):
    response = guardian_client.put(pin_url(device, child), {"pin": "2468"})

    assert response.status_code == 200
    assert response.json() == {"device_id": device.pk, "child_id": child.pk, "has_pin": True}
    row = ChildPin.objects.get(device=device, child=child)
    assert row.pin_hash != "2468"
    assert check_password("2468", row.pin_hash)


def test_setting_a_pin_again_replaces_it_and_lifts_a_lockout(guardian_client, device, child):
    guardian_client.put(pin_url(device, child), {"pin": "2468"})
    ChildPin.objects.update(failures=5, locked_until="2999-01-01T00:00:00Z")

    guardian_client.put(pin_url(device, child), {"pin": "13579"})

    row = ChildPin.objects.get()
    assert (row.failures, row.locked_until) == (0, None)
    assert check_password("13579", row.pin_hash)


@pytest.mark.parametrize(
    "pin", ["123", "123456789", "12a4", "", None, 1234, " 1234", "1234\n", "5678\n"]
)
def test_a_pin_is_four_to_eight_digits(guardian_client, device, child, pin):
    response = guardian_client.put(pin_url(device, child), {"pin": pin})

    assert response.status_code == 400
    assert "pin" in response.json()
    assert not ChildPin.objects.exists()


def test_the_pin_format_message_is_clear(guardian_client, device, child):
    response = guardian_client.put(pin_url(device, child), {"pin": "12a4"})

    assert response.json() == {"pin": [PIN_FORMAT]}


def test_a_pin_for_a_child_not_paired_with_the_device_is_a_404(
    guardian_client, device, sibling, other_parent
):
    foreign = ChildFactory(owner=other_parent)

    not_paired = guardian_client.put(pin_url(device, sibling), {"pin": "1234"})
    other_household = guardian_client.put(pin_url(device, foreign), {"pin": "1234"})

    assert (not_paired.status_code, not_paired.json()) == (
        404,
        {"detail": NOT_A_CHILD_OF.format(child_id=sibling.pk, device_id=device.pk)},
    )
    assert (other_household.status_code, other_household.json()) == (
        404,
        {"detail": NO_SUCH_CHILD},
    )


def test_a_revoked_devices_pin_cannot_be_set(guardian_client, parent_client, device, child):
    parent_client.post(reverse("device-revoke", args=[device.pk]))

    response = guardian_client.put(pin_url(device, child), {"pin": "1234"})

    assert response.status_code == 409
    assert response.json() == {"detail": DEVICE_REVOKED.format(device_id=device.pk)}


def test_deleting_a_pin_is_a_204_then_a_404(guardian_client, device, child):
    guardian_client.put(pin_url(device, child), {"pin": "1234"})

    assert guardian_client.delete(pin_url(device, child)).status_code == 204
    assert not ChildPin.objects.exists()
    again = guardian_client.delete(pin_url(device, child))
    assert (again.status_code, again.json()) == (
        404,
        {"detail": NO_PIN.format(child_id=child.pk, device_id=device.pk)},
    )


def test_a_huge_id_in_a_path_is_a_404_not_a_500(guardian_client, device, child):
    huge = "9" * 30

    assert guardian_client.get(f"/api/devices/{huge}/").status_code == 404
    assert guardian_client.put(f"/api/devices/{device.pk}/children/{huge}/pin/").status_code == 404


def test_a_paired_by_account_deleted_reads_as_null(guardian_client, child):
    pairing_guardian = MembershipFactory(household=child.household).user
    device, _ = pair(children=[child], by=pairing_guardian)
    pairing_guardian.delete()

    body = guardian_client.get(reverse("device-detail", args=[device.pk])).json()

    assert body["paired_by"] is None
