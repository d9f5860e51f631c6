"""The stream store's tables keep only the indexes their reads use.

django-eventstream's models index `channel`, `type` and `eid` each alone (with `LIKE` twins on
PostgreSQL) and the counter's `updated`. Every action writes two messages and bumps a counter, so
each of those indexes is written on every action, and an indexed `updated` makes every bump a
non-HOT update. Nothing reads through them: the library's reads (`get_events`, `get_current_id`)
go by `(channel, eid)` and the counter's `name`, both unique, and trimming by `created`
(`trim_stream_events`), all of which stay. See docs/benchmarks.md for what it saves.
"""

from django.db import migrations

EVENT, COUNTER = "django_eventstream_event", "django_eventstream_eventcounter"
LIKE = " varchar_pattern_ops"  # the `LIKE` twins Django adds to indexed text on PostgreSQL

# (index, table, column, operator class): the twins exist on PostgreSQL only.
UNREAD = (
    ("django_eventstream_event_channel_49bacd5e", EVENT, "channel", ""),
    ("django_eventstream_event_channel_49bacd5e_like", EVENT, "channel", LIKE),
    ("django_eventstream_event_eid_2da5c1c0", EVENT, "eid", ""),
    ("django_eventstream_event_type_0e7a664e", EVENT, "type", ""),
    ("django_eventstream_event_type_0e7a664e_like", EVENT, "type", LIKE),
    ("django_eventstream_eventcounter_name_3f2f7780_like", COUNTER, "name", LIKE),
    ("django_eventstream_eventcounter_updated_0b6f9a25", COUNTER, "updated", ""),
)


def _unread(vendor: str):
    return [index for index in UNREAD if vendor == "postgresql" or not index[3]]


def drop_unread(apps, schema_editor):
    for index, *_ in _unread(schema_editor.connection.vendor):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


def restore(apps, schema_editor):
    for index, table, column, opclass in _unread(schema_editor.connection.vendor):
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}"{opclass})'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0005_badges_and_pauses"),
        ("django_eventstream", "0001_initial"),
    ]

    operations = [migrations.RunPython(drop_unread, restore, elidable=False)]
