"""The admin for devices and pairing codes: a device shows its credential's prefix, never its
digest; devices are revoked with an action; pairing codes are read-only."""

import pytest
from django.urls import reverse

from devices import services
from devices.models import Device, PairingCode
from devices.tests.conftest import device_client_for, pair

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

DEVICES = reverse("admin:devices_device_changelist")
CODES = reverse("admin:devices_pairingcode_changelist")


def test_the_device_list_shows_the_prefix_and_children_never_the_digest(
    admin_client, paired, child
):
    device, credential = paired

    page = admin_client.get(DEVICES)

    assert page.status_code == 200
    html = page.content.decode()
    assert device.token_prefix in html
    assert child.name in html
    assert device.token_digest not in html
    assert credential not in html
    detail = admin_client.get(reverse("admin:devices_device_change", args=[device.pk]))
    assert detail.status_code == 200
    assert device.token_digest not in detail.content.decode()


def test_the_households_page_lists_its_devices_by_prefix_only(admin_client, paired, household):
    device, credential = paired

    page = admin_client.get(reverse("admin:households_household_change", args=[household.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert device.name in html
    assert device.token_prefix in html
    assert device.token_digest not in html
    assert credential not in html


def test_the_list_searches_by_child_and_takes_a_bounded_number_of_queries(
    admin_client, guardian, child, sibling, django_assert_max_num_queries
):
    for _ in range(5):
        pair(children=[child, sibling], by=guardian)
    with django_assert_max_num_queries(9):
        assert admin_client.get(DEVICES).status_code == 200
    found = admin_client.get(DEVICES, {"q": child.name}).context["cl"].result_list
    assert len(found) == 5


def test_the_revoke_action_ends_the_selected_devices_access(admin_client, paired):
    device, credential = paired

    response = admin_client.post(
        DEVICES, {"action": "revoke", "_selected_action": [device.pk]}, follow=True
    )

    assert response.status_code == 200
    assert Device.objects.get(pk=device.pk).revoked_at is not None
    assert device_client_for(credential).get(reverse("kid-home")).status_code == 401


def test_devices_cannot_be_added_changed_or_deleted_here(admin_client, device):
    change = reverse("admin:devices_device_change", args=[device.pk])

    assert admin_client.get(reverse("admin:devices_device_add")).status_code == 403
    assert admin_client.post(change, {"name": "Renamed"}).status_code == 403
    delete = reverse("admin:devices_device_delete", args=[device.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Device.objects.get(pk=device.pk).name == device.name


def test_pairing_codes_are_read_only_and_never_show_the_code(admin_client, parent, child):
    pairing, code = services.create_pairing_code(
        household=child.household, name="Tablet", children=[child], by=parent
    )

    assert code not in admin_client.get(CODES).content.decode()
    change = reverse("admin:devices_pairingcode_change", args=[pairing.pk])
    page = admin_client.get(change)
    assert page.status_code == 200
    assert pairing.code_digest not in page.content.decode()
    assert admin_client.post(change, {"name": "Other"}).status_code == 403
    assert admin_client.get(reverse("admin:devices_pairingcode_add")).status_code == 403
    assert PairingCode.objects.get().name == "Tablet"
