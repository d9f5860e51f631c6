"""A JSON body with a lone surrogate escape (`"\\ud800"`) is unparsable text: a 400 on every JSON
route, before any view looks at it. Python's decoder accepts it, and an answer repeating it could
not be encoded (a 500), nor could PostgreSQL store it."""

import pytest
from django.urls import reverse

from kernel.parsers import JSON_LONE_SURROGATE
from testsupport.factories import ChildFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

LONE = [
    b'{"\\ud800": 1}',
    b'{"name": "\\ud800"}',
    b'{"name": "ok\\udfffok"}',
    b'{"name": "x", "nested": {"deeper": ["\\ud83d"]}}',
    b'{"task_ids": [1, "\\ude00"]}',
    b'["\\ud800"]',
]


def post(client, url, body, method="post"):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.mark.parametrize("body", LONE, ids=lambda body: body.decode())
def test_a_lone_surrogate_on_the_pairing_route_is_a_400_without_credentials(anon_client, body):
    response = post(anon_client, reverse("device-pair"), body)

    assert response.status_code == 400
    assert response.json() == {"detail": JSON_LONE_SURROGATE}


@pytest.mark.parametrize("body", LONE, ids=lambda body: body.decode())
def test_a_lone_surrogate_is_a_400_on_guardian_write_routes(parent_client, parent, body):
    child = ChildFactory(owner=parent, name="Ann")
    routes = [
        ("post", reverse("child-list")),
        ("patch", reverse("child-detail", args=[child.pk])),
        ("post", reverse("child-activate", args=[child.pk])),
        ("post", reverse("task-list")),
        ("post", reverse("reward-list")),
        ("post", reverse("household-join")),
    ]
    for method, url in routes:
        response = post(parent_client, url, body, method)

        assert response.status_code == 400, (url, response.content[:200])
        assert response.json() == {"detail": JSON_LONE_SURROGATE}
    child.refresh_from_db()
    assert child.name == "Ann"
    assert type(child).objects.count() == 1


def test_a_lone_surrogate_on_sign_in_is_a_400(anon_client):
    body = b'{"username": "\\ud800", "password": "x"}'

    response = post(anon_client, reverse("auth-token"), body)

    assert response.status_code == 400
    assert response.json() == {"detail": JSON_LONE_SURROGATE}


@pytest.mark.parametrize(
    "body",
    [b'{"name": "Sm\\ud83d\\ude00le"}', '{"name": "Sm\U0001f600le"}'.encode()],
    ids=["escaped pair", "raw"],
)
def test_a_character_outside_the_bmp_is_still_text(parent_client, body):
    response = post(parent_client, reverse("child-list"), body)

    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Sm\U0001f600le"
