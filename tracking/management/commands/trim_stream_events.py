"""`manage.py trim_stream_events`: delete stored stream events older than the retention
(`EVENTSTREAM_RETENTION_MINUTES`). Run it from a timer (cron, a systemd timer) every few minutes:
trimming is not done on any request's path."""

from django.conf import settings
from django.core.management.base import BaseCommand

from tracking.live.store import trim_stored_events


class Command(BaseCommand):
    help = "Delete stored stream events older than EVENTSTREAM_RETENTION_MINUTES."

    def handle(self, *args, **options) -> None:
        deleted = trim_stored_events()
        self.stdout.write(
            f"Deleted {deleted} stored stream event(s) older than "
            f"{settings.EVENTSTREAM_RETENTION_MINUTES} minutes."
        )
