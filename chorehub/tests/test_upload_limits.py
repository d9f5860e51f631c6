"""Django's upload limits answer JSON under /api/, with DEBUG on or off (issue 13, item 10).

A body over DATA_UPLOAD_MAX_MEMORY_SIZE, or a form with more than DATA_UPLOAD_MAX_NUMBER_FIELDS
fields, used to get Django's HTML page (its technical page with DEBUG), notably when the
Idempotency-Key middleware read the body first. Now a JSON 413 or 400, whoever reads it first.
"""

import json

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from chorehub.urls import BAD_REQUEST
from kernel.body_limit import BODY_TOO_LARGE
from kernel.upload_limits import TOO_MANY_FIELDS

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["DEBUG off", "DEBUG on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def small_uploads(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    return settings


def too_large(settings) -> dict:
    return {"detail": BODY_TOO_LARGE.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}


def too_many_fields(settings) -> dict:
    return {
        "detail": TOO_MANY_FIELDS.format(
            fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            files=settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        )
    }


def assert_json(response, status: int, body: dict) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == body


def test_a_signed_in_post_with_an_idempotency_key_over_the_upload_limit_is_a_json_413(
    debug, small_uploads, parent_client, child
):
    # The Idempotency-Key middleware reads this body before any view.
    response = parent_client.post(
        reverse("child-adjust", args=[child.pk]),
        json.dumps({"points": 1, "reason": "x" * 20_000}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="upload-1",
    )

    assert_json(response, 413, too_large(small_uploads))


def test_an_anonymous_json_post_over_the_upload_limit_is_a_json_413(
    debug, small_uploads, anon_client
):
    response = anon_client.post(
        reverse("auth-register"),
        json.dumps({"username": "maria", "password": "x" * 20_000}),
        content_type="application/json",
    )

    assert_json(response, 413, too_large(small_uploads))


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_token_form_with_too_many_fields_is_a_json_400(debug, settings, anon_client, encoding):
    fields = {"username": "maria", "password": "x"} | {f"f{n}": "1" for n in range(1001)}
    url = reverse("auth-token")

    if encoding == "urlencoded":
        response = anon_client.post(
            url, urlencode(fields), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = anon_client.post(url, fields, format="multipart")

    assert_json(response, 400, too_many_fields(settings))


def test_a_signed_in_form_post_with_too_many_fields_and_a_key_is_a_json_400(
    debug, settings, parent_client, child
):
    fields = {f"f{n}": "1" for n in range(1001)}

    response = parent_client.post(
        reverse("child-adjust", args=[child.pk]),
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        HTTP_IDEMPOTENCY_KEY="form-1",
    )

    assert_json(response, 400, too_many_fields(settings))


def test_a_token_form_over_the_upload_limit_is_a_json_413(debug, small_uploads, anon_client):
    response = anon_client.post(
        reverse("auth-token"),
        urlencode({"username": "maria", "password": "x" * 20_000}),
        content_type="application/x-www-form-urlencoded",
    )

    assert_json(response, 413, too_large(small_uploads))


def test_a_body_within_the_limits_still_works(small_uploads, parent_client, child):
    response = parent_client.post(
        reverse("child-adjust", args=[child.pk]),
        {"points": 3, "reason": "Helped"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="fine-1",
    )

    assert response.status_code == 200, response.content


def test_the_admin_keeps_djangos_own_answer(small_uploads, client):
    response = client.post(
        "/admin/login/",
        urlencode({"username": "x" * 20_000}),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "application/json" not in response["Content-Type"]


def test_a_request_django_refuses_under_api_answers_json_when_debug_is_off(settings, anon_client):
    settings.DEBUG = False

    response = anon_client.get(reverse("auth-me"), HTTP_HOST="not-an-allowed-host.example")

    assert_json(response, 400, {"detail": BAD_REQUEST})
