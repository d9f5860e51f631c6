"""The actions that take no body (who acts comes from the credential) refuse any body field, as
every route with a body does: `actor` above all (docs/domain.md, "Strict input"). An empty body,
or `{}`, is the action itself."""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import reverse

from children.claims import claim_task
from children.models import Claim
from devices.models import Device
from devices.tests.conftest import pair
from households.models import Membership
from households.tests.conftest import guardian, guardian_client, household
from kernel.api import UNKNOWN_FIELD
from rewards.models import RewardRequest
from testsupport.factories import RewardRequestFactory

__all__ = ["guardian", "guardian_client", "household"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


@dataclass(frozen=True)
class Action:
    name: str
    url: Callable[[SimpleNamespace], str]
    unchanged: Callable[[SimpleNamespace], bool]  # the action did not happen
    done: int  # its status when it does

    def __str__(self) -> str:
        return self.name


def pending(model, pk) -> bool:
    return model.objects.get(pk=pk).status == "pending"


ACTIONS = [
    Action(
        "approve a claim",
        lambda f: reverse("claim-approve", args=[f.claim.pk]),
        lambda f: pending(Claim, f.claim.pk),
        200,
    ),
    Action(
        "reject a claim",
        lambda f: reverse("claim-reject", args=[f.claim.pk]),
        lambda f: pending(Claim, f.claim.pk),
        200,
    ),
    Action(
        "cancel a reward request",
        lambda f: reverse("reward-request-cancel", args=[f.request.pk]),
        lambda f: pending(RewardRequest, f.request.pk),
        200,
    ),
    Action(
        "redeem a reward request",
        lambda f: reverse("reward-request-redeem", args=[f.request.pk]),
        lambda f: pending(RewardRequest, f.request.pk),
        200,
    ),
    Action(
        "revoke a device",
        lambda f: reverse("device-revoke", args=[f.device.pk]),
        lambda f: Device.objects.get(pk=f.device.pk).revoked_at is None,
        200,
    ),
    Action(
        "leave the household",
        lambda f: reverse("household-leave"),
        lambda f: Membership.objects.filter(user=f.member).exists(),
        204,
    ),
]


@pytest.fixture
def family(parent, guardian, child, chore, reward):
    child.points = 100
    child.save(update_fields=["points"])
    return SimpleNamespace(
        member=guardian,
        claim=claim_task(child=child, task=chore, by=parent).claim,
        request=RewardRequestFactory(child=child, reward=reward),
        device=pair(children=[child], by=parent)[0],
    )


def client_for(action, parent_client, guardian_client):
    return guardian_client if action.name == "leave the household" else parent_client


@pytest.mark.parametrize("action", ACTIONS, ids=str)
@pytest.mark.parametrize(
    "body, refused",
    [
        ({"actor": "child"}, {"actor": [UNKNOWN_FIELD]}),
        ({"actor": "guardian", "points": 5}, {"actor": [UNKNOWN_FIELD], "points": [UNKNOWN_FIELD]}),
        ({"reason": "x"}, {"reason": [UNKNOWN_FIELD]}),
    ],
    ids=["actor", "two fields", "reason"],
)
def test_a_body_field_is_a_400_and_nothing_happens(
    action, body, refused, family, parent_client, guardian_client
):
    client = client_for(action, parent_client, guardian_client)

    response = client.post(action.url(family), body, format="json")

    assert response.status_code == 400, response.content
    assert response.json() == refused
    assert action.unchanged(family)


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_a_body_that_is_not_an_object_is_a_400(action, family, parent_client, guardian_client):
    client = client_for(action, parent_client, guardian_client)

    response = client.post(action.url(family), [], format="json")

    assert response.status_code == 400, response.content
    assert "non_field_errors" in response.json()
    assert action.unchanged(family)


@pytest.mark.parametrize("action", ACTIONS, ids=str)
@pytest.mark.parametrize("body", [None, {}], ids=["no body", "{}"])
def test_no_body_or_an_empty_object_is_the_action(
    action, body, family, parent_client, guardian_client
):
    client = client_for(action, parent_client, guardian_client)

    response = client.post(action.url(family), body, format="json")

    assert response.status_code == action.done, response.content
    assert not action.unchanged(family)
