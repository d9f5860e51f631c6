"""`manage.py check --deploy` is clean with production settings: DEBUG off, a long random
SECRET_KEY, ALLOWED_HOSTS set, and every other security setting left at its default.

The check runs in a fresh process that sees only the variables given here (and a `.env` at the
project root, if a developer has one: one that weakens a security setting fails this test, as it
should)."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "chorehub.example.com",
}


def deploy_check(**variables: str) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "chorehub.settings",
        **variables,
    }
    return subprocess.run(
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_is_clean_with_production_settings():
    result = deploy_check(**PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS:" not in result.stderr


def test_the_deploy_check_fails_on_a_weakened_setting():
    """The check above is not vacuous: turning HSTS off is reported, and fails the command."""
    result = deploy_check(**PRODUCTION, SECURE_HSTS_SECONDS="0")

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
