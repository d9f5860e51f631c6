"""The move from DRF's plain-text tokens to knox: an existing key keeps working, stored as a digest,
with an expiry, and the plain-text table is gone."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from testsupport.factories import UserFactory

DRF_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # a key as DRF made them: 40 hex digits


def create_drf_token_table(user_id: int) -> None:
    """The table `rest_framework.authtoken` created (its columns and constraints), with one row."""
    quote = connection.ops.quote_name
    user_column = "integer" if connection.vendor == "sqlite" else "bigint"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {quote('authtoken_token')} ("
            f"{quote('key')} varchar(40) NOT NULL PRIMARY KEY, "
            f"{quote('created')} timestamp with time zone NOT NULL, "
            f"{quote('user_id')} {user_column} NOT NULL UNIQUE "
            f"REFERENCES {quote('auth_user')} ({quote('id')}))"
        )
        cursor.execute(
            f"INSERT INTO {quote('authtoken_token')} VALUES (%s, %s, %s)",
            [DRF_KEY, timezone.now(), user_id],
        )


@pytest.fixture
def before_knox(transactional_db):
    call_command("migrate", "accounts", "0001", verbosity=0)
    yield
    call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_drf_tokens_become_knox_tokens_and_their_plain_text_table_is_dropped(before_knox):
    user = UserFactory()
    create_drf_token_table(user.pk)

    call_command("migrate", "accounts", verbosity=0)

    assert "authtoken_token" not in connection.introspection.table_names()
    token = AuthToken.objects.get(user=user)
    assert token.token_key == DRF_KEY[:15]
    assert DRF_KEY not in token.digest
    expected_expiry = timezone.now() + timedelta(days=30)
    assert abs(token.expiry - expected_expiry) < timedelta(minutes=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {DRF_KEY}")
    assert client.get(reverse("auth-me")).json()["id"] == user.pk


@pytest.mark.django_db(transaction=True)
def test_the_migration_does_nothing_without_the_drf_table(before_knox):
    UserFactory()

    call_command("migrate", "accounts", verbosity=0)

    assert not AuthToken.objects.exists()
