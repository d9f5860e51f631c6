"""Production settings refuse to start half-configured; passwords are hashed with Argon2."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

MANAGE_PY = settings.BASE_DIR / "manage.py"
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret",
    "ALLOWED_HOSTS": "x.org",
}


def manage_check(**variables: str) -> subprocess.CompletedProcess:
    """`manage.py check` in a fresh process that sees only PATH, HOME and `variables`.

    Variables set to "" are still passed: a real environment variable wins over a developer's
    `.env`, so an empty one reliably means "not set" for the settings module.
    """
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "chorehub.settings",
        **variables,
    }
    return subprocess.run(
        [sys.executable, str(MANAGE_PY), "check"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        (["SECRET_KEY"], ["SECRET_KEY"]),
        (["ALLOWED_HOSTS"], ["ALLOWED_HOSTS"]),
        (["SECRET_KEY", "ALLOWED_HOSTS"], ["SECRET_KEY", "ALLOWED_HOSTS"]),
    ],
)
def test_production_mode_refuses_to_start_without_its_secrets(missing, named):
    result = manage_check(**{**PRODUCTION, **dict.fromkeys(missing, "")})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    for name in named:
        assert name in result.stderr
    assert "DEBUG is off" in result.stderr


def test_production_mode_with_its_secrets_set_starts():
    result = manage_check(**PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_mode_starts_without_secrets():
    result = manage_check(DEBUG="1", SECRET_KEY="", ALLOWED_HOSTS="")

    assert result.returncode == 0, result.stderr


def test_argon2_is_the_first_password_hasher():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_a_registered_parents_password_is_hashed_with_argon2(anon_client):
    response = anon_client.post(
        reverse("auth-register"), {"username": "hashme", "password": "violet-harbour-lantern-42"}
    )

    assert response.status_code == 201
    user = get_user_model().objects.get(username="hashme")
    assert user.password.startswith("argon2")
    assert user.check_password("violet-harbour-lantern-42")


def test_a_grip_url_without_pushpins_key_refuses_to_start():
    """Without the key, any client could send a `Grip-Sig` and pass for Pushpin."""
    result = manage_check(DEBUG="1", GRIP_URL="http://127.0.0.1:5561")
    assert result.returncode != 0
    assert "GRIP_URL needs key=" in result.stderr


@pytest.mark.parametrize(("value", "threshold"), [("", "5"), ("off", "None"), ("0", "0")])
def test_postgresql_uses_the_projects_backend_and_its_prepare_threshold(value, threshold):
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "d = settings.DATABASES['default']; print(d['ENGINE'], d['OPTIONS']['prepare_threshold'])",
        ],
        cwd=settings.BASE_DIR,
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "DJANGO_SETTINGS_MODULE": "chorehub.settings",
            "DEBUG": "1",
            "DATABASE_URL": "postgres://someone@db.example.com:5432/chorehub",
            "DATABASE_PREPARE_THRESHOLD": value,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["kernel.postgresql", threshold]
