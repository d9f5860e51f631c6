"""Edges of "JSON everywhere, nothing silently ignored"."""

import pytest
from django.urls import reverse

from kernel.api import UNKNOWN_FIELD
from kernel.validation import UNKNOWN_PARAMETER

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_is_a_json_404(parent_client):
    response = parent_client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_token_endpoint_refuses_unknown_query_parameters(anon_client, parent):
    response = anon_client.post(
        f"{reverse('auth-token')}?remember=1",
        {"username": parent.username, "password": "correct-horse-battery"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"remember": [UNKNOWN_PARAMETER.format(allowed="none")]}


def test_a_reversal_refuses_unknown_body_fields(parent_client, child, chore):
    event = parent_client.post(
        reverse("child-activate", args=[child.pk]), {"task_id": chore.pk}, format="json"
    ).json()["tracking_event"]
    response = parent_client.post(
        reverse("event-reverse", args=[event["id"]]),
        {"reason": "oops", "points": 3},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"points": [UNKNOWN_FIELD]}


def test_format_is_not_a_query_parameter_of_lists(parent_client):
    response = parent_client.get(reverse("child-list"), {"format": "json"})
    assert response.status_code == 400
    assert "format" in response.json()
