"""Fixtures of the tracking tests.

Every tracking test writes its audit log under its own `tmp_path`: tests that really commit
(`transaction=True`) run the on-commit log writes, which must never reach the project's `logs/`.
"""

from pathlib import Path

import pytest

from tracking.ledger.audit_log import writer


@pytest.fixture(autouse=True)
def log_dir(settings, tmp_path) -> Path:
    """The audit log directory of this test; the writer's open files are closed after it."""
    writer.close_all()
    settings.CHOREHUB_LOG_DIR = tmp_path / "logs"
    yield settings.CHOREHUB_LOG_DIR
    writer.close_all()
