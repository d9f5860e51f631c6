"""End to end, committed for real: HTTP actions → tracking rows → audit log lines →
`verify_tracking` agrees, and the tracking endpoint lists the same story."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tracking.models import TrackingEvent
from tracking.tests.recorded import log_lines, serialized_row

pytestmark = pytest.mark.django_db(transaction=True)


def verify() -> str:
    out = StringIO()
    call_command("verify_tracking", stdout=out)
    return out.getvalue()


def test_an_http_activation_is_recorded_logged_and_verified(
    log_dir, parent, parent_client, child, chore
):
    response = parent_client.post(reverse("child-activate", args=[child.pk]), {"task_id": chore.pk})

    assert response.status_code == 200
    event = TrackingEvent.objects.get()
    assert response.json()["tracking_event"] == serialized_row(event.pk)
    [line] = log_lines(log_dir, parent.pk)
    assert line["tracking_event_id"] == event.pk
    assert (line["points_before"], line["points_after"], line["delta"]) == (0, 10, 10)
    output = verify()
    assert "Checked 1 events of 1 children" in output
    assert "All chains hold." in output


def test_a_day_of_actions_tells_one_consistent_story(
    log_dir, parent, parent_client, child, chore, penalty, reward
):
    activate = reverse("child-activate", args=[child.pk])
    for task in (chore, chore, chore, penalty, chore, chore, chore):
        assert parent_client.post(activate, {"task_id": task.pk}).status_code == 200
    created = parent_client.post(
        reverse("child-reward-reward-requests", args=[child.pk]), {"reward_id": reward.pk}
    )
    request_id = created.json()["request"]["id"]
    assert (
        parent_client.post(reverse("reward-request-redeem", args=[request_id])).status_code == 200
    )
    assert (
        parent_client.post(
            reverse("child-reward-redeem", args=[child.pk]), {"reward_id": reward.pk}
        ).status_code
        == 409
    )

    listed = parent_client.get(reverse("child-tracking", args=[child.pk])).json()
    points = parent_client.get(reverse("child-detail", args=[child.pk])).json()["points"]

    assert listed["count"] == 9
    assert [row["action"] for row in listed["results"]][-2:] == ["requested", "redeemed"]
    assert listed["results"][-1]["points_after"] == points == 10
    logged = log_lines(log_dir, parent.pk)
    assert [line["tracking_event_id"] for line in logged] == [
        row["id"] for row in listed["results"]
    ]
    assert "All chains hold." in verify()
