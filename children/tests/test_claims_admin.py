"""Claims in the Django admin: listed, filtered by status, searched by child, chore or household,
and read-only (decisions are the guardians', through the API)."""

import pytest
from django.urls import reverse

from children.models import Claim
from testsupport.factories import ChildFactory, TaskFactory

pytestmark = pytest.mark.django_db

CLAIMS = reverse("admin:children_claim_changelist")


def listed(response) -> list:
    assert response.status_code == 200, response.content[:300]
    return list(response.context["cl"].result_list)


@pytest.fixture
def claims():
    ada = ChildFactory(name="Ada")
    ben = ChildFactory(name="Ben")
    dishes = TaskFactory(name="Dishes", household=ada.household)
    homework = TaskFactory(name="Homework", household=ben.household)
    pending = Claim.objects.create(child=ada, task=dishes, device_id=3)
    approved = Claim.objects.create(
        child=ben, task=homework, status=Claim.Status.APPROVED, points=10
    )
    return pending, approved


def test_claims_are_listed_filtered_and_searched(admin_client, claims):
    pending, approved = claims

    assert listed(admin_client.get(CLAIMS)) == [approved, pending]
    assert listed(admin_client.get(CLAIMS, {"status__exact": "pending"})) == [pending]
    assert listed(admin_client.get(CLAIMS, {"q": "homework"})) == [approved]
    assert listed(admin_client.get(CLAIMS, {"q": pending.child.household.name})) == [pending]


def test_claims_are_read_only(admin_client, claims):
    pending, _ = claims
    change = reverse("admin:children_claim_change", args=[pending.pk])

    assert admin_client.get(reverse("admin:children_claim_add")).status_code == 403
    assert admin_client.post(change, {"status": "approved"}).status_code == 403
    assert admin_client.get(change).status_code == 200
    delete = reverse("admin:children_claim_delete", args=[pending.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == Claim.Status.PENDING
