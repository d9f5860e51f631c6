"""Two PostgreSQL functions that let an action's tracking writes cost one round trip each (issue 16,
target 1). Each runs its writes inside an exception block, which is a savepoint on the server: a
failure undoes only what the function wrote and is returned (`{"error": ..., "state": ...}`), so the action
still commits, as with the SAVEPOINT / RELEASE pairs they replace. SQLite has no such functions:
there, the same writes run in a savepoint from Python (`tracking.live.store`,
`tracking.ledger.insert`)."""

from django.db import migrations

STORE_LIVE_EVENTS = """
CREATE OR REPLACE FUNCTION chorehub_store_live_events(
    p_channels text[], p_types text[], p_data text[], p_created timestamptz
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    wanted integer;
    bumped integer;
    ids bigint[];
BEGIN
    -- One counter bump per channel (by its number of messages), one INSERT for every message;
    -- the ids, in the order of the messages.
    WITH messages AS (
        SELECT m.channel, m.type, m.data, m.position,
               row_number() OVER (PARTITION BY m.channel ORDER BY m.position) AS rank
        FROM unnest(p_channels, p_types, p_data) WITH ORDINALITY AS m(channel, type, data, position)
    ), counts AS (
        SELECT channel, count(*) AS n FROM messages GROUP BY channel
    ), bumps AS (
        UPDATE django_eventstream_eventcounter AS counter
        SET value = counter.value + counts.n, updated = p_created
        FROM counts WHERE counter.name = counts.channel
        RETURNING counter.name, counter.value, counts.n
    ), stored AS (
        INSERT INTO django_eventstream_event (channel, type, data, eid, created)
        SELECT messages.channel, messages.type, messages.data,
               bumps.value - bumps.n + messages.rank, p_created
        FROM messages JOIN bumps ON bumps.name = messages.channel
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM counts), (SELECT count(*) FROM bumps),
           (SELECT array_agg(bumps.value - bumps.n + messages.rank ORDER BY messages.position)
            FROM messages JOIN bumps ON bumps.name = messages.channel)
    INTO wanted, bumped, ids;
    IF bumped < wanted THEN
        -- A channel's first message: the caller takes the library's path, which creates the
        -- counter. Raising undoes the other channels' bumps and rows.
        RAISE EXCEPTION USING ERRCODE = 'P0002', MESSAGE = 'chorehub: a channel has no counter';
    END IF;
    RETURN jsonb_build_object('ids', to_jsonb(ids));
EXCEPTION
    WHEN no_data_found THEN
        RETURN jsonb_build_object('new_channel', true);
    WHEN OTHERS THEN
        RETURN jsonb_build_object('error', SQLSTATE || ': ' || SQLERRM);
END
$$;
"""

INSERT_ROW = """
CREATE OR REPLACE FUNCTION chorehub_insert_row(p_table regclass, p_columns text[], p_row jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    columns text;
    new_id bigint;
BEGIN
    SELECT string_agg(quote_ident(name), ', ') INTO columns FROM unnest(p_columns) AS name;
    EXECUTE format(
        'INSERT INTO %s (%s) SELECT %s FROM jsonb_populate_record(NULL::%s, $1) RETURNING id',
        p_table, columns, columns, p_table
    ) USING p_row INTO new_id;
    RETURN jsonb_build_object('id', new_id);
EXCEPTION
    WHEN OTHERS THEN
        RETURN jsonb_build_object('state', SQLSTATE, 'error', SQLERRM);
END
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS chorehub_store_live_events(text[], text[], text[], timestamptz);
DROP FUNCTION IF EXISTS chorehub_insert_row(regclass, text[], jsonb);
"""


def create_functions(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STORE_LIVE_EVENTS, params=None)
        schema_editor.execute(INSERT_ROW, params=None)


def drop_functions(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0005_badges_and_pauses"),
        ("django_eventstream", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_functions, drop_functions, elidable=False)]
