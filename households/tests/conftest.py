"""Who is signed in, by role: the `parent` fixture owns the household; a guardian and a viewer
join it; a member of another household (`other_parent`) owns their own."""

import pytest

from conftest import client_for
from households.models import Role
from testsupport.factories import MembershipFactory, household_of


@pytest.fixture
def household(parent):
    return household_of(parent)


@pytest.fixture
def guardian(household):
    return MembershipFactory(household=household, role=Role.GUARDIAN).user


@pytest.fixture
def viewer(household):
    return MembershipFactory(household=household, role=Role.VIEWER).user


@pytest.fixture
def guardian_client(guardian):
    return client_for(guardian)


@pytest.fixture
def viewer_client(viewer):
    return client_for(viewer)
