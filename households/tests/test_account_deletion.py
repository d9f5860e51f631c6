"""Deleting an account in a household (issue 14): tracking rows keep everything but `user_id`;
the household stays while it has other members; the last member's deletion removes it with its
children, tasks and rewards; an owner with other members must transfer ownership first (409)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.services import TRANSFER_FIRST
from children.models import Child, Task
from households.models import Household, Membership
from rewards.models import Reward
from tracking.models import TrackingEvent

pytestmark = pytest.mark.django_db
User = get_user_model()


def activate(client, child, task):
    return client.post(reverse("child-activate", args=[child.pk]), {"task_id": task.pk})


def test_a_guardians_deletion_keeps_the_household_and_anonymizes_their_events(
    guardian, guardian_client, household, child, chore, reward
):
    activate(guardian_client, child, chore)
    before = TrackingEvent.objects.values().get()

    response = guardian_client.delete(reverse("auth-me"))

    assert response.status_code == 204
    assert not User.objects.filter(pk=guardian.pk).exists()
    assert Household.objects.filter(pk=household.pk).exists()
    assert list(Child.objects.all()) == [child]
    assert (Task.objects.count(), Reward.objects.count()) == (1, 1)
    assert TrackingEvent.objects.values().get() == {**before, "user_id": None}


def test_an_owner_with_other_members_must_transfer_ownership_first(
    parent, parent_client, guardian, child
):
    response = parent_client.delete(reverse("auth-me"))

    assert response.status_code == 409
    assert response.json() == {"detail": TRANSFER_FIRST}
    assert User.objects.filter(pk=parent.pk).exists()
    assert Child.objects.filter(pk=child.pk).exists()


def test_the_last_members_deletion_removes_the_household_and_its_children_keeping_history(
    parent, parent_client, household, child, chore, reward, other_parent
):
    activate(parent_client, child, chore)
    before = TrackingEvent.objects.values().get()

    response = parent_client.delete(reverse("auth-me"))

    assert response.status_code == 204
    assert not Household.objects.filter(pk=household.pk).exists()
    assert not Child.objects.exists() and not Task.objects.exists() and not Reward.objects.exists()
    assert TrackingEvent.objects.values().get() == {**before, "user_id": None}
    assert Membership.objects.filter(user=other_parent).exists()


def test_a_viewers_deletion_leaves_the_household_as_it_was(viewer, viewer_client, child):
    response = viewer_client.delete(reverse("auth-me"))

    assert response.status_code == 204
    assert Child.objects.filter(pk=child.pk).exists()
    assert not Membership.objects.filter(user_id=viewer.pk).exists()
