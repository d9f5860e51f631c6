"""The frontend kit in frontend/: its types follow the schema, it compiles, the committed live.js and
kid.js are its builds, its unit suite passes, and it works against a real server.

Node.js and npm must be installed; `npm ci` runs once per session when frontend/node_modules is
missing or older than package-lock.json.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testsupport.asgi_server import BASE_DIR, AsgiServer
from testsupport.factories import UserFactory
from testsupport.tokens import token_for
from tracking.live.channels import DOMAIN_EVENT_NAMES, TRACKING_EVENT_CREATED
from tracking.live.views import STREAM_DESCRIPTION

FRONTEND = BASE_DIR / "frontend"
GENERATED_TYPES = FRONTEND / "src" / "generated" / "schema.d.ts"
LIVE_JS = BASE_DIR / "tracking" / "static" / "tracking" / "live.js"
KID_JS = BASE_DIR / "devices" / "static" / "devices" / "kid.js"
MODELS_TS = FRONTEND / "src" / "models.ts"
REGENERATE = "the generated types are out of date: run `cd frontend && npm run generate`"
REBUILD = "{} is not the build of frontend/src: run `cd frontend && npm run build`"


def npm(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> None:
    """Run an npm command in frontend/; fail the test with its output if it fails."""
    result = subprocess.run(
        ["npm", *args],
        cwd=FRONTEND,
        env={**os.environ, "DEBUG": "1", "PYTHON": sys.executable, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"npm {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    )


@pytest.fixture(scope="session")
def frontend() -> Path:
    """frontend/ with its dependencies installed (`npm ci` once, when they are missing or stale)."""
    if shutil.which("npm") is None:
        pytest.fail("npm is missing: the frontend kit needs Node.js 20 and npm")
    installed = FRONTEND / "node_modules" / ".package-lock.json"
    lock = FRONTEND / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        npm("ci", timeout=600)
    return FRONTEND


def test_generated_types_are_those_of_the_current_schema(frontend, tmp_path):
    regenerated = tmp_path / "schema.d.ts"
    npm("run", "generate", "--", "--out", str(regenerated))
    assert regenerated.read_bytes() == GENERATED_TYPES.read_bytes(), REGENERATE


def test_the_kit_type_checks(frontend):
    npm("run", "typecheck")


@pytest.mark.parametrize(
    ("page", "committed"), [("live", LIVE_JS), ("kid", KID_JS)], ids=["live.js", "kid.js"]
)
def test_the_committed_page_scripts_are_the_build_of_the_kit(frontend, tmp_path, page, committed):
    built = tmp_path / f"{page}.js"
    npm("run", "build", "--", "--page", page, "--outfile", str(built))
    assert built.read_bytes() == committed.read_bytes(), REBUILD.format(committed.name)


def test_the_unit_suite_passes(frontend):
    npm("test")


def test_the_kit_knows_every_event_the_stream_documents():
    documented = {
        name
        for line in STREAM_DESCRIPTION.splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`(\w+)`", line.split("|")[1])
    }
    declared = re.search(r"STREAM_EVENT_NAMES = \[(.*?)\]", MODELS_TS.read_text(), re.S)
    assert declared, "frontend/src/models.ts has no STREAM_EVENT_NAMES"
    assert {*DOMAIN_EVENT_NAMES.values(), TRACKING_EVENT_CREATED} <= documented
    assert set(re.findall(r'"(\w+)"', declared.group(1))) == documented


@pytest.fixture
def server(django_db_blocker, tmp_path):
    with (
        django_db_blocker.unblock(),
        AsgiServer(
            env={"CHOREHUB_LOG_DIR": str(tmp_path)}, log_path=tmp_path / "server.log"
        ) as running,
    ):
        yield running


@pytest.mark.django_db(transaction=True)
def test_the_kit_works_against_a_real_server(frontend, server):
    """frontend/tests/e2e: register, create a child and a chore, subscribe, activate, receive
    tracking_event_created, list it with filters; rewards, corrections, idempotency, staff list;
    households (invite, join, transfer, leave, remove); kid mode (pair a device, claim as the
    device, approve as the guardian, request and cancel as the device, PINs, revocation, 403s)."""
    staff = UserFactory(is_staff=True)
    staff_token = token_for(staff)
    npm(
        "run",
        "e2e",
        env={"CHOREHUB_BASE_URL": server.url, "CHOREHUB_STAFF_TOKEN": staff_token},
        timeout=120,
    )
