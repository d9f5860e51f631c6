"""Every object belongs to one parent: another parent gets a 404 (never a 403, existence is not
leaked) and changes nothing; an anonymous caller gets a 401 everywhere but the public routes."""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from children.models import Child, Claim, Task, TaskOverride
from children.serializers import DOES_NOT_EXIST, UNKNOWN_IDS
from rewards.models import Reward, RewardOverride, RewardRequest
from testsupport.factories import (
    ChildFactory,
    PenaltyFactory,
    RewardFactory,
    RewardRequestFactory,
    TaskFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
MISSING_ID = 987_654_321
# Route name → the methods that need no credentials (signing out, DELETE auth-token, needs them).
PUBLIC_ROUTES = {
    "auth-register": {"post"},
    "auth-token": {"post"},
    # A tablet exchanges a pairing code for its credential before it has any (issue 14).
    "device-pair": {"post"},
    "schema": {"get"},
    "docs": {"get"},
}


@pytest.fixture
def family(parent):
    """The first parent's family: a child with points, assignments, overrides and a request."""
    child = ChildFactory(owner=parent, points=100)
    chore, penalty = TaskFactory(owner=parent), PenaltyFactory(owner=parent)
    reward = RewardFactory(owner=parent)
    child.tasks.add(chore, penalty)
    child.rewards.add(reward)
    TaskOverride.objects.create(child=child, task=chore, points=3)
    RewardOverride.objects.create(child=child, reward=reward, cost=7)
    request = RewardRequestFactory(child=child, reward=reward)
    return SimpleNamespace(
        child=child, chore=chore, penalty=penalty, reward=reward, request=request
    )


@pytest.fixture
def other_family(other_parent):
    """The second parent's own child, with nothing assigned."""
    return SimpleNamespace(child=ChildFactory(owner=other_parent, points=100))


def database_state() -> dict:
    """Every row of the domain tables, and the row count of every table."""
    domain = [
        Child,
        Task,
        Reward,
        TaskOverride,
        RewardOverride,
        RewardRequest,
        Claim,
        Child.tasks.through,
        Child.rewards.through,
    ]
    return {
        "rows": {model.__name__: list(model.objects.order_by("pk").values()) for model in domain},
        "counts": {
            model._meta.label: model.objects.count()
            for model in apps.get_models(include_auto_created=True)
        },
    }


# (method, route name, object the route is about, body or query built from the first family)
FOREIGN_OBJECT_ROUTES = [
    ("get", "child-detail", "child", None),
    ("put", "child-detail", "child", lambda f: {"name": "Hacked", "age": 1}),
    ("patch", "child-detail", "child", lambda f: {"name": "Hacked"}),
    ("delete", "child-detail", "child", None),
    ("put", "child-tasks", "child", lambda f: {"task_ids": [f.chore.pk]}),
    ("put", "child-rewards", "child", lambda f: {"reward_ids": []}),
    ("get", "child-overrides", "child", None),
    (
        "put",
        "child-overrides",
        "child",
        lambda f: {"entity_type": "task", "entity_id": f.chore.pk, "value": 9},
    ),
    ("delete", "child-overrides", "child", lambda f: f"?entity_type=task&entity_id={f.chore.pk}"),
    ("post", "child-activate", "child", lambda f: {"task_id": f.chore.pk}),
    ("post", "child-reward-reward-requests", "child", lambda f: {"reward_id": f.reward.pk}),
    ("post", "child-reward-redeem", "child", lambda f: {"reward_id": f.reward.pk}),
    ("get", "task-detail", "chore", None),
    ("put", "task-detail", "chore", lambda f: {"name": "Hacked", "points": 1}),
    ("patch", "task-detail", "penalty", lambda f: {"points": 1}),
    ("delete", "task-detail", "penalty", None),
    ("get", "reward-detail", "reward", None),
    ("put", "reward-detail", "reward", lambda f: {"name": "Hacked", "cost": 1}),
    ("patch", "reward-detail", "reward", lambda f: {"cost": 1}),
    ("delete", "reward-detail", "reward", None),
    ("get", "reward-request-detail", "request", None),
    ("post", "reward-request-redeem", "request", None),
    ("post", "reward-request-cancel", "request", None),
]


def call(client, method: str, url: str, payload):
    if isinstance(payload, str):
        return getattr(client, method)(url + payload)
    return getattr(client, method)(url, payload)


@pytest.mark.parametrize(
    ("method", "name", "target", "build"),
    FOREIGN_OBJECT_ROUTES,
    ids=[f"{method.upper()} {name}" for method, name, _, _ in FOREIGN_OBJECT_ROUTES],
)
def test_another_parents_object_is_a_404_like_a_missing_one_and_nothing_changes(
    other_client, family, method, name, target, build
):
    payload = build(family) if build else None
    before = database_state()

    response = call(other_client, method, reverse(name, args=[getattr(family, target).pk]), payload)
    missing = call(other_client, method, reverse(name, args=[MISSING_ID]), payload)

    assert response.status_code == 404
    assert response.json() == missing.json()
    assert database_state() == before


@pytest.mark.parametrize("name", ["child-list", "task-list", "reward-list", "reward-request-list"])
def test_another_parents_objects_are_not_listed(other_client, family, name):
    response = other_client.get(reverse(name))

    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert response.json()["results"] == []


def test_filtering_requests_by_another_parents_child_lists_nothing(other_client, family):
    response = other_client.get(reverse("reward-request-list"), {"child_id": family.child.pk})

    assert response.status_code == 200
    assert response.json()["results"] == []


# --- Ids in the body ----------------------------------------------------------------------------

# (method, route name on the second parent's own child, error field, body from an id, message)
FOREIGN_BODY_IDS = [
    (
        "post",
        "child-activate",
        "chore",
        "task_id",
        lambda pk: {"task_id": pk},
        lambda pk: DOES_NOT_EXIST.format(kind="Task", id=pk),
    ),
    (
        "post",
        "child-activate",
        "penalty",
        "task_id",
        lambda pk: {"task_id": pk},
        lambda pk: DOES_NOT_EXIST.format(kind="Task", id=pk),
    ),
    (
        "post",
        "child-reward-reward-requests",
        "reward",
        "reward_id",
        lambda pk: {"reward_id": pk},
        lambda pk: DOES_NOT_EXIST.format(kind="Reward", id=pk),
    ),
    (
        "post",
        "child-reward-redeem",
        "reward",
        "reward_id",
        lambda pk: {"reward_id": pk},
        lambda pk: DOES_NOT_EXIST.format(kind="Reward", id=pk),
    ),
    (
        "put",
        "child-tasks",
        "chore",
        "task_ids",
        lambda pk: {"task_ids": [pk]},
        lambda pk: UNKNOWN_IDS.format(kind="task", ids=pk),
    ),
    (
        "put",
        "child-rewards",
        "reward",
        "reward_ids",
        lambda pk: {"reward_ids": [pk]},
        lambda pk: UNKNOWN_IDS.format(kind="reward", ids=pk),
    ),
    (
        "put",
        "child-overrides",
        "chore",
        "entity_id",
        lambda pk: {"entity_type": "task", "entity_id": pk, "value": 5},
        lambda pk: DOES_NOT_EXIST.format(kind="Task", id=pk),
    ),
    (
        "put",
        "child-overrides",
        "penalty",
        "entity_id",
        lambda pk: {"entity_type": "penalty", "entity_id": pk, "value": 5},
        lambda pk: DOES_NOT_EXIST.format(kind="Penalty", id=pk),
    ),
    (
        "put",
        "child-overrides",
        "reward",
        "entity_id",
        lambda pk: {"entity_type": "reward", "entity_id": pk, "value": 5},
        lambda pk: DOES_NOT_EXIST.format(kind="Reward", id=pk),
    ),
    (
        "delete",
        "child-overrides",
        "reward",
        "entity_id",
        lambda pk: f"?entity_type=reward&entity_id={pk}",
        lambda pk: DOES_NOT_EXIST.format(kind="Reward", id=pk),
    ),
]


@pytest.mark.parametrize(
    ("method", "name", "target", "field", "build", "message"),
    FOREIGN_BODY_IDS,
    ids=[f"{case[0].upper()} {case[1]} {case[3]}={case[2]}" for case in FOREIGN_BODY_IDS],
)
def test_another_parents_id_in_the_body_is_the_same_400_as_a_missing_id(
    other_client, family, other_family, method, name, target, field, build, message
):
    url = reverse(name, args=[other_family.child.pk])
    foreign_id = getattr(family, target).pk
    before = database_state()

    foreign = call(other_client, method, url, build(foreign_id))
    missing = call(other_client, method, url, build(MISSING_ID))

    assert (foreign.status_code, missing.status_code) == (400, 400)
    assert foreign.json() == {field: [message(foreign_id)]}
    assert missing.json() == {field: [message(MISSING_ID)]}
    assert database_state() == before


# --- Anonymous ----------------------------------------------------------------------------------


def api_routes() -> list[tuple[str, str, list[str]]]:
    """Every named route under /api/: (method, name, the names of its URL arguments), one per
    method its view answers."""
    found: dict[str, tuple[object, list[str]]] = {}

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/") and pattern.name:
                regex = pattern.pattern.regex
                arguments = [name for name in regex.groupindex if name != "format"]
                found.setdefault(pattern.name, (pattern.callback, arguments))

    walk(get_resolver().url_patterns, "")
    routes = []
    for name, (callback, arguments) in sorted(found.items()):
        for method in methods_of(callback):
            if method not in PUBLIC_ROUTES.get(name, ()):
                routes.append((method, name, arguments))
    return routes


def methods_of(callback) -> list[str]:
    ignored = {"options", "head"}
    actions = getattr(callback, "actions", None)
    if actions:
        return sorted(method for method in actions if method not in ignored)
    view_class = getattr(callback, "view_class", None) or callback.cls
    return sorted(
        method
        for method in view_class.http_method_names
        if method not in ignored and hasattr(view_class, method)
    )


API_ROUTES = api_routes()


def test_the_route_walk_finds_the_api():
    names = {name for _, name, _ in API_ROUTES}

    assert {"child-detail", "child-activate", "reward-request-cancel", "auth-me"} <= names


@pytest.mark.parametrize(
    ("method", "name", "arguments"),
    API_ROUTES,
    ids=[f"{method.upper()} {name}" for method, name, _ in API_ROUTES],
)
def test_anonymous_callers_get_a_401(anon_client, family, method, name, arguments):
    url = reverse(name, kwargs={argument: family.child.pk for argument in arguments})
    before = database_state()

    response = getattr(anon_client, method)(url)

    assert response.status_code == 401
    assert database_state() == before


def test_a_bad_token_gets_a_401(family):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert client.get(reverse("child-list")).status_code == 401


@pytest.mark.parametrize(
    ("method", "name", "status"),
    [
        ("post", "auth-register", 400),
        ("post", "auth-token", 400),
        ("get", "schema", 200),
        ("get", "docs", 200),
    ],
)
def test_public_routes_answer_anonymous_callers(anon_client, method, name, status):
    response = getattr(anon_client, method)(reverse(name))

    assert response.status_code == status
