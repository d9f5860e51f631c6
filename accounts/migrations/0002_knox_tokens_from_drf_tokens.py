"""DRF's tokens (`rest_framework.authtoken`, kept in plain text) become knox tokens, and their
table is dropped.

knox finds a token by the first 15 characters of its key (`token_key`) and accepts it when the
SHA-512 digest of the whole key presented equals the stored `digest`; it checks any key that way,
not only the 64-character ones it generates. So each existing 40-character DRF key is copied as
(its first 15 characters, the digest of the key) and keeps working, until `REST_KNOX["TOKEN_TTL"]`
after this migration. The other 25 characters (100 bits) stay secret. The plain-text table is then
dropped: taking `rest_framework.authtoken` out of INSTALLED_APPS would have left it in place.

Nothing to do on a database that never had the table. Not reversible into plain text: migrating
back leaves the knox tokens and recreates nothing.
"""

from django.db import migrations
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings

DRF_TOKEN_TABLE = "authtoken_token"


def copy_drf_tokens_then_drop_their_table(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TOKEN_TABLE not in connection.introspection.table_names():
        return
    table = schema_editor.quote_name(DRF_TOKEN_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema_editor.quote_name('key')}, user_id FROM {table}")
        rows = cursor.fetchall()
    AuthToken = apps.get_model("knox", "AuthToken")
    expiry = timezone.now() + knox_settings.TOKEN_TTL
    AuthToken.objects.using(connection.alias).bulk_create(
        AuthToken(
            digest=hash_token(key),
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
            user_id=user_id,
            expiry=expiry,
        )
        for key, user_id in rows
    )
    schema_editor.execute(f"DROP TABLE {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunPython(copy_drf_tokens_then_drop_their_table, migrations.RunPython.noop),
    ]
