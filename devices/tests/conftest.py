"""Who is signed in for the devices tests: the household's owner (`parent`), a guardian and a
viewer (households/tests/conftest.py), and a device paired for the family's child."""

import pytest
from rest_framework.test import APIClient

from devices import services
from devices.models import Device
from households.tests.conftest import guardian, guardian_client, household, viewer, viewer_client
from testsupport.factories import ChildFactory

__all__ = ["guardian", "guardian_client", "household", "viewer", "viewer_client"]


def pair(*, children, by, name: str = "Kitchen tablet") -> tuple[Device, str]:
    """A device paired through the services (a code, then its exchange): the device and its
    credential."""
    _, code = services.create_pairing_code(
        household=children[0].household, name=name, children=children, by=by
    )
    return services.pair_device(code=code)


def device_client_for(credential: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {credential}")
    return client


@pytest.fixture
def sibling(parent):
    """A second child of the family, not paired with the device."""
    return ChildFactory(owner=parent)


@pytest.fixture
def paired(child, guardian):
    """A device paired by the guardian for the family's child: (device, credential)."""
    return pair(children=[child], by=guardian)


@pytest.fixture
def device(paired):
    return paired[0]


@pytest.fixture
def device_client(paired):
    return device_client_for(paired[1])
