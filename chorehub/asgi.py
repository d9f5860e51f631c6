"""ASGI entry point (uvicorn). Event streams are served here; each open one still holds a server
thread in Django's sync part (docs/events.md).

Django is wrapped in `ApiBodyLimit`, so that a body over API_MAX_BODY_BYTES under /api/ is refused
before Django's handler buffers it (docs/operations.md)."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

from kernel.body_limit import ApiBodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorehub.settings")

django_application = get_asgi_application()
application = ApiBodyLimit(django_application, max_bytes=settings.API_MAX_BODY_BYTES)
