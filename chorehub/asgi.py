"""ASGI entry point: event streams stay open without holding a thread each."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorehub.settings")

application = get_asgi_application()
