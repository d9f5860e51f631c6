"""The badges API: owners and guardians define badges, every member reads them and a child's
awards; a device is refused, another household's badge or child is not found; bad input is a
400 that names the field."""

import pytest
from django.urls import reverse

from achievements import serializers as messages
from achievements.models import BadgeAward, BadgeDefinition
from conftest import client_for
from devices.tests.conftest import device_client_for, pair
from households.models import Role
from testsupport.factories import MembershipFactory, PenaltyFactory, TaskFactory
from tracking.models import TrackingEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

LIST = reverse("badge-list")


def detail(definition) -> str:
    return reverse("badge-detail", args=[definition.pk])


@pytest.fixture
def definition(household):
    return BadgeDefinition.objects.create(
        household=household, name="Busy bee", criterion="chore_count", threshold=20
    )


@pytest.fixture
def guardian_client(household):
    return client_for(MembershipFactory(household=household, role=Role.GUARDIAN).user)


@pytest.fixture
def viewer_client(household):
    return client_for(MembershipFactory(household=household, role=Role.VIEWER).user)


def test_a_guardian_defines_a_badge_and_gets_it_back(guardian_client, household, chore):
    response = guardian_client.post(
        LIST,
        {"name": "Dish master", "criterion": "task_count", "task_id": chore.pk, "threshold": 20},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    definition = BadgeDefinition.objects.get(pk=body["id"])
    assert body == {
        "id": definition.pk,
        "key": f"custom_{definition.pk}",
        "name": "Dish master",
        "criterion": "task_count",
        "task_id": chore.pk,
        "threshold": 20,
        "ratio_good": None,
        "ratio_not_good": None,
        "period": "lifetime",
        "description": f"'{chore.name}' done 20 times",
        "created_at": body["created_at"],
    }
    assert definition.household == household


def test_a_new_badge_is_awarded_at_once_to_a_child_who_already_meets_it(
    parent_client, child, chore
):
    from children.services import activate_task

    for _ in range(3):
        activate_task(child=child, task=chore)

    response = parent_client.post(
        LIST, {"name": "Three", "criterion": "chore_count", "threshold": 3}
    )

    key = response.json()["key"]
    award = BadgeAward.objects.get(child=child, badge_key=key)
    event = TrackingEvent.objects.get(pk=award.award_event_id)
    assert (event.entity_type, event.action, event.entity_id) == (
        "badge",
        "awarded",
        response.json()["id"],
    )


def test_every_member_reads_the_badges_and_a_viewer_may_not_write(
    viewer_client, parent_client, definition
):
    assert viewer_client.get(LIST).json()["results"][0]["name"] == "Busy bee"
    assert viewer_client.get(detail(definition)).status_code == 200
    refused = viewer_client.post(LIST, {"name": "X", "criterion": "chore_count", "threshold": 1})
    assert refused.status_code == 403
    assert viewer_client.delete(detail(definition)).status_code == 403
    assert parent_client.get(LIST).json()["count"] == 1


def test_another_households_badge_is_not_found(other_client, definition):
    assert other_client.get(detail(definition)).status_code == 404
    assert other_client.patch(detail(definition), {"name": "Mine"}).status_code == 404
    assert other_client.delete(detail(definition)).status_code == 404
    assert other_client.get(LIST).json()["count"] == 0
    assert BadgeDefinition.objects.filter(pk=definition.pk, name="Busy bee").exists()


def test_a_device_is_refused(child, parent, definition):
    _, credential = pair(children=[child], by=parent)
    device = device_client_for(credential)

    assert device.get(LIST).status_code == 403
    assert device.get(reverse("child-badges", args=[child.pk])).status_code == 403
    assert device.get(reverse("household-week")).status_code == 403


def test_a_badge_may_be_renamed_but_its_criterion_never_changes(parent_client, definition):
    renamed = parent_client.patch(detail(definition), {"name": "Busier bee"})
    changed = parent_client.patch(detail(definition), {"threshold": 5})
    same = parent_client.put(
        detail(definition), {"name": "Bee", "criterion": "chore_count", "threshold": 20}
    )

    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Busier bee"
    assert changed.status_code == 400
    assert changed.json() == {"threshold": [messages.CRITERION_FIXED]}
    assert same.status_code == 200
    definition.refresh_from_db()
    assert (definition.name, definition.threshold) == ("Bee", 20)


def test_deleting_a_badge_keeps_what_it_awarded(parent_client, child, chore):
    from children.services import activate_task

    activate_task(child=child, task=chore)
    created = parent_client.post(LIST, {"name": "One", "criterion": "chore_count", "threshold": 1})

    deleted = parent_client.delete(reverse("badge-detail", args=[created.json()["id"]]))

    assert deleted.status_code == 204
    awards = parent_client.get(reverse("child-badges", args=[child.pk])).json()["results"]
    assert [award["name"] for award in awards] == ["One"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"criterion": "chore_count", "threshold": 3}, {"name": ["This field is required."]}),
        (
            {"name": "X", "criterion": "clean_week", "threshold": 3},
            {"criterion": ['"clean_week" is not a valid choice.']},
        ),
        ({"name": "X", "criterion": "chore_count"}, {"threshold": [messages.THRESHOLD_REQUIRED]}),
        (
            {"name": "X", "criterion": "chore_count", "threshold": 0},
            {"threshold": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"name": "X", "criterion": "chore_count", "threshold": 10**12},
            {"threshold": ["Ensure this value is less than or equal to 1000000."]},
        ),
        (
            {"name": "X", "criterion": "task_count", "threshold": 3},
            {"task_id": [messages.TASK_REQUIRED]},
        ),
        (
            {"name": "X", "criterion": "chore_count", "threshold": 3, "task_id": 1},
            {"task_id": [messages.TASK_NOT_TAKEN]},
        ),
        (
            {"name": "X", "criterion": "week_points", "threshold": 3, "period": "month"},
            {"period": ["A week_points badge takes the period week."]},
        ),
        (
            {"name": "X", "criterion": "good_ratio", "ratio_good": 3},
            {"ratio_not_good": [messages.RATIO_REQUIRED]},
        ),
        (
            {"name": "X", "criterion": "streak_length", "threshold": 7, "ratio_good": 3},
            {"ratio_good": [messages.RATIO_NOT_TAKEN]},
        ),
        (
            {"name": "X", "criterion": "chore_count", "threshold": 3, "points": 5},
            {"points": ["This field cannot be set here."]},
        ),
        (
            {"name": "a\u202eb", "criterion": "chore_count", "threshold": 3},
            {
                "name": [
                    "Must not contain control characters or bidirectional text controls "
                    "(found U+202E)."
                ]
            },
        ),
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_input_is_a_400_that_names_the_field(parent_client, body, errors):
    response = parent_client.post(LIST, body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not BadgeDefinition.objects.exists()


def test_a_task_count_badge_counts_only_a_chore_of_the_household(
    parent, parent_client, other_parent
):
    penalty = PenaltyFactory(owner=parent)
    foreign = TaskFactory(owner=other_parent)

    for task in (penalty, foreign):
        response = parent_client.post(
            LIST, {"name": "X", "criterion": "task_count", "task_id": task.pk, "threshold": 2}
        )
        assert response.status_code == 400
        assert response.json() == {"task_id": [messages.NOT_A_CHORE.format(id=task.pk)]}


def test_a_childs_badges_list_its_awards_with_their_periods_and_events(
    parent_client, viewer_client, other_client, child, chore
):
    from children.services import activate_task

    for _ in range(10):
        activate_task(child=child, task=chore)
    url = reverse("child-badges", args=[child.pk])

    response = viewer_client.get(url)

    award = BadgeAward.objects.get(child=child)
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "badge_key": "chores_10",
            "name": "10 chores",
            "criterion": "chore_count",
            "period": "lifetime",
            "period_start": None,
            "standing": True,
            "awarded_at": response.json()["results"][0]["awarded_at"],
            "award_event_id": award.award_event_id,
            "revoked_at": None,
            "revoke_event_id": None,
        }
    ]
    assert other_client.get(url).status_code == 404
    assert parent_client.get(url + "?status=x").status_code == 400
    assert parent_client.get(reverse("child-badges", args=["abc"])).status_code == 404
