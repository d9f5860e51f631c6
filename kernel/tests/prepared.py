"""What the test's database connection holds prepared (PostgreSQL's `pg_prepared_statements`)."""

from django.db import connection


def prepared_count(prefix: str) -> int:
    """How many statements starting with `prefix` are prepared on the connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"{prefix}%"]
        )
        [[prepared]] = cursor.fetchall()
    return prepared
