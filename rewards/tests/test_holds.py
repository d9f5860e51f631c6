"""Holds on pending rewards (issue 14): a pending request holds the cost it was made with, the
child's available points are its points minus what is held, and requests and direct redemptions
must fit in them; cancelling, rejecting or redeeming releases the hold. Service rules first, then
the API and the stream payloads that carry `available_points`."""

import json

import pytest
from django.urls import reverse
from django_eventstream.models import Event as StoredEvent

from children import services as children_services
from children.models import Child
from children.selectors import available_points, children_for
from kernel.errors import StateConflict
from rewards import services
from rewards.models import Reward, RewardRequest
from rewards.services import ALREADY_PENDING, NOT_ENOUGH_AVAILABLE, NOT_ENOUGH_POINTS
from testsupport.factories import (
    ChildFactory,
    PenaltyFactory,
    RewardFactory,
    TaskFactory,
    household_of,
)
from tracking.models import TrackingEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def fresh(child: Child) -> Child:
    return Child.objects.get(pk=child.pk)


def points_and_available(child: Child) -> tuple[int, int]:
    child = fresh(child)
    return child.points, available_points(child)


@pytest.fixture
def kid(parent):
    """A child with 50 points earned through a chore (so the history is tracked)."""
    child = ChildFactory(owner=parent)
    chore = TaskFactory(owner=parent, points=50)
    child.tasks.add(chore)
    children_services.activate_task(child=child, task=chore)
    return fresh(child)


def reward_for(child: Child, cost: int, name: str | None = None) -> Reward:
    reward = RewardFactory(household=child.household, cost=cost, **({"name": name} if name else {}))
    child.rewards.add(reward)
    return reward


def penalize(child: Child, points: int) -> None:
    penalty = PenaltyFactory(household=child.household, points=points)
    child.tasks.add(penalty)
    children_services.activate_task(child=child, task=penalty)


# --- The rules, through the services ---------------------------------------------------------


def test_a_request_holds_its_cost_and_moves_no_points(kid):
    ice = reward_for(kid, 20)

    request = services.request_reward(child=kid, reward=ice).request

    assert (request.cost, request.override_applied) == (20, False)
    assert points_and_available(kid) == (50, 30)


def test_a_request_stores_the_override_cost_it_was_made_with(kid):
    ice = reward_for(kid, 20)
    services.set_override(child=kid, entity=ice, value=35)

    request = services.request_reward(child=kid, reward=ice).request

    assert (request.cost, request.override_applied) == (35, True)
    assert points_and_available(kid) == (50, 15)


def test_a_request_over_the_available_points_is_a_conflict_and_records_nothing(kid):
    movie = reward_for(kid, 30, "Movie")
    ice = reward_for(kid, 25, "Ice cream")
    services.request_reward(child=kid, reward=movie)
    events_before = TrackingEvent.objects.count()

    with pytest.raises(StateConflict) as caught:
        services.request_reward(child=kid, reward=ice)

    assert caught.value.message == NOT_ENOUGH_AVAILABLE.format(
        child=kid.name, available=20, points=50, held=30, reward="Ice cream", cost=25
    )
    assert not RewardRequest.objects.filter(reward=ice).exists()
    assert TrackingEvent.objects.count() == events_before
    assert points_and_available(kid) == (50, 20)


def test_a_request_that_fits_exactly_in_the_available_points_is_taken(kid):
    services.request_reward(child=kid, reward=reward_for(kid, 30))

    services.request_reward(child=kid, reward=reward_for(kid, 20))

    assert points_and_available(kid) == (50, 0)


def test_a_second_request_for_the_same_reward_is_refused_as_already_pending(kid):
    # The duplicate is named first, even though its own hold leaves too few points available.
    movie = reward_for(kid, 40, "Movie")
    services.request_reward(child=kid, reward=movie)

    with pytest.raises(StateConflict) as caught:
        services.request_reward(child=kid, reward=movie)

    assert caught.value.message == ALREADY_PENDING.format(child=kid.name, reward="Movie")


def test_cancelling_a_request_releases_its_hold(kid):
    request = services.request_reward(child=kid, reward=reward_for(kid, 30)).request

    services.cancel_request(request=request, device_id=1)

    assert points_and_available(kid) == (50, 50)


def test_a_parent_rejecting_a_request_releases_its_hold(kid):
    request = services.request_reward(child=kid, reward=reward_for(kid, 30)).request

    services.cancel_request(request=request)

    assert points_and_available(kid) == (50, 50)


def test_redeeming_a_request_charges_its_cost_and_releases_its_hold(kid):
    request = services.request_reward(child=kid, reward=reward_for(kid, 30)).request

    result = services.redeem_request(request=request)

    assert result.child.points == 20
    assert points_and_available(kid) == (20, 20)


def test_a_held_request_is_charged_its_stored_cost_after_the_override_changed(kid):
    ice = reward_for(kid, 20)
    request = services.request_reward(child=kid, reward=ice).request
    services.set_override(child=kid, entity=ice, value=45)

    result = services.redeem_request(request=request)

    assert result.child.points == 30
    event = result.event
    assert (event.delta, event.metadata["value"], event.metadata["override_applied"]) == (
        -20,
        20,
        False,
    )


def test_a_held_request_is_charged_its_stored_cost_after_the_reward_got_cheaper(kid):
    ice = reward_for(kid, 20)
    services.set_override(child=kid, entity=ice, value=30)
    request = services.request_reward(child=kid, reward=ice).request
    services.clear_override(child=kid, entity=ice)
    Reward.objects.filter(pk=ice.pk).update(cost=5)

    result = services.redeem_request(request=request)

    assert result.child.points == 20
    assert result.event.metadata["override_applied"] is True


def test_a_direct_redemption_must_fit_in_the_available_points(kid):
    services.request_reward(child=kid, reward=reward_for(kid, 30, "Movie"))
    ice = reward_for(kid, 25, "Ice cream")

    with pytest.raises(StateConflict) as caught:
        services.redeem_reward(child=kid, reward=ice)

    assert caught.value.message == NOT_ENOUGH_AVAILABLE.format(
        child=kid.name, available=20, points=50, held=30, reward="Ice cream", cost=25
    )
    assert points_and_available(kid) == (50, 20)


def test_a_direct_redemption_may_spend_every_available_point(kid):
    services.request_reward(child=kid, reward=reward_for(kid, 30))

    services.redeem_reward(child=kid, reward=reward_for(kid, 20))

    assert points_and_available(kid) == (30, 0)


def test_without_holds_the_refusal_names_the_points_as_before(kid):
    with pytest.raises(StateConflict) as caught:
        services.request_reward(child=kid, reward=reward_for(kid, 60, "Zoo"))

    assert caught.value.message == NOT_ENOUGH_POINTS.format(
        child=kid.name, points=50, reward="Zoo", cost=60
    )


def test_a_penalty_below_what_is_held_floors_available_points_at_zero(kid):
    request = services.request_reward(child=kid, reward=reward_for(kid, 40, "Bike")).request

    penalize(kid, 30)

    assert points_and_available(kid) == (20, 0)
    with pytest.raises(StateConflict) as caught:
        services.redeem_request(request=request)
    assert caught.value.message == NOT_ENOUGH_POINTS.format(
        child=kid.name, points=20, reward="Bike", cost=40
    )
    assert RewardRequest.objects.get(pk=request.pk).status == RewardRequest.Status.PENDING
    services.cancel_request(request=request)
    assert points_and_available(kid) == (20, 20)


def test_after_a_penalty_held_requests_are_redeemed_while_the_points_cover_each(kid):
    first = services.request_reward(child=kid, reward=reward_for(kid, 20)).request
    second = services.request_reward(child=kid, reward=reward_for(kid, 20)).request
    children_services.adjust_points(child=kid, points=-20, reason="Broke a window")
    assert points_and_available(kid) == (30, 0)

    services.redeem_request(request=first)

    assert points_and_available(kid) == (10, 0)
    with pytest.raises(StateConflict):
        services.redeem_request(request=second)
    assert points_and_available(kid) == (10, 0)


def test_deleting_a_reward_releases_the_holds_of_its_requests(kid):
    bike = reward_for(kid, 40)
    services.request_reward(child=kid, reward=bike)

    bike.delete()

    assert points_and_available(kid) == (50, 50)


def test_children_for_annotates_what_is_held_in_the_list_query(kid, parent):
    services.request_reward(child=kid, reward=reward_for(kid, 15))
    other = ChildFactory(owner=parent, points=7)

    listed = {child.pk: child for child in children_for(parent)}

    assert (listed[kid.pk].held_points, available_points(listed[kid.pk])) == (15, 35)
    assert (listed[other.pk].held_points, available_points(listed[other.pk])) == (0, 7)


# --- The API ----------------------------------------------------------------------------------


def request_url(child: Child) -> str:
    return reverse("child-reward-reward-requests", args=[child.pk])


def test_the_child_api_carries_available_points(parent_client, kid):
    reward = reward_for(kid, 20)
    asked = parent_client.post(request_url(kid), {"reward_id": reward.pk})
    assert asked.status_code == 201, asked.content
    assert asked.json()["request"]["cost"] == 20

    listed = parent_client.get(reverse("child-list")).json()["results"]
    detail = parent_client.get(reverse("child-detail", args=[kid.pk])).json()
    renamed = parent_client.patch(reverse("child-detail", args=[kid.pk]), {"name": "Ada"}).json()

    assert [(c["points"], c["available_points"]) for c in listed] == [(50, 30)]
    assert (detail["points"], detail["available_points"]) == (50, 30)
    assert (renamed["points"], renamed["available_points"]) == (50, 30)


def test_action_responses_carry_available_points(parent, parent_client, kid):
    movie = reward_for(kid, 30)
    ice = reward_for(kid, 5)
    chore = TaskFactory(owner=parent, points=4)
    kid.tasks.add(chore)
    request_id = parent_client.post(request_url(kid), {"reward_id": movie.pk}).json()["request"][
        "id"
    ]

    activated = parent_client.post(reverse("child-activate", args=[kid.pk]), {"task_id": chore.pk})
    adjusted = parent_client.post(
        reverse("child-adjust", args=[kid.pk]), {"points": -4, "reason": "Lost a book"}
    )
    direct = parent_client.post(
        reverse("child-reward-redeem", args=[kid.pk]), {"reward_id": ice.pk}
    )
    redeemed = parent_client.post(reverse("reward-request-redeem", args=[request_id]))

    assert activated.json()["child"]["available_points"] == 24
    assert adjusted.json()["child"]["available_points"] == 20
    assert direct.json()["child"]["available_points"] == 15
    assert (redeemed.json()["child"]["points"], redeemed.json()["child"]["available_points"]) == (
        15,
        15,
    )
    assert redeemed.json()["request"]["cost"] == 30


def test_a_request_over_the_available_points_is_a_409(parent_client, kid):
    movie = reward_for(kid, 30, "Movie")
    ice = reward_for(kid, 25, "Ice cream")
    parent_client.post(request_url(kid), {"reward_id": movie.pk})

    refused = parent_client.post(request_url(kid), {"reward_id": ice.pk})
    direct = parent_client.post(
        reverse("child-reward-redeem", args=[kid.pk]), {"reward_id": ice.pk}
    )

    expected = NOT_ENOUGH_AVAILABLE.format(
        child=kid.name, available=20, points=50, held=30, reward="Ice cream", cost=25
    )
    assert (refused.status_code, refused.json()) == (409, {"detail": expected})
    assert (direct.status_code, direct.json()) == (409, {"detail": expected})


def test_cancelling_through_the_api_releases_the_hold(parent_client, kid):
    movie = reward_for(kid, 30)
    request_id = parent_client.post(request_url(kid), {"reward_id": movie.pk}).json()["request"][
        "id"
    ]

    cancelled = parent_client.post(reverse("reward-request-cancel", args=[request_id]))

    assert cancelled.status_code == 200
    assert cancelled.json()["request"]["cost"] == 30
    detail = parent_client.get(reverse("child-detail", args=[kid.pk])).json()
    assert detail["available_points"] == 50


def test_available_points_cannot_be_set(parent_client, kid):
    response = parent_client.patch(
        reverse("child-detail", args=[kid.pk]), {"available_points": 500}
    )

    assert response.status_code == 400
    assert "available_points" in response.json()


# --- The stream payloads ------------------------------------------------------------------------


def stored_payloads(event_type: str) -> list[dict]:
    """The data of each live event of that type, as the stream serves it (stored in order)."""
    texts = (
        StoredEvent.objects.filter(type=event_type).order_by("eid").values_list("data", flat=True)
    )
    return [json.loads(json.loads(text)) for text in texts]


def test_stream_payloads_carry_available_points(kid):
    movie = reward_for(kid, 30)
    request = services.request_reward(child=kid, reward=movie).request
    penalize(kid, 35)
    children_services.update_child(child=kid, name="Ada")
    services.cancel_request(request=request)

    (requested,) = stored_payloads("reward_requested")
    (penalized,) = [p for p in stored_payloads("task_activated") if p["entity_type"] == "penalty"]
    (changed,) = stored_payloads("child_changed")
    (cancelled,) = stored_payloads("reward_cancelled")
    assert (requested["child"]["points"], requested["child"]["available_points"]) == (50, 20)
    assert (penalized["child"]["points"], penalized["child"]["available_points"]) == (15, 0)
    assert (changed["child"]["points"], changed["child"]["available_points"]) == (15, 0)
    assert (cancelled["child"]["points"], cancelled["child"]["available_points"]) == (15, 15)


def test_a_new_childs_stream_payload_has_all_its_points_available(parent):
    children_services.create_child(household=household_of(parent), name="Bo")

    (created,) = stored_payloads("child_created")
    assert (created["child"]["points"], created["child"]["available_points"]) == (0, 0)


# --- The admin -------------------------------------------------------------------------------------


def test_the_admin_child_list_and_page_show_available_points(admin_client, kid):
    services.request_reward(child=kid, reward=reward_for(kid, 20))

    listing = admin_client.get(reverse("admin:children_child_changelist"))
    page = admin_client.get(reverse("admin:children_child_change", args=[kid.pk]))

    changelist = listing.context["cl"]
    assert "available_points" in changelist.list_display
    (row,) = changelist.result_list
    assert changelist.model_admin.available_points(row) == 30
    assert '<td class="field-available_points">30</td>' in listing.content.decode()
    assert page.status_code == 200
    assert page.context["adminform"].form.instance.held_points == 20
    assert "Available points" in page.content.decode()
