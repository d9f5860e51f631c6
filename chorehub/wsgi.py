"""WSGI entry point, for tools that want one; serve with ASGI (chorehub.asgi) in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorehub.settings")

application = get_wsgi_application()
