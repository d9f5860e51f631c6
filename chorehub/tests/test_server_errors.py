"""An unhandled error under /api/ answers JSON, as the rest of the API does; elsewhere Django's own
page (DEBUG off, as in production)."""

import pytest
from django.test import Client
from django.urls import path

from chorehub import urls as chorehub_urls
from chorehub.urls import SERVER_ERROR


def fails(request):
    raise RuntimeError("a bug")


# This module is the URLconf of its tests: the project's error handler, and a view that raises.
urlpatterns = [path("api/fails/", fails), path("fails/", fails)]
handler500 = chorehub_urls.handler500


@pytest.fixture
def production(settings):
    settings.DEBUG = False


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.urls(__name__)
def test_an_unhandled_error_under_api_is_a_json_500(production, client):
    response = client.get("/api/fails/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": SERVER_ERROR}


@pytest.mark.urls(__name__)
def test_an_unhandled_error_elsewhere_keeps_djangos_page(production, client):
    response = client.get("/fails/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
