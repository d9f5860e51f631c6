# Trigram indexes for the admin's search by child and entity name (PostgreSQL only).
#
# The admin searches `metadata__child_name` and `metadata__entity_name` with `icontains`, which
# Django writes as `UPPER((metadata ->> 'child_name')::text) LIKE UPPER('%term%')`. No B-tree can
# serve a LIKE with a leading wildcard: on 1,000,000 events each search counted its matches with a
# sequential scan (about 270 ms), and a term matching nothing read the whole table (660 ms). These
# GIN trigram indexes on exactly those expressions answer a rare term in about 1 ms. They are built
# CONCURRENTLY (outside a transaction), so that actions are not blocked from recording events on a
# large table while they are built. pg_trgm is a trusted extension: the database owner may add it.

from django.db import migrations

INDEXES = {
    "event_child_name_trgm": "child_name",
    "event_entity_name_trgm": "entity_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, key in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON tracking_trackingevent "
            f"USING gin ((UPPER((metadata ->> '{key}')::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tracking", "0002_corrections"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
