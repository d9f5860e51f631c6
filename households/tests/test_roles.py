"""Households and roles (issue 14): registering makes a household, members share it, a viewer
only reads, the acting account is who the history records, another household's rows are a 404."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from children.models import Child
from conftest import client_for
from households.models import Household, Membership, Role, validate_time_zone
from households.permissions import READ_ONLY_ROLE
from testsupport.factories import ChildFactory, UserFactory
from tracking.models import TrackingEvent

pytestmark = pytest.mark.django_db


def activate(client, child, task):
    return client.post(reverse("child-activate", args=[child.pk]), {"task_id": task.pk})


def test_registering_creates_a_household_owned_by_the_new_user(anon_client):
    response = anon_client.post(
        reverse("auth-register"),
        {"username": "mum", "password": "correct-horse-battery"},
        format="json",
    )

    assert response.status_code == 201
    membership = Membership.objects.select_related("household").get(user__username="mum")
    assert membership.role == Role.OWNER
    assert (membership.household.name, membership.household.time_zone) == ("mum's family", "UTC")


def test_a_time_zone_must_be_an_iana_name():
    validate_time_zone("Europe/Paris")
    validate_time_zone("UTC")
    with pytest.raises(ValidationError):
        validate_time_zone("Mars/Olympus")
    with pytest.raises(ValidationError):  # the server's own zone, as Debian's zoneinfo lists it
        validate_time_zone("localtime")


def test_a_guardian_sees_the_households_children_and_acts_as_themself(
    guardian, guardian_client, child, chore
):
    listed = guardian_client.get(reverse("child-list")).json()["results"]
    response = activate(guardian_client, child, chore)

    assert [row["id"] for row in listed] == [child.pk]
    assert response.status_code == 200
    assert TrackingEvent.objects.get().user_id == guardian.pk


def test_a_guardian_adds_a_child_to_the_household(guardian_client, household):
    response = guardian_client.post(reverse("child-list"), {"name": "Cleo"}, format="json")

    assert response.status_code == 201
    assert Child.objects.get(pk=response.json()["id"]).household == household


def test_an_owners_action_records_the_owner(parent, parent_client, child, chore):
    activate(parent_client, child, chore)

    assert TrackingEvent.objects.get().user_id == parent.pk


def test_a_viewer_reads_the_households_children_and_history(viewer_client, child, chore):
    children = viewer_client.get(reverse("child-list"))
    history = viewer_client.get(reverse("child-tracking", args=[child.pk]))

    assert children.status_code == history.status_code == 200
    assert [row["id"] for row in children.json()["results"]] == [child.pk]


@pytest.mark.parametrize(
    "method, route, body",
    [
        ("post", ("child-list", []), {"name": "Cleo"}),
        ("patch", ("child-detail", ["child"]), {"name": "Renamed"}),
        ("delete", ("child-detail", ["child"]), None),
        ("post", ("child-activate", ["child"]), {"task_id": "chore"}),
        ("post", ("child-adjust", ["child"]), {"points": 5, "reason": "Birthday"}),
        ("put", ("child-tasks", ["child"]), {"task_ids": []}),
        ("post", ("child-reward-redeem", ["child"]), {"reward_id": "reward"}),
        ("post", ("task-list", []), {"name": "Dishes", "points": 5}),
        ("delete", ("reward-detail", ["reward"]), None),
    ],
)
def test_every_write_of_a_viewer_is_a_403_and_changes_nothing(
    viewer_client, child, chore, reward, method, route, body
):
    objects = {"child": child.pk, "chore": chore.pk, "reward": reward.pk}
    name, args = route
    url = reverse(name, args=[objects[arg] for arg in args])
    if body:
        body = {
            key: objects.get(value, value) if isinstance(value, str) else value
            for key, value in body.items()
        }
    child.points = 100
    child.save()
    name_before = child.name

    response = getattr(viewer_client, method)(url, body, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": READ_ONLY_ROLE}
    child.refresh_from_db()
    assert (child.name, child.points) == (name_before, 100)
    assert not TrackingEvent.objects.exists()


def test_a_viewer_cannot_reverse_an_event(parent_client, viewer_client, child, chore):
    event_id = activate(parent_client, child, chore).json()["tracking_event"]["id"]

    response = viewer_client.post(
        reverse("event-reverse", args=[event_id]), {"reason": "Oops"}, format="json"
    )

    assert response.status_code == 403
    assert TrackingEvent.objects.count() == 1


def test_a_guardian_reverses_an_event_the_owner_recorded(
    guardian, parent_client, guardian_client, child, chore
):
    event_id = activate(parent_client, child, chore).json()["tracking_event"]["id"]

    response = guardian_client.post(
        reverse("event-reverse", args=[event_id]), {"reason": "Oops"}, format="json"
    )

    assert response.status_code == 200
    assert TrackingEvent.objects.get(reverses=event_id).user_id == guardian.pk


def test_another_households_child_is_a_404_for_every_member(
    other_client, guardian_client, viewer_client, other_parent
):
    foreign = ChildFactory(owner=other_parent)

    for client in (guardian_client, viewer_client):
        assert client.get(reverse("child-detail", args=[foreign.pk])).status_code == 404
    assert other_client.get(reverse("child-detail", args=[foreign.pk])).status_code == 200


def test_a_user_in_no_household_gets_one_on_their_first_write(db):
    loner = UserFactory(household=False)
    client = client_for(loner)

    assert client.get(reverse("child-list")).json()["results"] == []
    response = client.post(reverse("child-list"), {"name": "Cleo"}, format="json")

    assert response.status_code == 201
    assert Membership.objects.get(user=loner).role == Role.OWNER
    assert Household.objects.get().children.get().name == "Cleo"
