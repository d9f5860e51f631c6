"""DRF throttles: anonymous callers per address, signed-in callers per user, register and sign-in
per address; over the rate, a 429 with Retry-After, documented on every operation. Rates are set low
here (each test starts with empty counts, see conftest.fresh_throttle_counts)."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from conftest import client_for
from testsupport.asgi_server import BASE_DIR

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's


@pytest.fixture
def rates(settings):
    """`rates(anon=..., ...)`: these throttle rates for the test, the others high."""

    def set_rates(**low: str) -> None:
        high = dict.fromkeys(("anon", "user", "register", "token"), "1000/min")
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**high, **low},
        }

    return set_rates


def assert_throttled(response, period: int = 60) -> None:
    assert response.status_code == 429, response.content
    assert response.json()["detail"].startswith("Request was throttled.")
    assert 1 <= int(response["Retry-After"]) <= period


def anonymous_call(client: APIClient, **headers):
    """A call anyone may make (a refused registration): throttled before it is refused."""
    return client.post(reverse("auth-register"), {}, **headers)


def test_anonymous_callers_are_throttled_per_address(rates):
    rates(anon="3/min")
    here, elsewhere = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")
    for _ in range(3):
        assert anonymous_call(here).status_code == 400

    assert_throttled(anonymous_call(here))
    assert anonymous_call(elsewhere).status_code == 400


def test_a_forwarded_for_header_does_not_make_a_new_anonymous_caller(rates):
    rates(anon="3/min")
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    for n in range(3):
        assert anonymous_call(client, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}").status_code == 400

    assert_throttled(anonymous_call(client, HTTP_X_FORWARDED_FOR="1.2.3.99"))


def test_signed_in_callers_are_throttled_per_user_across_their_tokens(rates, parent, other_parent):
    rates(user="3/min")
    phone, laptop = client_for(parent), client_for(parent)
    for client in (phone, laptop, phone):
        assert client.get(reverse("child-list")).status_code == 200

    assert_throttled(laptop.get(reverse("child-list")))
    assert client_for(other_parent).get(reverse("child-list")).status_code == 200


def test_registering_is_throttled_per_address(rates):
    rates(register="2/hour")
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    for n in range(2):
        body = {"username": f"family{n}", "password": "violet-harbour-lantern-42"}
        assert client.post(reverse("auth-register"), body).status_code == 201

    body = {"username": "family9", "password": "violet-harbour-lantern-42"}
    response = client.post(reverse("auth-register"), body)

    assert_throttled(response, period=3600)
    assert int(response["Retry-After"]) > 3000
    assert APIClient(REMOTE_ADDR="10.0.0.2").post(reverse("auth-register"), body).status_code == 201


def test_signing_in_is_throttled_per_address_even_when_signed_in(rates, parent):
    rates(token="2/min")
    client = client_for(parent)
    client.defaults["REMOTE_ADDR"] = "10.0.0.1"
    body = {"username": parent.username, "password": PASSWORD}
    for _ in range(2):
        assert client.post(reverse("auth-token"), body).status_code == 200

    assert_throttled(client.post(reverse("auth-token"), body))
    assert APIClient(REMOTE_ADDR="10.0.0.2").post(reverse("auth-token"), body).status_code == 200


def test_every_operation_documents_the_429_with_retry_after():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 30
    for path, method, operation in operations:
        too_many = operation["responses"].get("429")
        assert too_many, f"{method.upper()} {path} does not document its 429"
        assert too_many["headers"]["Retry-After"]["required"] is True


def test_the_rates_and_token_lifetime_come_from_the_environment():
    environment = {
        **os.environ,
        "DEBUG": "1",
        "THROTTLE_ANON": "7/min",
        "THROTTLE_USER": "8/hour",
        "THROTTLE_REGISTER": "9/day",
        "THROTTLE_TOKEN": "10/s",
        "TOKEN_TTL_DAYS": "3",
    }
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'].items()), "
        "settings.REST_KNOX['TOKEN_TTL'].days)"
    )

    printed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={**environment, "DJANGO_SETTINGS_MODULE": "chorehub.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    expected = [("anon", "7/min"), ("register", "9/day"), ("token", "10/s"), ("user", "8/hour")]
    assert printed.strip() == f"{expected} 3"
