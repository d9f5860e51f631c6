"""Whatever a client sends, the answer is a 4xx with a message, never a 500, and nothing changes.

Each case is one bad value in one place (path, query string or body) of one route.
"""

import json
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import reverse

from kernel.parsers import JSON_TOO_DEEP
from testsupport.factories import (
    ChildFactory,
    PenaltyFactory,
    RewardFactory,
    RewardRequestFactory,
    TaskFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
MISSING_ID = 987_654_321
HUGE = 10**30
BIGINT_OVERFLOW = 2**63


class Raw(bytes):
    """A body sent exactly as given, labelled as JSON."""


@dataclass(frozen=True)
class Case:
    method: str
    route: str
    path: str | None = None  # a family attribute ("child", "request", ...) or a literal argument
    payload: object = None  # JSON-able body, a Raw body, or a "?query" string
    content_type: str = "application/json"

    def __str__(self) -> str:
        if isinstance(self.payload, Raw):
            shown = "raw:" + bytes(self.payload[:30]).decode("utf-8", "backslashreplace")
        else:
            shown = json.dumps(self.payload)[:50] if self.payload is not None else ""
        path = self.path if self.path is None or len(self.path) < 25 else self.path[:20] + "..."
        return f"{self.method.upper()} {self.route}[{path}] {shown}".strip()


@pytest.fixture
def family(parent):
    child = ChildFactory(owner=parent, points=100)
    chore, penalty = TaskFactory(owner=parent), PenaltyFactory(owner=parent)
    reward = RewardFactory(owner=parent)
    child.tasks.add(chore, penalty)
    child.rewards.add(reward)
    request = RewardRequestFactory(child=child, reward=reward)
    return SimpleNamespace(
        child=child, chore=chore, penalty=penalty, reward=reward, request=request
    )


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models(include_auto_created=True)
    }


def messages_in(body) -> list[str]:
    """Every non-empty string in an error body, however nested."""
    if isinstance(body, str):
        return [body] if body.strip() else []
    if isinstance(body, dict):
        body = list(body.values())
    if isinstance(body, list):
        return [message for item in body for message in messages_in(item)]
    return []


# --- Bodies that are not a JSON object at all ---------------------------------------------------

NOT_AN_OBJECT = [
    Raw(b"{not json"),
    Raw(b'{"name": "unterminated'),
    Raw(b"[" * 100_000),
    Raw(b'{"a": NaN}'),
    Raw(b"\xff\xfe\x00"),
    Raw(b"null"),
    Raw(b'"a string"'),
    Raw(b"42"),
    [],
    [{"name": "in a list"}],
]

# Routes that read a JSON object body: (method, route, path).
BODY_ROUTES = [
    ("post", "auth-register", None),
    ("post", "auth-token", None),
    ("post", "child-list", None),
    ("put", "child-detail", "child"),
    ("patch", "child-detail", "child"),
    ("put", "child-tasks", "child"),
    ("put", "child-rewards", "child"),
    ("put", "child-overrides", "child"),
    ("delete", "child-overrides", "child"),
    ("post", "child-activate", "child"),
    ("post", "child-reward-reward-requests", "child"),
    ("post", "child-reward-redeem", "child"),
    ("post", "task-list", None),
    ("patch", "task-detail", "chore"),
    ("post", "reward-list", None),
    ("patch", "reward-detail", "reward"),
    ("post", "reward-request-cancel", "request"),
]

MALFORMED_BODIES = [
    Case(method, route, path, payload)
    for method, route, path in BODY_ROUTES
    for payload in NOT_AN_OBJECT
]

WRONG_CONTENT_TYPE = [
    Case("post", "child-list", None, Raw(b"name=Alice"), "application/x-www-form-urlencoded"),
    Case("post", "child-list", None, Raw(b"Alice"), "text/plain"),
    Case("post", "child-activate", "child", Raw(b'{"task_id": 1}'), "application/xml"),
]

# --- One bad field at a time --------------------------------------------------------------------

BAD_IDS = [None, "", "abc", "1e3", 1.5, 0, -1, True, [1], {"id": 1}, HUGE, BIGINT_OVERFLOW]
BAD_POSITIVE_INTS = [None, "", "ten", 1.5, -1, 0, True, [1], HUGE, BIGINT_OVERFLOW]
BAD_NAMES = [None, "", "   ", "\x00", "a\x00b", True, ["Alice"], {"first": "Alice"}]

FIELD_CASES = [
    # Accounts
    Case("post", "auth-register", None, {"password": "violet-harbour-lantern-42"}),
    Case("post", "auth-register", None, {"username": "maria"}),
    *[
        Case("post", "auth-register", None, {"username": bad, "password": "violet-harbour-42"})
        for bad in [None, "", "bad name!", "x" * 151, "a\x00b", ["maria"]]
    ],
    *[
        Case("post", "auth-register", None, {"username": "maria", "password": bad})
        for bad in [None, "", "x" * 129, "a\x00bcdefghijk", ["violet-harbour-42"]]
    ],
    *[
        Case(
            "post",
            "auth-register",
            None,
            {"username": "maria", "password": "violet-harbour-42", "email": bad},
        )
        for bad in [None, "nope", 5, "a\x00@example.com"]
    ],
    Case("post", "auth-token", None, {}),
    Case("post", "auth-token", None, {"username": "nobody"}),
    Case("post", "auth-token", None, {"username": ["a"], "password": "x"}),
    Case("post", "auth-token", None, {"username": "a\x00", "password": "x"}),
    # Children
    Case("post", "child-list", None, {}),
    Case("put", "child-detail", "child", {"age": 3}),
    *[Case("post", "child-list", None, {"name": bad}) for bad in [*BAD_NAMES, "x" * 65]],
    *[Case("patch", "child-detail", "child", {"name": bad}) for bad in [*BAD_NAMES, "x" * 65]],
    *[
        Case("post", "child-list", None, {"name": "Alice", "age": bad})
        for bad in ["abc", -1, 121, 1.5, HUGE, BIGINT_OVERFLOW, [9], True]
    ],
    *[
        Case("patch", "child-detail", "child", {field: value})
        for field, value in [
            ("points", 5),
            ("points", HUGE),
            ("id", 5),
            ("owner", 1),
            ("task_ids", [1]),
            ("created_at", "2020-01-01T00:00:00Z"),
        ]
    ],
    # Tasks
    Case("post", "task-list", None, {"name": "Dishes"}),
    Case("post", "task-list", None, {"points": 5}),
    *[
        Case("post", "task-list", None, {"name": "Dishes", "points": bad})
        for bad in [*BAD_POSITIVE_INTS, 10_001]
    ],
    *[
        Case("post", "task-list", None, {"name": bad, "points": 5})
        for bad in [*BAD_NAMES, "x" * 101]
    ],
    *[
        Case("post", "task-list", None, {"name": "Dishes", "points": 5, "is_good": bad})
        for bad in ["maybe", [True], {"yes": 1}, 2]
    ],
    Case("post", "task-list", None, {"name": "Dishes", "points": 5, "entity_type": "penalty"}),
    *[Case("patch", "task-detail", "chore", {"points": bad}) for bad in [0, 10_001, HUGE, "x"]],
    # Rewards
    Case("post", "reward-list", None, {"name": "Ice cream"}),
    *[
        Case("post", "reward-list", None, {"name": "Ice cream", "cost": bad})
        for bad in [*BAD_POSITIVE_INTS, 100_001]
    ],
    *[
        Case("post", "reward-list", None, {"name": bad, "cost": 5})
        for bad in [*BAD_NAMES, "x" * 101]
    ],
    *[
        Case("post", "reward-list", None, {"name": "Ice cream", "cost": 5, "description": bad})
        for bad in [None, "x" * 1001, "a\x00b", ["one scoop"]]
    ],
    *[Case("patch", "reward-detail", "reward", {"cost": bad}) for bad in [0, 100_001, HUGE, "x"]],
    # Assignments
    *[
        Case("put", "child-tasks", "child", payload)
        for payload in [
            {},
            {"task_ids": None},
            {"task_ids": "1"},
            {"task_ids": 1},
            {"task_ids": {"1": 1}},
            {"task_ids": [[1]]},
            {"task_ids": [MISSING_ID]},
            {"task_ids": list(range(1, 1002))},
            {"task_ids": [], "reward_ids": []},
            *[{"task_ids": [bad]} for bad in BAD_IDS if not isinstance(bad, list)],
        ]
    ],
    *[
        Case("put", "child-rewards", "child", payload)
        for payload in [
            {},
            {"reward_ids": "1"},
            {"reward_ids": [MISSING_ID]},
            {"reward_ids": ["abc"]},
            {"reward_ids": [-1]},
            {"reward_ids": [HUGE]},
            {"reward_ids": [BIGINT_OVERFLOW]},
        ]
    ],
    # Overrides
    *[
        Case("put", "child-overrides", "child", payload)
        for payload in [
            {},
            {"entity_type": "task", "entity_id": MISSING_ID, "value": 5},
            {"entity_type": "task", "value": 5},
            {"entity_id": 1, "value": 5},
            *[
                {"entity_type": bad, "entity_id": 1, "value": 5}
                for bad in [None, "", "chore", "TASK", 1, ["task"]]
            ],
            *[{"entity_type": "task", "entity_id": bad, "value": 5} for bad in BAD_IDS],
            *[
                {"entity_type": "reward", "entity_id": 1, "value": bad}
                for bad in [*BAD_POSITIVE_INTS, 100_001]
            ],
            {"entity_type": "task", "entity_id": 1},
            {"entity_type": "task", "entity_id": 1, "value": 5, "points": 5},
        ]
    ],
    *[
        Case("delete", "child-overrides", "child", query)
        for query in [
            "?entity_type=task",
            "?entity_type=task&entity_id=abc",
            "?entity_type=task&entity_id=-1",
            "?entity_type=task&entity_id=1.5",
            f"?entity_type=task&entity_id={HUGE}",
            f"?entity_type=task&entity_id={BIGINT_OVERFLOW}",
            "?entity_type=chore&entity_id=1",
            "?entity_type=task&entity_id=1&value=5",
        ]
    ],
    Case("delete", "child-overrides", "child", {"entity_type": "task"}),
    Case("delete", "child-overrides", "child", {"entity_type": "task", "entity_id": "x"}),
    # Actions
    *[Case("post", "child-activate", "child", {"task_id": bad}) for bad in [*BAD_IDS, MISSING_ID]],
    Case("post", "child-activate", "child", {}),
    Case("post", "child-activate", "child", {"task_id": 1, "points": 1000}),
    *[
        Case("post", route, "child", {"reward_id": bad})
        for route in ["child-reward-reward-requests", "child-reward-redeem"]
        for bad in [*BAD_IDS, MISSING_ID]
    ],
    Case("post", "child-reward-reward-requests", "child", {}),
    Case("post", "child-reward-redeem", "child", {"reward_id": 1, "cost": 0}),
    *[
        Case("post", "reward-request-cancel", "request", {"actor": value})
        for value in [None, "", "robot", "parent", "child", "guardian", 1, ["child"]]
    ],
    Case("post", "reward-request-cancel", "request", {"reason": "changed my mind"}),
]

# --- Path arguments ------------------------------------------------------------------------------

BAD_PATH_IDS = ["abc", "0", "-1", "1e3", "\x00", str(BIGINT_OVERFLOW), str(HUGE), "9" * 5000]

PATH_CASES = [
    Case(method, route, bad, payload)
    for method, route, payload in [
        ("get", "child-detail", None),
        ("patch", "child-detail", {"name": "X"}),
        ("delete", "child-detail", None),
        ("post", "child-activate", {"task_id": 1}),
        ("get", "child-overrides", None),
        ("post", "child-reward-redeem", {"reward_id": 1}),
        ("get", "task-detail", None),
        ("delete", "reward-detail", None),
        ("get", "reward-request-detail", None),
        ("post", "reward-request-redeem", None),
        ("post", "reward-request-cancel", {}),
    ]
    for bad in BAD_PATH_IDS
]

# --- Query strings -------------------------------------------------------------------------------

QUERY_CASES = [
    *[
        Case("get", route, None, query)
        for route in ["child-list", "task-list", "reward-list", "reward-request-list"]
        for query in [
            "?limit=abc",
            "?limit=0",
            "?limit=-5",
            "?limit=1.5",
            "?limit=" + "9" * 5000,
            "?offset=abc",
            "?offset=-1",
            f"?offset={HUGE}",
            "?offset=%00",
            "?unknown=1",
            "?limit=10&sort=name",
        ]
    ],
    *[
        Case("get", "reward-request-list", None, query)
        for query in [
            "?status=done",
            "?status=%00",
            "?child_id=abc",
            "?child_id=0",
            "?child_id=-1",
            "?child_id=1.5",
            f"?child_id={BIGINT_OVERFLOW}",
            f"?child_id={HUGE}",
            "?child_id=" + "9" * 5000,
        ]
    ],
    Case("get", "child-overrides", "child", "?limit=abc"),
    Case("get", "child-overrides", "child", "?offset=-1"),
]

CASES = [*MALFORMED_BODIES, *WRONG_CONTENT_TYPE, *FIELD_CASES, *PATH_CASES, *QUERY_CASES]


def send(client, family, case: Case):
    if case.path is None:
        url = reverse(case.route)
    else:
        target = getattr(family, case.path, None)
        url = reverse(case.route, args=[target.pk if target is not None else case.path])
    do = getattr(client, case.method)
    if isinstance(case.payload, str):
        return do(url + case.payload)
    if isinstance(case.payload, Raw):
        return do(url, bytes(case.payload), content_type=case.content_type)
    if case.payload is None:
        return do(url)
    return do(url, json.dumps(case.payload), content_type=case.content_type)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_is_a_4xx_with_a_message_and_changes_nothing(parent_client, family, case):
    before = row_counts()
    points_before = type(family.child).objects.get(pk=family.child.pk).points

    response = send(parent_client, family, case)

    assert 400 <= response.status_code < 500, response.content[:300]
    assert messages_in(response.json())
    assert row_counts() == before
    assert type(family.child).objects.get(pk=family.child.pk).points == points_before


def test_json_nested_too_deeply_is_a_400_and_not_a_500(parent_client, family):
    response = parent_client.post(
        reverse("child-activate", args=[family.child.pk]),
        b"[" * 100_000,
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"detail": JSON_TOO_DEEP}


def test_json_nested_too_deeply_on_the_token_endpoint_is_a_400(anon_client):
    response = anon_client.post(
        reverse("auth-token"), b'{"username":' * 100_000, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": JSON_TOO_DEEP}
