"""Edges of "JSON everywhere, nothing silently ignored"."""

import pytest
from django.urls import reverse

from kernel.api import UNKNOWN_FIELD
from kernel.validation import REPEATED_PARAMETER, UNKNOWN_PARAMETER

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


@pytest.mark.parametrize(
    "query",
    [
        "entity_type=task&entity_type=reward",  # a list's filter: django-filter kept the last
        "entity_type=reward&entity_type=task",
        "limit=1&limit=2",
    ],
)
def test_a_list_refuses_a_parameter_given_twice(parent_client, child, chore, query):
    parent_client.post(
        reverse("child-activate", args=[child.pk]), {"task_id": chore.pk}, format="json"
    )

    response = parent_client.get(f"{reverse('child-tracking', args=[child.pk])}?{query}")

    assert response.status_code == 400
    name = query.split("=")[0]
    assert response.json() == {name: [REPEATED_PARAMETER]}


def test_a_route_that_is_not_a_list_refuses_a_parameter_given_twice(parent_client, child):
    response = parent_client.get(
        f"{reverse('child-overrides', args=[child.pk])}?entity_type=task&entity_type=reward"
    )

    assert response.status_code == 400
    assert response.json() == {"entity_type": [REPEATED_PARAMETER]}


def test_each_parameter_once_is_still_answered(parent_client, child, chore):
    parent_client.post(
        reverse("child-activate", args=[child.pk]), {"task_id": chore.pk}, format="json"
    )

    response = parent_client.get(
        reverse("child-tracking", args=[child.pk]), {"entity_type": "task", "limit": 1}
    )

    assert response.status_code == 200
    assert [row["entity_type"] for row in response.json()["results"]] == ["task"]
