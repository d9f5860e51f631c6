"""The import rules are code: `lint-imports` (import-linter, run by `make lint`) keeps them, and
breaking any one of them fails it. Each case copies the production packages to a temporary
folder, adds one forbidden import, and runs the real contracts against the copy."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "chorehub",
    "demo",
    "achievements",
    "insights",
    "tracking",
    "devices",
    "rewards",
    "children",
    "accounts",
    "idempotency",
    "households",
    "kernel",
    "testsupport",
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess:
    only = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *only, str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project_copy(tmp_path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "migrations", "static"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    "module, forbidden_import, contract",
    [
        ("children/services.py", "import rewards.models", "children-never-imports-rewards"),
        ("rewards/services.py", "import tracking.models", "domain-never-imports-tracking"),
        ("children/views.py", "import tracking.selectors", "domain-never-imports-tracking"),
        ("kernel/api.py", "import children.models", "kernel-imports-no-app"),
        ("tracking/views.py", "import testsupport.factories", "no-test-support-in-production"),
        ("children/models.py", "import chorehub.urls", "layers"),
        ("accounts/views.py", "import children.services", "layers"),
        ("rewards/models.py", "import demo.bulk_history", "layers"),
        ("households/models.py", "import children.models", "layers"),
        ("households/services.py", "import accounts.services", "layers"),
        ("kernel/api.py", "import households.models", "kernel-imports-no-app"),
        ("rewards/models.py", "import devices.models", "layers"),
        ("devices/models.py", "import tracking.models", "domain-never-imports-tracking"),
    ],
)
def test_breaking_an_import_rule_fails_lint(project_copy, module, forbidden_import, contract):
    assert lint_imports(project_copy, contract).returncode == 0
    path = project_copy / module
    path.write_text(f"{path.read_text()}\n{forbidden_import}  # noqa\n")

    result = lint_imports(project_copy, contract)

    assert result.returncode == 1, result.stdout
    assert "1 broken" in result.stdout
