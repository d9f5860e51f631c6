"""The rewards API through APIClient: rewards, reward requests, redeeming and cancelling."""

import pytest
from django.urls import reverse

from children.models import Child
from children.serializers import DOES_NOT_EXIST
from children.services import not_assigned_message
from kernel.api import UNKNOWN_FIELD, UNKNOWN_PARAMETER
from rewards.models import Reward, RewardOverride, RewardRequest
from rewards.services import ALREADY_PENDING, NOT_ENOUGH_POINTS, NOT_PENDING
from testsupport.factories import ChildFactory, RewardFactory, RewardRequestFactory, owner_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
REQUEST_FILTERS = "child_id, limit, offset, status"


@pytest.fixture
def rich_child(parent, reward):
    """A child with 50 points and the 20-point `reward` assigned."""
    child = ChildFactory(owner=parent, points=50)
    child.rewards.add(reward)
    return child


@pytest.fixture
def pending(rich_child, reward):
    return RewardRequestFactory(child=rich_child, reward=reward)


def points_of(child: Child) -> int:
    return Child.objects.get(pk=child.pk).points


def status_of(request: RewardRequest) -> str:
    return RewardRequest.objects.get(pk=request.pk).status


def request_url(request: RewardRequest, action: str) -> str:
    return reverse(f"reward-request-{action}", args=[request.pk])


# --- Rewards -------------------------------------------------------------------------------------


def test_creating_a_reward(parent_client, parent):
    response = parent_client.post(
        reverse("reward-list"), {"name": "Ice cream", "description": "One scoop", "cost": 30}
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["description"], body["cost"]) == ("Ice cream", "One scoop", 30)
    assert owner_of(Reward.objects.get(pk=body["id"])) == parent


def test_rewards_list_shows_only_the_parents_own_rewards(parent_client, reward, other_parent):
    RewardFactory(owner=other_parent)

    response = parent_client.get(reverse("reward-list"))

    assert [row["id"] for row in response.json()["results"]] == [reward.pk]


def test_updating_and_deleting_a_reward(parent_client, reward):
    url = reverse("reward-detail", args=[reward.pk])

    assert parent_client.patch(url, {"cost": 99}).json()["cost"] == 99
    assert parent_client.delete(url).status_code == 204
    assert not Reward.objects.filter(pk=reward.pk).exists()


# --- Request a reward ----------------------------------------------------------------------------


def test_requesting_a_reward_creates_a_pending_request(parent_client, rich_child, reward):
    response = parent_client.post(
        reverse("child-reward-reward-requests", args=[rich_child.pk]), {"reward_id": reward.pk}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["request"]["status"] == "pending"
    assert body["request"]["child_id"] == rich_child.pk
    assert body["request"]["reward_id"] == reward.pk
    assert body["request"]["reward_name"] == reward.name
    assert "tracking_event" in body
    assert RewardRequest.objects.get(pk=body["request"]["id"]).status == "pending"
    assert points_of(rich_child) == 50


def test_requesting_with_too_few_points_is_a_409(parent_client, child, reward):
    response = parent_client.post(
        reverse("child-reward-reward-requests", args=[child.pk]), {"reward_id": reward.pk}
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": NOT_ENOUGH_POINTS.format(child=child.name, points=0, reward=reward.name, cost=20)
    }
    assert not RewardRequest.objects.exists()


def test_requesting_a_reward_already_pending_is_a_409(parent_client, pending, rich_child, reward):
    response = parent_client.post(
        reverse("child-reward-reward-requests", args=[rich_child.pk]), {"reward_id": reward.pk}
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": ALREADY_PENDING.format(child=rich_child.name, reward=reward.name)
    }
    assert RewardRequest.objects.count() == 1


def test_requesting_an_unassigned_reward_is_a_400_naming_reward_and_child(
    parent_client, parent, rich_child
):
    unassigned = RewardFactory(owner=parent)

    response = parent_client.post(
        reverse("child-reward-reward-requests", args=[rich_child.pk]),
        {"reward_id": unassigned.pk},
    )

    assert response.status_code == 400
    assert response.json() == {
        "reward_id": [not_assigned_message(kind="Reward", entity=unassigned, child=rich_child)]
    }


def test_requesting_an_unknown_reward_is_a_400(parent_client, rich_child):
    response = parent_client.post(
        reverse("child-reward-reward-requests", args=[rich_child.pk]), {"reward_id": 999999}
    )

    assert response.status_code == 400
    assert response.json() == {"reward_id": [DOES_NOT_EXIST.format(kind="Reward", id=999999)]}


# --- Direct redeem -------------------------------------------------------------------------------


def test_redeeming_a_reward_directly_takes_its_cost(parent_client, rich_child, reward):
    response = parent_client.post(
        reverse("child-reward-redeem", args=[rich_child.pk]), {"reward_id": reward.pk}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["child"]["points"] == 30
    assert "tracking_event" in body
    assert points_of(rich_child) == 30
    assert not RewardRequest.objects.exists()


def test_redeeming_directly_uses_the_childs_override(parent_client, rich_child, reward):
    RewardOverride.objects.create(child=rich_child, reward=reward, cost=45)

    response = parent_client.post(
        reverse("child-reward-redeem", args=[rich_child.pk]), {"reward_id": reward.pk}
    )

    assert response.json()["child"]["points"] == 5


def test_redeeming_directly_with_too_few_points_is_a_409(parent_client, child, reward):
    response = parent_client.post(
        reverse("child-reward-redeem", args=[child.pk]), {"reward_id": reward.pk}
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": NOT_ENOUGH_POINTS.format(child=child.name, points=0, reward=reward.name, cost=20)
    }


def test_redeeming_an_unassigned_reward_directly_is_a_400(parent_client, parent, rich_child):
    unassigned = RewardFactory(owner=parent)

    response = parent_client.post(
        reverse("child-reward-redeem", args=[rich_child.pk]), {"reward_id": unassigned.pk}
    )

    assert response.status_code == 400
    assert response.json() == {
        "reward_id": [not_assigned_message(kind="Reward", entity=unassigned, child=rich_child)]
    }
    assert points_of(rich_child) == 50


# --- Reward request list -------------------------------------------------------------------------


@pytest.fixture
def requests_of_two_children(parent, reward):
    """Three requests: two of `first` (pending, redeemed) and one of `second` (cancelled)."""
    first, second = ChildFactory(owner=parent), ChildFactory(owner=parent)
    return {
        "first": first,
        "second": second,
        "pending": RewardRequestFactory(child=first, reward=reward),
        "redeemed": RewardRequestFactory(child=first, reward=reward, status="redeemed"),
        "cancelled": RewardRequestFactory(child=second, reward=reward, status="cancelled"),
    }


def listed_ids(client, **params) -> list[int]:
    response = client.get(reverse("reward-request-list"), params)
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def test_reward_request_list_shows_the_parents_requests_oldest_first(
    parent_client, requests_of_two_children, other_parent
):
    RewardRequestFactory(child=ChildFactory(owner=other_parent))
    made = requests_of_two_children

    assert listed_ids(parent_client) == [
        made["pending"].pk,
        made["redeemed"].pk,
        made["cancelled"].pk,
    ]


@pytest.mark.parametrize("status", ["pending", "redeemed", "cancelled"])
def test_reward_request_list_filters_by_status(parent_client, requests_of_two_children, status):
    assert listed_ids(parent_client, status=status) == [requests_of_two_children[status].pk]


def test_reward_request_list_filters_by_child(parent_client, requests_of_two_children):
    made = requests_of_two_children

    assert listed_ids(parent_client, child_id=made["first"].pk) == [
        made["pending"].pk,
        made["redeemed"].pk,
    ]
    assert listed_ids(parent_client, child_id=made["second"].pk, status="cancelled") == [
        made["cancelled"].pk
    ]
    assert listed_ids(parent_client, child_id=made["second"].pk, status="pending") == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("status", "done"),
        ("status", "PENDING"),
        ("child_id", "abc"),
        ("child_id", "0"),
        ("child_id", "-3"),
        ("child_id", "1.5"),
        ("child_id", str(2**63)),
        ("child_id", str(10**30)),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(
    parent_client, requests_of_two_children, name, value
):
    response = parent_client.get(reverse("reward-request-list"), {name: value})

    assert response.status_code == 400
    body = response.json()
    assert list(body) == [name]
    assert body[name][0]


def test_an_unknown_filter_is_a_400_listing_the_allowed_ones(parent_client, pending):
    response = parent_client.get(reverse("reward-request-list"), {"state": "pending"})

    assert response.status_code == 400
    assert response.json() == {"state": [UNKNOWN_PARAMETER.format(allowed=REQUEST_FILTERS)]}


def test_reading_one_reward_request(parent_client, pending):
    response = parent_client.get(reverse("reward-request-detail", args=[pending.pk]))

    assert response.status_code == 200
    assert response.json()["id"] == pending.pk
    assert response.json()["status"] == "pending"


# --- Redeem and cancel a request -----------------------------------------------------------------


def test_redeeming_a_request_takes_the_cost_and_marks_it_redeemed(
    parent_client, pending, rich_child
):
    response = parent_client.post(request_url(pending, "redeem"))

    assert response.status_code == 200
    body = response.json()
    assert body["child"]["points"] == 30
    assert body["request"]["id"] == pending.pk
    assert body["request"]["status"] == "redeemed"
    assert body["request"]["resolved_at"] is not None
    assert "tracking_event" in body
    assert points_of(rich_child) == 30


def test_redeeming_a_request_twice_is_a_409(parent_client, pending, rich_child):
    parent_client.post(request_url(pending, "redeem"))

    response = parent_client.post(request_url(pending, "redeem"))

    assert response.status_code == 409
    assert response.json() == {
        "detail": NOT_PENDING.format(request_id=pending.pk, status="redeemed")
    }
    assert points_of(rich_child) == 30


def test_redeeming_a_request_with_too_few_points_is_a_409_and_it_stays_pending(
    parent_client, parent, reward
):
    child = ChildFactory(owner=parent, points=5)
    child.rewards.add(reward)
    request = RewardRequestFactory(child=child, reward=reward)

    response = parent_client.post(request_url(request, "redeem"))

    assert response.status_code == 409
    assert response.json() == {
        "detail": NOT_ENOUGH_POINTS.format(child=child.name, points=5, reward=reward.name, cost=20)
    }
    detail = parent_client.get(reverse("reward-request-detail", args=[request.pk]))
    assert detail.json()["status"] == "pending"
    assert points_of(child) == 5


def test_cancelling_a_request_marks_it_cancelled(parent_client, pending, rich_child):
    response = parent_client.post(request_url(pending, "cancel"))

    assert response.status_code == 200
    body = response.json()
    assert body["request"]["status"] == "cancelled"
    assert body["request"]["resolved_at"] is not None
    assert "tracking_event" in body
    assert status_of(pending) == "cancelled"
    assert points_of(rich_child) == 50


def test_cancelling_after_redeem_is_a_409_and_changes_nothing(parent_client, pending, rich_child):
    parent_client.post(request_url(pending, "redeem"))

    response = parent_client.post(request_url(pending, "cancel"))

    assert response.status_code == 409
    assert response.json() == {
        "detail": NOT_PENDING.format(request_id=pending.pk, status="redeemed")
    }
    assert status_of(pending) == "redeemed"
    assert points_of(rich_child) == 30


def test_cancelling_twice_is_a_409(parent_client, pending):
    parent_client.post(request_url(pending, "cancel"))

    response = parent_client.post(request_url(pending, "cancel"))

    assert response.status_code == 409
    assert response.json() == {
        "detail": NOT_PENDING.format(request_id=pending.pk, status="cancelled")
    }


def test_redeeming_a_cancelled_request_is_a_409(parent_client, pending, rich_child):
    parent_client.post(request_url(pending, "cancel"))

    response = parent_client.post(request_url(pending, "redeem"))

    assert response.status_code == 409
    assert points_of(rich_child) == 50


@pytest.mark.parametrize("actor", ["child", "parent", "guardian"])
def test_the_body_cannot_say_who_acts_it_is_a_400(parent_client, pending, actor):
    """Who acted comes from the credential (issue 14): the former `actor` field is refused."""
    response = parent_client.post(request_url(pending, "cancel"), {"actor": actor})

    assert response.status_code == 400
    assert response.json() == {"actor": [UNKNOWN_FIELD]}
    assert status_of(pending) == "pending"


def test_cancelling_with_an_unknown_field_is_a_400(parent_client, pending):
    response = parent_client.post(request_url(pending, "cancel"), {"reason": "changed my mind"})

    assert response.status_code == 400
    assert response.json() == {"reason": [UNKNOWN_FIELD]}
    assert status_of(pending) == "pending"
