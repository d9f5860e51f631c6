"""A pairing code is its maker's access handed on: once they are no longer a guardian of its
household (they left, were removed, deleted their account) it pairs nothing, with the same 400 as
an unknown code, also when their leaving races the exchange."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import delete_account
from devices import services
from devices.models import Device
from households import services as household_services
from households.models import Membership, Role
from testsupport.factories import MembershipFactory
from testsupport.races import race_in_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

PAIR = reverse("device-pair")


def code_made_by(maker, child) -> str:
    return services.create_pairing_code(
        household=child.household, name="Tablet", children=[child], by=maker
    )[1]


def refused(response) -> bool:
    return response.status_code == 400 and response.json() == {"code": [services.UNKNOWN_CODE]}


def test_a_code_of_a_guardian_who_left_pairs_nothing(guardian, guardian_client, child):
    code = code_made_by(guardian, child)
    assert guardian_client.post(reverse("household-leave")).status_code == 204

    response = APIClient().post(PAIR, {"code": code})

    assert refused(response), response.content
    assert not Device.objects.exists()


def test_a_code_of_a_removed_guardian_pairs_nothing(parent_client, guardian, child):
    code = code_made_by(guardian, child)
    removal = parent_client.delete(reverse("household-member", args=[guardian.pk]))
    assert removal.status_code == 204

    response = APIClient().post(PAIR, {"code": code})

    assert refused(response), response.content
    assert not Device.objects.exists()


def test_a_code_of_a_deleted_account_pairs_nothing(guardian, guardian_client, child):
    code = code_made_by(guardian, child)
    assert guardian_client.delete(reverse("auth-me")).status_code == 204

    response = APIClient().post(PAIR, {"code": code})

    assert refused(response), response.content
    assert not Device.objects.exists()


def test_a_code_of_a_guardian_now_in_another_household_pairs_nothing(guardian, child):
    code = code_made_by(guardian, child)
    Membership.objects.filter(user=guardian).delete()
    MembershipFactory(user=guardian, role=Role.OWNER)

    assert refused(APIClient().post(PAIR, {"code": code}))
    assert not Device.objects.exists()


def test_the_code_of_a_member_who_stays_still_pairs(guardian, parent, child):
    Membership.objects.filter(user=parent).update(role=Role.GUARDIAN)
    Membership.objects.filter(user=guardian).update(role=Role.OWNER)

    assert APIClient().post(PAIR, {"code": code_made_by(guardian, child)}).status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_exchange_racing_the_makers_leaving_waits_and_pairs_nothing(guardian, child):
    code = code_made_by(guardian, child)

    left, paired, pair_waited = race_in_order(
        lambda: household_services.leave_household(user=guardian),
        lambda: services.pair_device(code=code),
        pause_after='DELETE FROM "households_membership"',
    )

    assert left.error is None, left.error
    assert getattr(paired.error, "message", None) == services.UNKNOWN_CODE, paired.error
    assert pair_waited
    assert not Device.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_makers_leaving_waits_for_an_exchange_already_running(guardian, child):
    """The other order: the device is paired by a member, then the member leaves (a device stays
    the household's, docs/devices.md)."""
    code = code_made_by(guardian, child)

    paired, left, leave_waited = race_in_order(
        lambda: services.pair_device(code=code),
        lambda: household_services.leave_household(user=guardian),
        pause_after='SELECT "households_household"',
    )

    assert paired.error is None and left.error is None, (paired.error, left.error)
    assert leave_waited
    assert Device.objects.count() == 1
    assert not Membership.objects.filter(user=guardian).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_exchange_racing_the_makers_account_deletion_pairs_nothing(guardian, child):
    code = code_made_by(guardian, child)

    deleted, paired, pair_waited = race_in_order(
        lambda: delete_account(user=guardian),
        lambda: services.pair_device(code=code),
        pause_after='DELETE FROM "households_membership"',
    )

    assert deleted.error is None, deleted.error
    assert getattr(paired.error, "message", None) == services.UNKNOWN_CODE, paired.error
    assert pair_waited
    assert not Device.objects.exists()
