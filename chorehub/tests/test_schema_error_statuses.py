"""The OpenAPI schema names the 403 every operation needing credentials can answer (a device on
an account route, an account on a device route, a viewer's write) and the 413 of the body cap on
every write, body-less ones included: clients and Schemathesis expect no undocumented status."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from devices.tests.conftest import device, device_client, guardian, household, paired

__all__ = ["device", "device_client", "guardian", "household", "paired"]

WRITES = {"post", "put", "patch", "delete"}
ANONYMOUS = {
    ("post", "/api/auth/register/"),
    ("post", "/api/auth/token/"),
    ("post", "/api/devices/pair/"),
}
# Both an account and a device may open the stream; its 403 is for another user's channel.
EITHER = {("get", "/api/events/")}


@pytest.fixture(scope="module")
def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method, path, operation)
        for path, path_item in schema["paths"].items()
        for method, operation in path_item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


def test_every_write_documents_the_413_body_less_ones_too(operations):
    writes = [(method, path, op) for method, path, op in operations if method in WRITES]

    assert ("post", "/api/household/leave/") in {(method, path) for method, path, _ in writes}
    missing = [(method, path) for method, path, op in writes if "413" not in op["responses"]]
    assert missing == []


def test_every_operation_needing_credentials_documents_the_403(operations):
    missing = [
        (method, path)
        for method, path, op in operations
        if (method, path) not in ANONYMOUS and "403" not in op["responses"]
    ]
    anonymous_with_403 = [
        (method, path)
        for method, path, op in operations
        if (method, path) in ANONYMOUS and "403" in op["responses"]
    ]

    assert missing == []
    assert anonymous_with_403 == []


def concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", "1", path)


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_password_hasher")
def test_the_documented_403_is_what_a_device_or_an_account_gets(
    operations, device_client, parent_client
):
    """Every account operation refuses a paired device, every device operation an account (the
    stream, open to both, aside)."""
    answers = {}
    for method, path, _ in operations:
        if (method, path) in ANONYMOUS | EITHER:
            continue
        client = parent_client if path.startswith("/api/device/") else device_client
        response = getattr(client, method)(concrete(path), {}, format="json")
        answers[(method, path)] = response.status_code

    assert answers
    assert {key: status for key, status in answers.items() if status != 403} == {}
