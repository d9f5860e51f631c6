"""The admin for rewards and reward requests: lists, filters, search; requests are read-only."""

import pytest
from django.contrib.admin import site
from django.urls import reverse

from rewards.models import Reward, RewardRequest
from rewards.services import delete_reward
from testsupport.factories import RewardFactory, RewardRequestFactory, UserFactory, owner_of

pytestmark = pytest.mark.django_db

REWARDS = reverse("admin:rewards_reward_changelist")
REQUESTS = reverse("admin:rewards_rewardrequest_changelist")


def listed(response) -> list:
    assert response.status_code == 200, response.content[:300]
    return list(response.context["cl"].result_list)


def test_rewards_list_and_search(admin_client):
    ice = RewardFactory(
        name="Ice cream", description="One scoop", owner=UserFactory(username="mum")
    )
    movie = RewardFactory(name="Movie night")

    assert listed(admin_client.get(REWARDS)) == [movie, ice]
    assert listed(admin_client.get(REWARDS, {"q": "scoop"})) == [ice]
    assert listed(admin_client.get(REWARDS, {"q": "mum"})) == [ice]


@pytest.fixture
def requests():
    pending = RewardRequestFactory(child__name="Ada", reward__name="Ice cream")
    redeemed = RewardRequestFactory(
        child__name="Ben", reward__name="Movie night", status=RewardRequest.Status.REDEEMED
    )
    return pending, redeemed


def test_requests_list_filters_by_status_and_searches(admin_client, requests):
    pending, redeemed = requests

    assert listed(admin_client.get(REQUESTS, {"status__exact": "pending"})) == [pending]
    assert listed(admin_client.get(REQUESTS, {"status__exact": "redeemed"})) == [redeemed]
    assert listed(admin_client.get(REQUESTS, {"q": "movie"})) == [redeemed]
    assert listed(admin_client.get(REQUESTS, {"q": "ada"})) == [pending]
    assert owner_of(pending.child).username in admin_client.get(REQUESTS).content.decode()


def test_requests_are_read_only(admin_client, requests):
    pending, _ = requests
    change = reverse("admin:rewards_rewardrequest_change", args=[pending.pk])

    assert admin_client.get(reverse("admin:rewards_rewardrequest_add")).status_code == 403
    assert admin_client.post(change, {"status": "redeemed"}).status_code == 403
    assert admin_client.get(change).status_code == 200  # to read it
    delete = reverse("admin:rewards_rewardrequest_delete", args=[pending.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == RewardRequest.Status.PENDING


def test_requests_list_takes_a_bounded_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    for _ in range(20):
        RewardRequestFactory()

    # Session, user, two counts, the page (children, parents and rewards joined), and the date
    # hierarchy's two: none per row.
    with django_assert_max_num_queries(7):
        assert len(listed(admin_client.get(REQUESTS))) == 20


def test_deleting_a_reward_that_is_already_gone_in_the_admin_is_not_an_error(parent):
    reward = RewardFactory(owner=parent)
    stale = Reward.objects.get(pk=reward.pk)
    delete_reward(reward=Reward.objects.get(pk=reward.pk))  # someone else got there first

    site._registry[Reward].delete_model(request=None, obj=stale)

    assert not Reward.objects.filter(pk=reward.pk).exists()
