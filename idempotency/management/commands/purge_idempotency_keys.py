"""`manage.py purge_idempotency_keys`: delete expired idempotency records (run it daily)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from idempotency.models import IdempotencyRecord


class Command(BaseCommand):
    help = "Delete idempotency records whose retention has passed."

    def handle(self, *args, **options) -> None:
        deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
        self.stdout.write(f"Deleted {deleted} expired idempotency record(s).")
