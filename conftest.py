"""Fixtures shared by every app's tests: parents, their clients, and a small family.

Who is signed in is a chain of fixtures: parent → token → parent_client (as in pretix's API tests).
"""

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from chorehub.factories import ChildFactory, PenaltyFactory, RewardFactory, TaskFactory, UserFactory


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` prove database-level guarantees SQLite cannot give; skip them there."""
    if on_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def parent(db):
    return UserFactory()


@pytest.fixture
def other_parent(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True)


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def parent_client(parent) -> APIClient:
    return client_for(parent)


@pytest.fixture
def other_client(other_parent) -> APIClient:
    return client_for(other_parent)


@pytest.fixture
def staff_client(staff_user) -> APIClient:
    return client_for(staff_user)


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def child(parent):
    return ChildFactory(owner=parent)


@pytest.fixture
def chore(parent, child):
    task = TaskFactory(owner=parent, points=10)
    child.tasks.add(task)
    return task


@pytest.fixture
def penalty(parent, child):
    task = PenaltyFactory(owner=parent, points=30)
    child.tasks.add(task)
    return task


@pytest.fixture
def reward(parent, child):
    item = RewardFactory(owner=parent, cost=20)
    child.rewards.add(item)
    return item
