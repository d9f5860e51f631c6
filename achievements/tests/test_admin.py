"""Badges in the admin: the awards (read-only), the households' definitions (a deletion keeps what
was awarded), and the badges on a child's page."""

import pytest
from django.urls import reverse

from achievements.models import BadgeAward, BadgeDefinition
from achievements.services import create_badge_definition
from children.services import activate_task
from tracking.models import TrackingEvent

pytestmark = pytest.mark.django_db

AWARDS = reverse("admin:achievements_badgeaward_changelist")
DEFINITIONS = reverse("admin:achievements_badgedefinition_changelist")


@pytest.fixture
def ten_chores(child, chore):
    for _ in range(10):
        activate_task(child=child, task=chore)
    return BadgeAward.objects.get(child=child, badge_key="chores_10")


def test_the_awards_list_shows_each_award_with_its_child_and_events(admin_client, ten_chores):
    response = admin_client.get(AWARDS)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [ten_chores]
    text = response.content.decode()
    details = reverse("admin:tracking_trackingevent_details", args=[ten_chores.award_event_id])
    assert details in text
    assert ten_chores.child.name in text
    assert admin_client.get(AWARDS, {"q": "chores_10"}).context["cl"].result_count == 1
    assert admin_client.get(AWARDS, {"q": "nobody"}).context["cl"].result_count == 0


def test_awards_are_read_only_in_the_admin(admin_client, ten_chores):
    change = reverse("admin:achievements_badgeaward_change", args=[ten_chores.pk])
    delete = reverse("admin:achievements_badgeaward_delete", args=[ten_chores.pk])

    assert admin_client.get(reverse("admin:achievements_badgeaward_add")).status_code == 403
    assert admin_client.post(change, {"name": "Hacked"}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    ten_chores.refresh_from_db()
    assert ten_chores.name == "10 chores"


def test_the_childs_page_lists_its_badges(admin_client, child, ten_chores):
    page = admin_client.get(reverse("admin:children_child_change", args=[child.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "10 chores" in text
    assert reverse("admin:tracking_trackingevent_details", args=[ten_chores.award_event_id]) in text


def test_deleting_a_definition_in_the_admin_keeps_what_it_awarded(
    admin_client, household, child, chore
):
    activate_task(child=child, task=chore)
    definition = create_badge_definition(
        household=household, name="First", criterion="chore_count", threshold=1
    )

    listed = admin_client.get(DEFINITIONS)
    deleted = admin_client.post(
        reverse("admin:achievements_badgedefinition_delete", args=[definition.pk]), {"post": "yes"}
    )

    assert "1 chores" in listed.content.decode()
    assert deleted.status_code == 302
    assert not BadgeDefinition.objects.exists()
    assert BadgeAward.objects.filter(child=child, badge_key=definition.key).exists()
    assert TrackingEvent.objects.filter(child_id=child.pk, action="awarded").count() == 1
