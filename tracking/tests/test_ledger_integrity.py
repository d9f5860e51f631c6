"""What the ledger guarantees when the database refuses its rows.

A reversal is itself a ledger write: refused, nothing moves, and it can be tried again (once).
Every other action still succeeds, and its event goes to the dead-letter spool, from which
`repair_tracking` writes it back so that `verify_tracking` holds again.

The fault is real (a trigger refuses every INSERT into the table), and the tests commit
(`transaction=True`), so what they assert is what the database holds.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from accounts.services import delete_account
from children.models import Child
from kernel.api_errors import ERRORS
from testsupport.factories import PenaltyFactory, owner_of
from tracking.ledger import dead_letter
from tracking.ledger.receivers import HISTORY_NOT_WRITTEN
from tracking.ledger.reversal import ALREADY_REVERSED
from tracking.models import TrackingEvent
from tracking.tests.recorded import log_lines
from tracking.tests.test_receivers import ALLOW_INSERT_SQL, REFUSE_INSERT_SQL

pytestmark = pytest.mark.django_db(transaction=True)


class InsertFault:
    """Makes the database refuse every tracking INSERT until cleared."""

    def __init__(self) -> None:
        self.active = False

    def inject(self) -> None:
        with connection.cursor() as cursor:
            for sql in REFUSE_INSERT_SQL[connection.vendor]:
                cursor.execute(sql)
        self.active = True

    def clear(self) -> None:
        with connection.cursor() as cursor:
            for sql in ALLOW_INSERT_SQL[connection.vendor]:
                cursor.execute(sql)
        self.active = False


@pytest.fixture
def insert_fault():
    fault = InsertFault()
    yield fault
    if fault.active:
        fault.clear()


def points_of(child) -> int:
    return Child.objects.get(pk=child.pk).points


def activate(client, child, task) -> dict:
    response = client.post(reverse("child-activate", args=[child.pk]), {"task_id": task.pk})
    assert response.status_code == 200, response.content
    return response.json()


def reverse_event(client, event_id: int):
    return client.post(reverse("event-reverse", args=[event_id]), {"reason": "wrong child"})


def verify() -> str:
    out = StringIO()
    call_command("verify_tracking", "--no-progress", stdout=out)
    return out.getvalue()


def repair() -> str:
    out = StringIO()
    call_command("repair_tracking", "--no-progress", stdout=out)
    return out.getvalue()


# --- A reversal is a ledger write ----------------------------------------------------------------


def test_a_reversal_whose_row_cannot_be_written_is_refused_and_moves_no_points(
    insert_fault, parent_client, child, chore
):
    original = activate(parent_client, child, chore)["tracking_event"]
    insert_fault.inject()

    response = reverse_event(parent_client, original["id"])

    assert response.status_code == 503
    assert response.json() == {"detail": HISTORY_NOT_WRITTEN}
    assert points_of(child) == 10
    assert not TrackingEvent.objects.filter(action="reversed").exists()
    assert list(dead_letter.read()) == []  # nothing to repair: the reversal never happened


def test_a_refused_reversal_succeeds_once_when_the_history_can_be_written_again(
    insert_fault, parent_client, child, chore
):
    original = activate(parent_client, child, chore)["tracking_event"]
    insert_fault.inject()
    assert reverse_event(parent_client, original["id"]).status_code == 503
    insert_fault.clear()

    first = reverse_event(parent_client, original["id"])
    second = reverse_event(parent_client, original["id"])

    assert first.status_code == 200, first.content
    assert first.json()["tracking_event"]["reverses"] == original["id"]
    assert second.status_code == 409
    assert second.json()["detail"] == ALREADY_REVERSED.format(
        event_id=original["id"], reversal_id=first.json()["tracking_event"]["id"]
    )
    assert points_of(child) == 0
    assert TrackingEvent.objects.filter(reverses=original["id"]).count() == 1
    assert "All chains hold." in verify()


def test_the_schema_documents_the_503_of_a_reversal(parent_client):
    schema = parent_client.get(reverse("schema"), {"format": "json"}).json()
    responses = schema["paths"]["/api/tracking/{event_id}/reverse/"]["post"]["responses"]
    assert responses["503"]["description"] == ERRORS[503].description


# --- Every other action: dead letter, then repair --------------------------------------------------


def test_events_that_could_not_be_written_are_repaired_from_the_dead_letter_spool(
    insert_fault, parent_client, child, chore, log_dir
):
    penalty = PenaltyFactory(household=child.household, points=3)
    child.tasks.add(penalty)
    activate(parent_client, child, chore)  # written: the chain starts at 0 → 10
    insert_fault.inject()

    lost = [
        activate(parent_client, child, chore),
        activate(parent_client, child, penalty),
        activate(parent_client, child, chore),
    ]

    assert [body["tracking_event"] for body in lost] == [None, None, None]
    assert points_of(child) == 27
    assert len(list(dead_letter.read())) == 3
    with pytest.raises(CommandError):
        verify()

    insert_fault.clear()
    report = repair()

    assert "3 written back, 0 already in the history" in report
    assert "All chains hold." in verify()
    chain = list(
        TrackingEvent.objects.filter(child_id=child.pk).values_list(
            "points_before", "points_after", "entity_id"
        )
    )
    assert chain == [
        (0, 10, chore.pk),
        (10, 20, chore.pk),
        (20, 17, penalty.pk),
        (17, 27, chore.pk),
    ]
    audit = [
        (line["points_before"], line["points_after"])
        for line in log_lines(log_dir, owner_of(child).pk)
    ]
    assert sorted(audit) == [(0, 10), (10, 20), (17, 27), (20, 17)]


def test_repairing_twice_changes_nothing(insert_fault, parent_client, child, chore):
    insert_fault.inject()
    activate(parent_client, child, chore)
    activate(parent_client, child, chore)
    insert_fault.clear()
    repair()
    rows = list(TrackingEvent.objects.order_by("id").values())

    report = repair()

    assert "0 written back, 2 already in the history" in report
    assert list(TrackingEvent.objects.order_by("id").values()) == rows
    assert "All chains hold." in verify()


def test_repair_reports_an_unreadable_spool_line_and_still_writes_the_rest(
    insert_fault, parent_client, child, chore
):
    insert_fault.inject()
    activate(parent_client, child, chore)
    insert_fault.clear()
    with dead_letter.spool_path().open("a") as spool:
        spool.write('{"child_id": 1, "occurred_at": "2026-\n')  # a torn write

    with pytest.raises(CommandError):
        repair()

    assert TrackingEvent.objects.filter(child_id=child.pk).count() == 1
    assert "All chains hold." in verify()


@pytest.mark.parametrize(
    "line",
    [
        '{"child_id": 1, "occurred_at": null}',
        '{"child_id": "1", "occurred_at": "2026-12-03T10:00:00Z"}',
        '{"child_id": 1, "occurred_at": "2026-12-03T10:00:00Z", "user_id": [1]}',
        '{"child_id": 1, "occurred_at": "2026-12-03T10:00:00Z", "user_id": 18446744073709551616}',
        '{"child_id": 18446744073709551616, "occurred_at": "2026-12-03T10:00:00Z"}',
        '{"child_id": 0, "occurred_at": "2026-12-03T10:00:00Z"}',
    ],
)
def test_a_spool_line_of_the_wrong_types_is_reported_and_the_rest_written(
    insert_fault, parent_client, child, chore, line
):
    """JSON whose values are of the wrong type (a line edited by hand) stopped the whole repair
    with a TypeError from the sort, before any event was written back; a user id past 64 bits,
    with an OverflowError from SQLite's driver (the lookup of the users)."""
    insert_fault.inject()
    activate(parent_client, child, chore)
    insert_fault.clear()
    with dead_letter.spool_path().open("a") as spool:
        spool.write(line + "\n")

    with pytest.raises(CommandError):
        repair()

    assert TrackingEvent.objects.filter(child_id=child.pk).count() == 1
    assert "All chains hold." in verify()


def test_a_repaired_event_of_a_user_deleted_since_goes_to_that_users_audit_log(
    insert_fault, parent_client, child, chore, log_dir
):
    """Its row gets `user_id` null, as the deletion made the others; its audit line was written to
    `tracking_user_None.log`, a file of no one's."""
    parent = owner_of(child)
    parent_id = parent.pk  # the deletion sets `parent.pk` to None
    insert_fault.inject()
    activate(parent_client, child, chore)
    insert_fault.clear()
    delete_account(user=parent)

    assert "1 written back" in repair()

    row = TrackingEvent.objects.get(child_id=child.pk)
    assert row.user_id is None
    [line] = log_lines(log_dir, parent_id)
    assert (line["tracking_event_id"], line["user_id"]) == (row.pk, parent_id)
    assert sorted(path.name for path in log_dir.glob("tracking_user_*.log")) == [
        f"tracking_user_{parent_id}.log"
    ]


def test_with_an_empty_spool_repair_has_nothing_to_do(db):
    assert "0 event(s); 0 written back" in repair()
