"""WSGI entry point: what serves the API behind Pushpin (gunicorn's threads, `make run-pushpin`),
where Pushpin holds the streams and Django holds none. A stream that did not come through Pushpin
is refused here (a WSGI server cannot stream); `make run` serves streams itself with ASGI
(chorehub.asgi).

Django is wrapped in `WsgiApiBodyLimit` (the body cap under /api/, as chorehub.asgi has it) and,
when `FORWARDED_ALLOW_IPS` names the proxies, in `TrustedProxies` (the client's address from
their `X-Forwarded-For`; none by default)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from chorehub.forwarded import TrustedProxies, trusted_proxies
from kernel.wsgi_body_limit import WsgiApiBodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorehub.settings")

django_application = get_wsgi_application()
application = WsgiApiBodyLimit(django_application, max_bytes=settings.API_MAX_BODY_BYTES)
if proxies := trusted_proxies(os.environ.get("FORWARDED_ALLOW_IPS", "")):
    application = TrustedProxies(application, proxies)
