"""Faults, where the tests that exist leave a gap: every kind of action, over HTTP, on a real server.

What exists already, for one action each:
- Redis unreachable with REDIS_URL set: tracking/tests/test_stream_redis.py activates a chore on a
  real server; it succeeds, its points and its event row are kept, the server logs the lost message.
- The log directory not writable: tracking/tests/test_audit_log.py activates a chore in process;
  it succeeds, its event row is kept, the lost line is logged at ERROR (caplog).
- The tracking insert failing: tracking/tests/test_receivers.py activates, requests, redeems and
  cancels in process; each succeeds with its points, no row, the whole event logged at ERROR.

Here each fault meets every kind of points action (a chore, a penalty, an adjustment, a request,
its redemption, a request cancelled, a direct redemption, a reversal) and a child's rename, sent to
a real ASGI server: each action succeeds, the child's points and (where the insert works) every
event row are in the database, and the fault's ERROR line, with what is needed to replay it, is in
that server's own log output.
"""

import json
import re
from collections import Counter
from io import StringIO
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.db import connection
from django_eventstream.models import Event as StoredStreamEvent

from children.models import Child
from rewards.models import RewardRequest
from testsupport.asgi_server import AsgiServer, free_port
from testsupport.factories import (
    ChildFactory,
    PenaltyFactory,
    RewardFactory,
    TaskFactory,
    UserFactory,
    household_of,
)
from testsupport.tokens import token_for
from tracking.ledger.audit_log import log_line
from tracking.live.channels import DOMAIN_EVENT_NAMES, TRACKING_EVENT_CREATED, channel_for
from tracking.models import TrackingEvent
from tracking.tests.test_receivers import ALLOW_INSERT_SQL, REFUSE_INSERT_SQL

pytestmark = pytest.mark.django_db(transaction=True)

# (entity_type, action, points_before, points_after) of each points action `act_in_every_way`
# sends, in order; the child starts with 0 points.
POINTS_ACTIONS = [
    ("task", "activated", 0, 10),
    ("penalty", "activated", 10, 7),
    ("adjustment", "adjusted", 7, 37),
    ("reward", "requested", 37, 37),
    ("reward", "redeemed", 37, 22),
    ("reward", "requested", 22, 22),
    ("reward", "cancelled", 22, 22),
    ("reward", "redeemed", 22, 7),
    ("penalty", "reversed", 7, 10),
]
FINAL_POINTS = 10

STREAM_NOT_SENT = re.compile(
    r" ERROR tracking\.live\.store live event not sent to (\S+): (\S+) (\{.*\})$"
)
AUDIT_LINE_NOT_WRITTEN = re.compile(
    r" ERROR tracking\.ledger\.audit_log audit log line not written for user (\d+): (\{.*\})$"
)
EVENT_NOT_RECORDED = re.compile(
    r" ERROR tracking\.ledger\.receivers tracking event not recorded \(the action itself succeeded\); "
    r"event: (\{.*\})$"
)


class Family:
    """A parent with a token; a child with 0 points, a 10-point chore, a 3-point penalty and a
    15-point reward assigned; committed, so that the server sees them."""

    def __init__(self) -> None:
        self.parent = UserFactory()
        self.token = token_for(self.parent)
        self.child = ChildFactory(owner=self.parent, points=0)
        self.chore = TaskFactory(owner=self.parent, points=10)
        self.penalty = PenaltyFactory(owner=self.parent, points=3)
        self.reward = RewardFactory(owner=self.parent, cost=15)
        self.child.tasks.add(self.chore, self.penalty)
        self.child.rewards.add(self.reward)


def succeeded(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, (response.request.url, response.text)
    return response.json() if response.content else {}


def act_in_every_way(server: AsgiServer, family: Family) -> list[dict]:
    """Rename the child, then send POINTS_ACTIONS over HTTP, each asserted to succeed. The
    reversal needs the penalty's event: with no event row recorded there is nothing to reverse,
    and it is left out. Returns the bodies of the points actions."""
    child = f"/api/children/{family.child.pk}"
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Token {family.token}"}, timeout=30
    ) as http:
        succeeded(http.patch(f"{child}/", json={"name": "Renamed"}))
        bodies = [
            succeeded(http.post(f"{child}/activate/", json={"task_id": family.chore.pk})),
            succeeded(http.post(f"{child}/activate/", json={"task_id": family.penalty.pk})),
            succeeded(http.post(f"{child}/adjust/", json={"points": 30, "reason": "Birthday"})),
        ]
        for then in ("redeem", "cancel"):
            requested = succeeded(
                http.post(f"{child}/reward-requests/", json={"reward_id": family.reward.pk}), 201
            )
            request_id = requested["request"]["id"]
            bodies += [
                requested,
                succeeded(http.post(f"/api/reward-requests/{request_id}/{then}/")),
            ]
        bodies.append(
            succeeded(http.post(f"{child}/redeem/", json={"reward_id": family.reward.pk}))
        )
        penalty_event = bodies[1]["tracking_event"]
        if penalty_event is not None:
            bodies.append(
                succeeded(
                    http.post(
                        f"/api/tracking/{penalty_event['id']}/reverse/",
                        json={"reason": "It was not her fault"},
                    )
                )
            )
    return bodies


def run_server(tmp_path: Path, django_db_blocker, **env: str) -> tuple[Path, AsgiServer]:
    log = tmp_path / "server.log"
    with django_db_blocker.unblock():
        server = AsgiServer(env={"CHOREHUB_LOG_DIR": str(tmp_path / "logs"), **env}, log_path=log)
    return log, server


def matches(pattern: re.Pattern, log: Path) -> list[re.Match]:
    return [m for line in log.read_text().splitlines() if (m := pattern.search(line))]


def recorded_events(family: Family) -> list[TrackingEvent]:
    return list(
        TrackingEvent.objects.filter(child_id=family.child.pk).order_by(
            "occurred_at", "created_at", "id"
        )
    )


def assert_nothing_lost(family: Family) -> list[TrackingEvent]:
    """The child's points, its requests' statuses and one event row per action, in order, with
    the chain proven by verify_tracking."""
    assert Child.objects.get(pk=family.child.pk).points == FINAL_POINTS
    assert list(
        RewardRequest.objects.filter(child=family.child)
        .order_by("pk")
        .values_list("status", flat=True)
    ) == ["redeemed", "cancelled"]
    events = recorded_events(family)
    assert [(e.entity_type, e.action, e.points_before, e.points_after) for e in events] == (
        POINTS_ACTIONS
    )
    call_command("verify_tracking", child=family.child.pk, no_progress=True, stdout=StringIO())
    return events


def test_with_redis_down_every_action_succeeds_and_every_lost_message_is_logged(
    tmp_path, django_db_blocker
):
    family = Family()
    log, server = run_server(
        tmp_path, django_db_blocker, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"
    )

    with server:
        act_in_every_way(server, family)

    events = assert_nothing_lost(family)
    # Each message was stored before the publish failed: a client reconnecting with
    # Last-Event-ID still gets it. The live publish of each one is logged as lost.
    channel = channel_for(household_of(family.parent).pk)
    # (The library stores an empty event, type "", as each channel's first row.)
    stored = Counter(
        StoredStreamEvent.objects.filter(channel=channel)
        .exclude(type="")
        .values_list("type", flat=True)
    )
    lost = matches(STREAM_NOT_SENT, log)
    assert {m[1] for m in lost} == {channel}
    assert Counter(m[2] for m in lost) == stored
    assert stored == Counter(
        [TRACKING_EVENT_CREATED] * len(POINTS_ACTIONS)
        + [
            "points_reversed" if action == "reversed" else DOMAIN_EVENT_NAMES[(entity, action)]
            for entity, action, _, _ in POINTS_ACTIONS
        ]
        + ["child_changed"]
    )
    logged_event_ids = [
        json.loads(m[3])["tracking_event_id"] for m in lost if m[2] == TRACKING_EVENT_CREATED
    ]
    assert sorted(logged_event_ids) == [event.pk for event in sorted(events, key=lambda e: e.pk)]
    # The audit log, the other sink, lost nothing.
    audit_log = tmp_path / "logs" / f"tracking_user_{family.parent.pk}.log"
    assert audit_log.read_text().splitlines() == [log_line(event) for event in events]


def test_with_the_log_dir_unwritable_every_action_succeeds_and_every_lost_line_is_logged(
    tmp_path, django_db_blocker
):
    family = Family()
    # A regular file where a directory should be: nothing can be created under it, even by root.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    log, server = run_server(tmp_path, django_db_blocker, CHOREHUB_LOG_DIR=str(blocker / "logs"))

    with server:
        act_in_every_way(server, family)

    events = assert_nothing_lost(family)
    lost = matches(AUDIT_LINE_NOT_WRITTEN, log)
    assert {m[1] for m in lost} == {str(family.parent.pk)}
    # Each line is logged exactly as it would have been written: it can be replayed as is.
    assert [m[2] for m in lost] == [log_line(event) for event in events]


@pytest.fixture
def tracking_insert_refused():
    """The database refuses every tracking INSERT (a trigger), for the server process too."""
    with connection.cursor() as cursor:
        for sql in REFUSE_INSERT_SQL[connection.vendor]:
            cursor.execute(sql)
    yield
    with connection.cursor() as cursor:
        for sql in ALLOW_INSERT_SQL[connection.vendor]:
            cursor.execute(sql)


def test_with_the_tracking_insert_failing_every_action_succeeds_and_every_event_is_logged_whole(
    tmp_path, django_db_blocker, tracking_insert_refused
):
    family = Family()
    log, server = run_server(tmp_path, django_db_blocker)

    with server:
        bodies = act_in_every_way(server, family)

    assert all(body["tracking_event"] is None for body in bodies)
    assert Child.objects.get(pk=family.child.pk).points == 7  # no event, so no reversal
    assert list(
        RewardRequest.objects.filter(child=family.child)
        .order_by("pk")
        .values_list("status", flat=True)
    ) == ["redeemed", "cancelled"]
    assert recorded_events(family) == []
    logged = [json.loads(m[1]) for m in matches(EVENT_NOT_RECORDED, log)]
    # The whole event, ready to be replayed: who, which child, what, and the points around it.
    assert [
        (e["entity_type"], e["action"], e["points_before"], e["points_after"]) for e in logged
    ] == POINTS_ACTIONS[:-1]
    assert {(e["user_id"], e["child_id"]) for e in logged} == {(family.parent.pk, family.child.pk)}
    assert all(e["delta"] == e["points_after"] - e["points_before"] for e in logged)
    assert all(e["occurred_at"].endswith("Z") and e["metadata"]["actor"] for e in logged)
