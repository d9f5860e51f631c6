"""The claims API for guardians: list, read, approve and reject claims; who may do what; the
household's auto-approval setting; Idempotency-Key on an approval."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from children import claims
from children.models import Child, Claim
from conftest import client_for
from households.models import Household, Role
from idempotency.middleware import REPLAYED_HEADER
from kernel.api import UNKNOWN_FIELD
from kernel.principals import DEVICES_MAY_NOT
from testsupport.factories import ChildFactory, MembershipFactory, TaskFactory, household_of
from tracking.models import TrackingEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

DEVICE_ID = 7


@pytest.fixture
def guardian(parent):
    return MembershipFactory(household=household_of(parent), role=Role.GUARDIAN).user


@pytest.fixture
def guardian_client(guardian):
    return client_for(guardian)


@pytest.fixture
def viewer_client(parent):
    return client_for(MembershipFactory(household=household_of(parent), role=Role.VIEWER).user)


@pytest.fixture
def claim(parent, child, chore):
    return claims.claim_task(child=child, task=chore, by=parent, device_id=DEVICE_ID).claim


class PairedDevice:
    """A child device's principal, as the devices app's authentication gives one."""

    is_authenticated = True
    is_anonymous = False
    is_device = True
    pk = id = DEVICE_ID


def approve(client, claim, **extra):
    return client.post(reverse("claim-approve", args=[claim.pk]), format="json", **extra)


def reject(client, claim, **extra):
    return client.post(reverse("claim-reject", args=[claim.pk]), format="json", **extra)


def event_count(child) -> int:
    return TrackingEvent.objects.filter(child_id=child.pk).count()


# --- Reading --------------------------------------------------------------------------------------


def test_the_list_shows_each_claim_with_its_chore_and_value(guardian_client, child, chore, claim):
    response = guardian_client.get(reverse("claim-list"))

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    [shown] = body["results"]
    assert shown == {
        "id": claim.pk,
        "child_id": child.pk,
        "task_id": chore.pk,
        "task_name": chore.name,
        "points": 10,
        "status": "pending",
        "device_id": DEVICE_ID,
        "created_at": shown["created_at"],
        "decided_at": None,
        "decided_by": None,
    }
    assert shown["created_at"].endswith("Z")


def test_the_list_filters_by_status_and_child(parent, guardian, guardian_client, child, claim):
    other_child = ChildFactory(owner=parent)
    other_chore = TaskFactory(owner=parent)
    other_child.tasks.add(other_chore)
    theirs = claims.claim_task(child=other_child, task=other_chore, by=parent).claim
    claims.approve_claim(claim=theirs, by=guardian)
    url = reverse("claim-list")

    def ids(**query) -> list[int]:
        response = guardian_client.get(url, query)
        assert response.status_code == 200, response.content
        return [shown["id"] for shown in response.json()["results"]]

    assert ids() == [claim.pk, theirs.pk]
    assert ids(status="pending") == [claim.pk]
    assert ids(status="approved") == [theirs.pk]
    assert ids(child=other_child.pk) == [theirs.pk]
    assert ids(child_id=child.pk) == [claim.pk]
    assert ids(status="approved", child=child.pk) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "done"}, "status"),
        ({"child": "abc"}, "child"),
        ({"child_id": "1.5"}, "child_id"),
        ({"task": "1"}, "task"),
    ],
)
def test_a_bad_filter_is_a_400_that_names_it(guardian_client, claim, query, field):
    response = guardian_client.get(reverse("claim-list"), query)

    assert response.status_code == 400
    assert field in response.json()


def test_a_claim_reads_alone(guardian_client, claim):
    response = guardian_client.get(reverse("claim-detail", args=[claim.pk]))

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (claim.pk, "pending")


# --- Approving and rejecting ----------------------------------------------------------------------


def test_approving_answers_the_claim_the_child_and_the_event(
    guardian, guardian_client, child, chore, claim
):
    response = approve(guardian_client, claim)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"claim", "child", "tracking_event"}
    assert body["claim"]["status"] == "approved"
    assert body["claim"]["decided_by"] == guardian.pk
    assert body["claim"]["points"] == 10
    assert body["claim"]["decided_at"].endswith("Z")
    assert (body["child"]["id"], body["child"]["points"]) == (child.pk, 10)
    assert body["child"]["available_points"] == 10
    assert body["tracking_event"]["action"] == "activated"
    assert body["tracking_event"]["metadata"]["claim_id"] == claim.pk
    assert body["tracking_event"]["metadata"]["approved_by"] == guardian.pk
    assert Child.objects.get(pk=child.pk).points == 10


def test_rejecting_answers_the_claim_and_a_cancelled_event(guardian_client, child, claim):
    response = reject(guardian_client, claim)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["claim"]["status"] == "rejected"
    assert body["child"]["points"] == 0
    assert (body["tracking_event"]["action"], body["tracking_event"]["delta"]) == ("cancelled", 0)
    assert Claim.objects.get(pk=claim.pk).status == "rejected"


@pytest.mark.parametrize("first", [approve, reject])
@pytest.mark.parametrize("then", [approve, reject])
def test_deciding_a_decided_claim_is_a_409_that_records_nothing(
    guardian_client, parent_client, child, claim, first, then
):
    assert first(guardian_client, claim).status_code == 200
    status, events = Claim.objects.get(pk=claim.pk).status, event_count(child)
    points = Child.objects.get(pk=child.pk).points

    response = then(parent_client, claim)

    assert response.status_code == 409
    assert response.json() == {
        "detail": claims.NOT_PENDING.format(claim_id=claim.pk, status=status)
    }
    assert event_count(child) == events
    assert Claim.objects.get(pk=claim.pk).status == status
    assert Child.objects.get(pk=child.pk).points == points


@pytest.mark.parametrize("decide", [approve, reject])
def test_a_body_field_is_a_400_that_changes_nothing(guardian_client, child, claim, decide):
    response = decide(guardian_client, claim, data={"actor": "guardian"})

    assert response.status_code == 400
    assert response.json() == {"actor": [UNKNOWN_FIELD]}
    assert Claim.objects.get(pk=claim.pk).status == "pending"
    assert event_count(child) == 1


def test_an_unknown_query_parameter_on_an_action_is_a_400(guardian_client, claim):
    response = guardian_client.post(reverse("claim-approve", args=[claim.pk]) + "?force=1")

    assert response.status_code == 400
    assert Claim.objects.get(pk=claim.pk).status == "pending"


def test_the_owner_approves_too(parent, parent_client, claim):
    response = approve(parent_client, claim)

    assert response.status_code == 200
    assert response.json()["claim"]["decided_by"] == parent.pk


# --- Who may ------------------------------------------------------------------------------------


def test_a_viewer_reads_claims(viewer_client, claim):
    assert viewer_client.get(reverse("claim-list")).json()["count"] == 1
    assert viewer_client.get(reverse("claim-detail", args=[claim.pk])).status_code == 200


@pytest.mark.parametrize("decide", [approve, reject])
def test_a_viewer_cannot_decide_a_claim(viewer_client, child, claim, decide):
    response = decide(viewer_client, claim)

    assert response.status_code == 403
    assert Claim.objects.get(pk=claim.pk).status == "pending"
    assert event_count(child) == 1


@pytest.mark.parametrize(
    ("method", "route"),
    [("get", "claim-list"), ("get", "claim-detail"), ("post", "claim-approve")],
)
def test_a_device_gets_a_403_everywhere(child, claim, method, route):
    client = APIClient()
    client.force_authenticate(user=PairedDevice())
    args = [] if route == "claim-list" else [claim.pk]

    response = getattr(client, method)(reverse(route, args=args))

    assert response.status_code == 403
    assert response.json() == {"detail": DEVICES_MAY_NOT}
    assert Claim.objects.get(pk=claim.pk).status == "pending"


@pytest.mark.parametrize("route", ["claim-detail", "claim-approve", "claim-reject"])
def test_another_households_claim_is_a_404_like_a_missing_one(other_client, child, claim, route):
    call = other_client.get if route == "claim-detail" else other_client.post

    foreign = call(reverse(route, args=[claim.pk]))
    missing = call(reverse(route, args=[987_654_321]))

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert Claim.objects.get(pk=claim.pk).status == "pending"
    assert event_count(child) == 1


def test_another_households_claims_are_not_listed(other_client, claim):
    response = other_client.get(reverse("claim-list"))

    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("get", "claim-list"),
        ("get", "claim-detail"),
        ("post", "claim-approve"),
        ("post", "claim-reject"),
    ],
)
def test_anonymous_callers_get_a_401(anon_client, claim, method, route):
    args = [] if route == "claim-list" else [claim.pk]

    response = getattr(anon_client, method)(reverse(route, args=args))

    assert response.status_code == 401
    assert Claim.objects.get(pk=claim.pk).status == "pending"


# --- Idempotency-Key ------------------------------------------------------------------------------


def test_an_approval_replayed_with_its_idempotency_key_answers_the_same_and_records_once(
    guardian_client, child, claim
):
    first = approve(guardian_client, claim, HTTP_IDEMPOTENCY_KEY="approve-claim-1")
    second = approve(guardian_client, claim, HTTP_IDEMPOTENCY_KEY="approve-claim-1")

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert (first[REPLAYED_HEADER], second[REPLAYED_HEADER]) == ("false", "true")
    assert TrackingEvent.objects.filter(child_id=child.pk, action="activated").count() == 1
    assert Child.objects.get(pk=child.pk).points == 10


def test_an_approval_with_a_new_key_after_the_first_is_a_409(guardian_client, claim):
    approve(guardian_client, claim, HTTP_IDEMPOTENCY_KEY="approve-claim-1")

    again = approve(guardian_client, claim, HTTP_IDEMPOTENCY_KEY="approve-claim-2")

    assert again.status_code == 409


# --- The household's setting ----------------------------------------------------------------------


def test_the_owner_turns_auto_approval_on(parent_client, parent, child, chore):
    response = parent_client.patch(
        reverse("household"), {"auto_approve_claims": True}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["auto_approve_claims"] is True
    assert Household.objects.get(pk=household_of(parent).pk).auto_approve_claims is True
    claim = claims.claim_task(child=child, task=chore, by=parent, device_id=DEVICE_ID).claim
    assert Claim.objects.get(pk=claim.pk).status == "approved"


def test_auto_approval_is_off_by_default_and_shown(parent_client):
    assert parent_client.get(reverse("household")).json()["auto_approve_claims"] is False


def test_a_guardian_cannot_turn_auto_approval_on(guardian_client, parent):
    response = guardian_client.patch(
        reverse("household"), {"auto_approve_claims": True}, format="json"
    )

    assert response.status_code == 403
    assert Household.objects.get(pk=household_of(parent).pk).auto_approve_claims is False


def test_auto_approval_must_be_a_boolean(parent_client):
    response = parent_client.patch(
        reverse("household"), {"auto_approve_claims": "sometimes"}, format="json"
    )

    assert response.status_code == 400
    assert "auto_approve_claims" in response.json()
