"""ChoreHub settings: one module, every value that differs between machines read from the environment.

Variables are listed in `.env.example`. A `.env` file at the project root is read when present
(development); real environment variables win over it.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from gripcontrol import parse_grip_uri

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Django -------------------------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

if DEBUG:
    SECRET_KEY = SECRET_KEY or "insecure-development-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]
else:
    missing = [
        name
        for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS))
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            f"DEBUG is off (production mode) and {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set. Set them in the environment "
            "(see .env.example), or set DEBUG=1 for development."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Third party
    "rest_framework",
    # API tokens, stored as digests, that expire and can be revoked (issue 13, item 2).
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "django_eventstream",
    "axes",
    "rangefilter",
    # Local. `chorehub` is the composition root (URLs, the composed admin); see docs/architecture.md.
    "chorehub",
    "households",
    "accounts",
    "children",
    "rewards",
    "devices",
    "tracking",
    "insights",
    "achievements",
    "idempotency",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Issue 16: marks a request that Pushpin forwarded (signed with GRIP_URL's key) and turns a
    # stream's hold instructions into Grip-* headers; without GRIP_URL nothing is proxied.
    "django_grip.GripMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Issue 13, item 10: before anything reads an API request's body, so that Django's upload
    # limits answer JSON there (kernel/upload_limits.py).
    "kernel.upload_limits.ApiUploadLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "idempotency.middleware.IdempotencyKeyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it turns a lockout anywhere inside into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chorehub.urls"
WSGI_APPLICATION = "chorehub.wsgi.application"
ASGI_APPLICATION = "chorehub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with statements that ride on the COMMIT (kernel/commit_rider.py).
    DATABASES["default"]["ENGINE"] = "kernel.postgresql"
    # Django turns psycopg's prepared statements off; only the statement that rides on the
    # COMMIT uses them here (it is planned once per connection, not on every action). "off"
    # behind a pooler that cannot keep them (PgBouncer before 1.21 in transaction mode).
    threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="") or "5"
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        None if threshold == "off" else int(threshold)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: IMMEDIATE transactions serialize writers, WAL lets readers run
    # alongside them. https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Tests use a file, not memory, so that a real server process started by a test can share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"chorehub-test-{os.getpid()}.sqlite3")
    }
elif pool_size := env.int("DATABASE_POOL_MAX_SIZE", default=0):
    # Under ASGI every request runs in a thread of its own, so CONN_MAX_AGE cannot keep a
    # connection for the next request: psycopg's pool does (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(env.int("DATABASE_POOL_MIN_SIZE", default=2), pool_size),
        "max_size": pool_size,
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a sign-in while its (username, IP) pair is locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Argon2 first: new and re-hashed passwords use it; older hashes still verify.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: revokes the account's API tokens on every saved password change (admin,
    # `changepassword`, the API), through Django's `password_changed` hook.
    {"NAME": "accounts.password_changes.RevokeTokensOnPasswordChange"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
if not DEBUG:
    # Production serves what `collectstatic` gathered here; development serves from the apps.
    STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own console handler would print every django.request line a second time.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}

# --- Third party --------------------------------------------------------------------------------

# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    # Token first, so that an anonymous request gets 401 with `WWW-Authenticate: Token`.
    # django-rest-knox's tokens (issue 13, item 2; accounts/authentication.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        # A paired child device: `Authorization: Device <credential>` (issue 14, docs/devices.md).
        "devices.authentication.DeviceAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        # A paired child device may only use the routes that opt in (kid mode, issue 14).
        "kernel.principals.AccountsOnly",
    ],
    "DEFAULT_PAGINATION_CLASS": "kernel.api.StrictLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["kernel.api.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kernel.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["kernel.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttles (issue 13, item 4; accounts/throttles.py): per IP address for anonymous callers,
    # per user for signed-in ones; `register` and `token` per IP address on those two views.
    # Counted in Django's cache (local memory: per server process). 429 with Retry-After.
    # https://www.django-rest-framework.org/api-guide/throttling/
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttles.AnonRateThrottle",
        "accounts.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="300/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
        "register": env.str("THROTTLE_REGISTER", default="100/hour"),
        "token": env.str("THROTTLE_TOKEN", default="100/min"),
    },
    # The client's address is REMOTE_ADDR, never X-Forwarded-For (which DRF would otherwise take
    # whole, as the client sent it): the server sets REMOTE_ADDR from forwarded headers only for
    # the proxies it trusts (FORWARDED_ALLOW_IPS, see docs/operations.md).
    "NUM_PROXIES": 0,
}

# django-rest-knox (issue 13, item 2): `Authorization: Token <key>`, keys expire after
# TOKEN_TTL_DAYS. https://jazzband.github.io/django-rest-knox/settings/
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("TOKEN_TTL_DAYS", default=30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "ChoreHub API",
    "DESCRIPTION": "Children, chores, penalties and rewards; every points change is tracked.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # The sidecar ships Swagger UI's files, so /api/docs/ works without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "idempotency.schema.add_idempotency_key",
        "accounts.schema.add_throttled_responses",
        "kernel.body_limit_schema.add_body_too_large",  # issue 13, item 5
        "kernel.forbidden_schema.add_forbidden",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EntityTypeEnum": "tracking.models.EntityType",
        "TrackingActionEnum": "tracking.models.Action",
        "OverrideEntityTypeEnum": ["task", "penalty", "reward"],
        # Two models have a `status` now: the reward request's keeps its name, the claim's gets
        # its own (issue 14).
        "StatusEnum": "rewards.models.RewardRequest.Status",
        "ClaimStatusEnum": "children.models.ClaimStatus",
        "ActorEnum": ["parent", "child"],
        # A badge's period (issue 15), beside insights' figures `period` (day, week, month).
        "BadgePeriodEnum": "achievements.models.Period",
    },
}

# --- Local --------------------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
CHOREHUB_LOG_DIR = Path(env.str("CHOREHUB_LOG_DIR", default="") or BASE_DIR / "logs")
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="chorehub-demo")
# Per-user audit logs: rotation size and backups, and how many users' files stay open at once.
TRACKING_LOG_MAX_BYTES = env.int("TRACKING_LOG_MAX_BYTES", default=10 * 1024 * 1024)
TRACKING_LOG_BACKUP_COUNT = env.int("TRACKING_LOG_BACKUP_COUNT", default=5)
TRACKING_LOG_MAX_OPEN_HANDLERS = env.int("TRACKING_LOG_MAX_OPEN_HANDLERS", default=32)

# Live events: https://github.com/fanout/django-eventstream#readme
EVENTSTREAM_STORAGE_CLASS = "tracking.live.store.RetainedEventStorage"
EVENTSTREAM_CHANNELMANAGER_CLASS = "tracking.live.channels.UserChannelManager"
EVENTSTREAM_RETENTION_MINUTES = env.int("EVENTSTREAM_RETENTION_MINUTES", default=24 * 60)
# Issue 13, items 1 and 7 (tracking/live/open_streams.py, docs/events.md#limits): a stream ends
# after this many seconds (the client resumes with Last-Event-ID); the open streams' credentials
# are re-checked every EVENTSTREAM_CREDENTIAL_CHECK_SECONDS; each user may hold this many open
# streams per server process, the next is a 429.
EVENTSTREAM_MAX_LIFETIME_SECONDS = env.int("EVENTSTREAM_MAX_LIFETIME_SECONDS", default=3600)
EVENTSTREAM_CREDENTIAL_CHECK_SECONDS = env.float(
    "EVENTSTREAM_CREDENTIAL_CHECK_SECONDS", default=2.0
)
EVENTSTREAM_MAX_PER_USER = env.int("EVENTSTREAM_MAX_PER_USER", default=20)
# Issue 16 (docs/pushpin.md): with Pushpin in front, GRIP_URL is its publish endpoint with the key
# it signs forwarded requests with (`http://127.0.0.1:5561?iss=pushpin&key=<sig_key>`). Stream
# requests that come through it are held by Pushpin, not by this process, and events are
# published to it after each commit. Without a key any client could pass for the proxy.
# Several Pushpin instances: their URLs separated by commas (each event is published to each).
# (django-grip reads GRIP_PROXIES; a GRIP_URL setting would be parsed whole, commas included.)
GRIP_PROXIES = []
for grip_url in filter(None, (url.strip() for url in env.str("GRIP_URL", default="").split(","))):
    if "key=" not in grip_url:
        raise ImproperlyConfigured("GRIP_URL needs key=<Pushpin's sig_key> (docs/pushpin.md)")
    GRIP_PROXIES.append(parse_grip_uri(grip_url))
if REDIS_URL:
    from redis.connection import parse_url

    # A short connect timeout: with Redis unreachable, an action must not wait long before it logs.
    EVENTSTREAM_REDIS = {**parse_url(REDIS_URL), "socket_connect_timeout": 1}

# Idempotency-Key: how long a key's first answer is kept (at least 24 h), and after how long a
# request still marked running is taken for dead (its process crashed) so the key can be reused.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
IDEMPOTENCY_RUNNING_TIMEOUT_SECONDS = env.int("IDEMPOTENCY_RUNNING_TIMEOUT_SECONDS", default=60)

# Request bodies (issue 13, item 5): under /api/, a body over API_MAX_BODY_BYTES is refused with a
# 413 in front of Django (chorehub/asgi.py, kernel/body_limit.py), before anything is buffered.
# Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS, defaults) still
# apply behind it, and answer JSON under /api/ too (item 10, kernel.body_limit.ApiUploadLimits).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)

# Failed sign-ins (API token, password change, /accounts/login/, /admin/), counted three ways, each
# against its own limit within AXES_COOLOFF_MINUTES (issue 13, item 3; accounts/lockout.py): one
# username from one IP address (AXES_FAILURE_LIMIT), one username from any address
# (AXES_USERNAME_FAILURE_LIMIT), one address across usernames (AXES_IP_FAILURE_LIMIT). At a limit,
# sign-ins that match it are refused with a 429 until AXES_COOLOFF_MINUTES after the last failure.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_USERNAME_FAILURE_LIMIT = env.int("AXES_USERNAME_FAILURE_LIMIT", default=20)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_HANDLER = "accounts.lockout.FailureLimitsHandler"
# The address is REMOTE_ADDR only, never a header the client can write (the ASGI server sets it
# from X-Forwarded-For only for the proxies named in FORWARDED_ALLOW_IPS, none by default), and
# only when it is an IP address (accounts/client_address.py).
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_ip_address"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
