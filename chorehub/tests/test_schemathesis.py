"""Schemathesis against the app's own OpenAPI schema: every operation, as a signed-in parent and as
staff, with generated valid and invalid input. No answer is a 5xx, and every answer is one the
schema documents (status code, content type, body).

The schema is read from `/api/schema/` through the app's WSGI handler, and requests go through that
handler too, in this test's thread and database transaction. Each example runs in a savepoint that
is rolled back, so every example starts from the same family (a deleted child or account does not
leak into the next example).
"""

from types import SimpleNamespace

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from achievements.models import BadgeDefinition
from children.models import TaskOverride
from children.services import activate_task
from rewards.models import RewardOverride
from testsupport.factories import (
    ChildFactory,
    PenaltyFactory,
    RewardFactory,
    RewardRequestFactory,
    TaskFactory,
    UserFactory,
)
from testsupport.tokens import token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application()).exclude(
    # An infinite server-sent event stream: a request never ends. tracking/tests/test_stream.py
    # covers it over a real server.
    method="GET",
    path="/api/events/",
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = settings(
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's


def family_of(user) -> SimpleNamespace:
    """A child with points, a chore and a penalty, two rewards (one with a pending request),
    overrides and a tracking event: enough that every id in the API can resolve and every action
    can succeed."""
    child = ChildFactory(owner=user, points=100)
    chore, penalty = TaskFactory(owner=user), PenaltyFactory(owner=user)
    reward, spare_reward = RewardFactory(owner=user, cost=20), RewardFactory(owner=user, cost=30)
    child.tasks.add(chore, penalty)
    child.rewards.add(reward, spare_reward)
    TaskOverride.objects.create(child=child, task=chore, points=3)
    RewardOverride.objects.create(child=child, reward=reward, cost=7)
    request = RewardRequestFactory(child=child, reward=reward)
    event = activate_task(child=child, task=chore).extras["tracking_event"]
    return SimpleNamespace(
        user=user,
        token=token_for(user),
        child=child,
        chore=chore,
        penalty=penalty,
        reward=reward,
        spare_reward=spare_reward,
        request=request,
        event_id=event["id"],
        badge=BadgeDefinition.objects.create(
            household=child.household, name="Ten chores", criterion="chore_count", threshold=10
        ),
    )


# What a path's `{id}` or `{event_id}` names, by path prefix.
PATH_OBJECTS = {
    "/api/children/": lambda f: f.child.pk,
    "/api/tasks/": lambda f: f.chore.pk,
    "/api/rewards/": lambda f: f.reward.pk,
    "/api/reward-requests/": lambda f: f.request.pk,
    "/api/tracking/": lambda f: f.event_id,
    "/api/badges/": lambda f: f.badge.pk,
}
# Real values that a body or query string field may take instead of the generated one.
REAL_VALUES = {
    "task_id": lambda f: [f.chore.pk, f.penalty.pk],
    "reward_id": lambda f: [f.reward.pk, f.spare_reward.pk],
    "entity_id": lambda f: [f.chore.pk, f.penalty.pk, f.reward.pk],
    "child_id": lambda f: [f.child.pk],
    "user_id": lambda f: [f.user.pk],
    "task_ids": lambda f: [[f.chore.pk, f.penalty.pk], [f.chore.pk]],
    "reward_ids": lambda f: [[f.reward.pk, f.spare_reward.pk]],
    "username": lambda f: [f.user.username],
    "password": lambda f: [PASSWORD],
    "old_password": lambda f: [PASSWORD],
}


@pytest.fixture
def same_connection():
    """Django closes the database connection at the end of each request; the test client turns
    that off, and so must this test, whose requests share its transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The family of the running test, for the hooks below (Hypothesis generates inside the test).
running: dict[str, SimpleNamespace] = {}


def real_or_generated(values: dict) -> st.SearchStrategy:
    family = running.get("family")
    if family is None or not isinstance(values, dict):
        # Schemathesis' coverage phase builds its cases while tests are collected: no family yet.
        return st.just(values)
    return st.fixed_dictionaries(
        {
            name: st.sampled_from([value, *REAL_VALUES[name](family)])
            if name in REAL_VALUES
            else st.just(value)
            for name, value in values.items()
        }
    )


@schema.hook
def flatmap_body(context, body):
    """Let Hypothesis choose, for each id (or credential) in a body, the generated value or a real
    one, so that actions can succeed and not only be refused."""
    return real_or_generated(body)


@schema.hook
def flatmap_query(context, query):
    return real_or_generated(query)


def point_path_at_the_family(case, family: SimpleNamespace) -> None:
    """`{id}` and `{event_id}` name the family's objects: a generated id would only ever be a 404
    (test_bad_input.py and test_ownership.py prove those), never reaching the view's logic."""
    for prefix, real_id in PATH_OBJECTS.items():
        if case.path.startswith(prefix):
            for name in case.path_parameters or {}:
                case.path_parameters[name] = real_id(family)


def call_and_validate(case, family: SimpleNamespace) -> None:
    point_path_at_the_family(case, family)
    with transaction.atomic():
        case.call_and_validate(headers={"Authorization": f"Token {family.token}"}, checks=CHECKS)
        transaction.set_rollback(True)


@pytest.fixture
def parent_family(db, same_connection):
    running["family"] = family_of(UserFactory())
    yield running["family"]
    running.clear()


@pytest.fixture
def staff_family(db, same_connection):
    running["family"] = family_of(UserFactory(is_staff=True))
    yield running["family"]
    running.clear()


@schema.parametrize()
@EXAMPLES
def test_as_a_parent_every_answer_is_documented_and_none_is_a_5xx(case, parent_family):
    call_and_validate(case, parent_family)


@schema.parametrize()
@EXAMPLES
def test_as_staff_every_answer_is_documented_and_none_is_a_5xx(case, staff_family):
    call_and_validate(case, staff_family)
