"""The per-user audit log: one JSON line per event after commit, rotation, a bounded number of open
files, several processes writing one file, and a log directory that cannot be written."""

import json
import logging
import os
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.urls import reverse

from children.services import activate_task
from tracking.ledger.audit_log import (
    LOG_FIELDS,
    NO_USER,
    AuditLogHandler,
    log_line,
    write_event,
    writer,
)
from tracking.models import TrackingEvent
from tracking.tests.factories import TrackingEventFactory
from tracking.tests.recorded import log_lines, serialized_row


class Rollback(Exception):
    pass


def numbered_line(seq: int, writer_name: str = "test") -> str:
    return json.dumps({"writer": writer_name, "seq": seq, "padding": "x" * 60})


def files_of(directory: Path, user_id: int) -> dict[str, Path]:
    """The user's log file and its backups, by suffix ("" for the current file, "1", "2"...)."""
    base = f"tracking_user_{user_id}.log"
    return {
        path.name.removeprefix(base).removeprefix("."): path
        for path in directory.iterdir()
        if path.name.startswith(base)
    }


def open_files_under(directory: Path) -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed between listdir and readlink
            continue
        if target.startswith(f"{directory}{os.sep}"):
            count += 1
    return count


# --- One line per event, after commit ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_http_activation_writes_one_json_line_with_the_contract_fields(
    log_dir, parent, parent_client, child, chore
):
    response = parent_client.post(reverse("child-activate", args=[child.pk]), {"task_id": chore.pk})

    assert response.status_code == 200
    event = TrackingEvent.objects.get()
    lines = log_lines(log_dir, parent.pk)
    assert len(lines) == 1
    assert list(lines[0]) == list(LOG_FIELDS)
    row = serialized_row(event.pk)
    assert lines[0] == {
        "tracking_event_id": event.pk,
        "user_id": parent.pk,
        "child_id": child.pk,
        "entity_type": "task",
        "entity_id": chore.pk,
        "action": "activated",
        "points_before": 0,
        "points_after": 10,
        "delta": 10,
        "occurred_at": row["occurred_at"],
    }
    assert sorted(os.listdir(log_dir)) == [
        f".__tracking_user_{parent.pk}.lock",
        f"tracking_user_{parent.pk}.log",
    ]


@pytest.mark.django_db(transaction=True)
def test_each_action_appends_its_own_line(log_dir, parent, child, chore, penalty):
    for task in (chore, chore, penalty):
        activate_task(child=child, task=task)

    lines = log_lines(log_dir, parent.pk)
    events = TrackingEvent.objects.order_by("id")
    assert [line["tracking_event_id"] for line in lines] == [event.pk for event in events]
    assert [line["delta"] for line in lines] == [10, 10, -20]


@pytest.mark.django_db(transaction=True)
def test_the_line_is_written_only_once_the_transaction_commits(log_dir, parent, child, chore):
    with transaction.atomic():
        activate_task(child=child, task=chore)
        assert log_lines(log_dir, parent.pk) == []

    assert len(log_lines(log_dir, parent.pk)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_action_writes_nothing(log_dir, parent, child, chore):
    with pytest.raises(Rollback), transaction.atomic():
        activate_task(child=child, task=chore)
        raise Rollback

    assert not TrackingEvent.objects.exists()
    assert log_lines(log_dir, parent.pk) == []


@pytest.mark.django_db(transaction=True)
def test_a_refused_action_writes_nothing(log_dir, parent, parent_client, child, reward):
    response = parent_client.post(
        reverse("child-reward-redeem", args=[child.pk]), {"reward_id": reward.pk}
    )

    assert response.status_code == 409
    assert log_lines(log_dir, parent.pk) == []


# --- Rotation ------------------------------------------------------------------------------------


def test_rotation_keeps_the_configured_backups_and_splits_no_line(settings, log_dir):
    settings.TRACKING_LOG_MAX_BYTES = 2000
    settings.TRACKING_LOG_BACKUP_COUNT = 2
    line_bytes = len(numbered_line(0)) + 1

    for seq in range(300):
        writer.write(7, numbered_line(seq))

    files = files_of(log_dir, 7)
    assert set(files) == {"", "1", "2"}
    kept: list[int] = []
    for suffix in ("2", "1", ""):
        lines = files[suffix].read_text(encoding="utf-8").splitlines()
        kept += [json.loads(line)["seq"] for line in lines]
    # The newest lines, none lost or repeated within what the backups keep.
    assert kept == list(range(300 - len(kept), 300))
    for suffix in ("1", "2"):
        # Each backup was rotated when it reached the configured size, not before or long after.
        assert 2000 <= files[suffix].stat().st_size < 2000 + line_bytes


def test_rotation_size_and_backups_come_from_settings(settings, log_dir):
    settings.TRACKING_LOG_MAX_BYTES = 1000
    settings.TRACKING_LOG_BACKUP_COUNT = 4

    for seq in range(200):
        writer.write(8, numbered_line(seq))

    assert set(files_of(log_dir, 8)) == {"", "1", "2", "3", "4"}


def test_default_rotation_is_10_mb_with_5_backups():
    assert django_settings.TRACKING_LOG_MAX_BYTES == 10 * 1024 * 1024
    assert django_settings.TRACKING_LOG_BACKUP_COUNT == 5


# --- Bounded open files --------------------------------------------------------------------------


def test_writing_for_1000_users_keeps_open_files_bounded(settings, log_dir):
    settings.TRACKING_LOG_MAX_OPEN_HANDLERS = 8
    most_open = 0

    for user_id in range(1, 1001):
        writer.write(user_id, numbered_line(user_id))
        most_open = max(most_open, open_files_under(log_dir))
        assert writer.open_handlers() <= 8

    assert 0 < most_open <= 2 * 8
    for user_id in range(1, 1001):
        assert log_lines(log_dir, user_id) == [json.loads(numbered_line(user_id))]


def test_a_user_whose_file_was_closed_gets_appended_to_not_truncated(settings, log_dir):
    settings.TRACKING_LOG_MAX_OPEN_HANDLERS = 2

    for user_id in (1, 2, 3, 1):
        writer.write(user_id, numbered_line(user_id))

    assert len(log_lines(log_dir, 1)) == 2
    writer.close_all()
    assert open_files_under(log_dir) == 0


# --- Several processes ---------------------------------------------------------------------------

WRITER_PROCESS = """
import json, os, sys, time

import django

django.setup()
from tracking.ledger.audit_log import writer

name, count, ready, go = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.001)
for seq in range(count):
    writer.write(42, json.dumps({"writer": name, "seq": seq, "padding": "x" * 60}))
writer.close_all()
"""


def wait_for(paths: list[Path], processes: list[subprocess.Popen], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not all(path.exists() for path in paths):
        assert all(p.poll() is None for p in processes), "a writer process exited early"
        assert time.monotonic() < deadline, "writer processes did not start"
        time.sleep(0.01)


def test_two_processes_writing_one_users_log_lose_and_split_no_line(tmp_path, log_dir):
    lines_each = 2000
    script = tmp_path / "write_lines.py"
    script.write_text(WRITER_PROCESS, encoding="utf-8")
    go = tmp_path / "go"
    env = {
        **os.environ,
        "PYTHONPATH": str(django_settings.BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "chorehub.settings",
        "DEBUG": "1",
        "CHOREHUB_LOG_DIR": str(log_dir),
        "TRACKING_LOG_MAX_BYTES": "8192",
        "TRACKING_LOG_BACKUP_COUNT": "100",
    }
    names = ("a", "b")
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), name, str(lines_each), str(tmp_path / name), str(go)],
            env=env,
            cwd=django_settings.BASE_DIR,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    try:
        wait_for([tmp_path / name for name in names], processes)
        go.touch()
        for process in processes:
            _, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()

    files = files_of(log_dir, 42)
    assert 2 < len(files) <= 101, "the test is meant to rotate while both processes write"
    written = []
    # Oldest backup first: the lines in the order they were written.
    for suffix in sorted(files, key=lambda suffix: -int(suffix or 0)):
        for line in files[suffix].read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            written.append((entry["writer"], entry["seq"]))
    assert sorted(written) == [(name, seq) for name in names for seq in range(lines_each)]
    for name in names:
        assert [seq for writer_name, seq in written if writer_name == name] == list(
            range(lines_each)
        )
    turns = sum(1 for before, after in pairwise(written) if before[0] != after[0])
    assert turns > 1, "the two processes did not write at the same time"


# --- A log directory that cannot be written ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_unwritable_log_dir_fails_no_action_and_logs_the_line(
    settings, tmp_path, caplog, parent_client, child, chore
):
    blocker = tmp_path / "afile"
    blocker.write_text("a regular file, so nothing can be created under it")
    settings.CHOREHUB_LOG_DIR = blocker / "logs"
    caplog.set_level(logging.ERROR, logger="tracking.ledger.audit_log")

    response = parent_client.post(reverse("child-activate", args=[child.pk]), {"task_id": chore.pk})

    assert response.status_code == 200
    event = TrackingEvent.objects.get()
    assert response.json()["tracking_event"]["id"] == event.pk
    records = [r for r in caplog.records if r.name == "tracking.ledger.audit_log"]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    assert log_line(event) in records[0].getMessage()
    assert isinstance(records[0].exc_info[1], OSError)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "error", [RuntimeError("Cannot acquire lock after 20 attempts"), KeyError(1)]
)
def test_any_failure_to_write_the_line_fails_no_action_and_logs_the_line(
    monkeypatch, log_dir, caplog, parent_client, child, chore, error
):
    """concurrent-log-handler raises RuntimeError when the lock file cannot be locked: that was a
    500 after the commit (the commit hook's error log itself raised), so a retry moved the points
    again."""

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(AuditLogHandler, "emit", refuse)
    caplog.set_level(logging.ERROR, logger="tracking.ledger.audit_log")

    response = parent_client.post(reverse("child-activate", args=[child.pk]), {"task_id": chore.pk})

    assert response.status_code == 200
    event = TrackingEvent.objects.get()
    assert response.json()["tracking_event"]["id"] == event.pk
    [record] = [r for r in caplog.records if r.name == "tracking.ledger.audit_log"]
    assert log_line(event) in record.getMessage()
    assert record.exc_info[1] is error


def test_a_line_that_names_no_user_goes_to_no_file_and_is_logged(log_dir, caplog):
    """A row written back with no user (a spool line edited by hand) went to
    `tracking_user_None.log`, a file of no one's."""
    event = TrackingEventFactory.build(user=None)
    caplog.set_level(logging.ERROR, logger="tracking.ledger.audit_log")

    write_event(event)

    assert not list(log_dir.glob("tracking_user_*"))
    [record] = [r for r in caplog.records if r.name == "tracking.ledger.audit_log"]
    assert record.getMessage() == NO_USER % log_line(event)
