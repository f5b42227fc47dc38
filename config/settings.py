"""Levelhead settings: one module, driven by the environment.

Defaults are safe for development (SQLite, DEBUG on, console email). Production sets
``DEBUG=false`` and must provide ``SECRET_KEY``; see README.md for every variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# An optional .env file next to manage.py (never committed; see .env.example).
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# A boolean variable is `true` or `false` (any case). django-environ's env.bool reads every
# other string as False, so a typo such as DEBUG=flase would silently turn debug off (or
# AXES_ENABLED=ture the lockout off): anything else, 1/0 and yes/no included, stops
# start-up instead, so there is one spelling to read in every deployment's settings.
_TRUE_STRINGS = frozenset({"true"})
_FALSE_STRINGS = frozenset({"false"})


def env_bool(name: str, *, default: bool) -> bool:
    """The boolean environment variable ``name``, or ``default`` when it is not set."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE_STRINGS:
        return True
    if value in _FALSE_STRINGS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en-gb"
SITE_NAME = env.str("SITE_NAME", default="Levelhead")

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "org.admin_config.LevelheadAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "core",
    "org",
    "rubrics",
    "reviews",
    "upward",
    "calibration",
    "audit",
    "outcomes",
    "home",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After WhiteNoise (static files keep their caching) and authentication.
    "core.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the site-wide policy built once (core/middleware.py).
    "core.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Every 404 is the product's page (JSON under /api/), also with DEBUG on. Inside
    # CommonMiddleware (a missing slash still redirects) and CSP (its header is kept).
    "core.error_pages.NotFoundMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "home.context_processors.roles",
            ],
        },
    },
]

# DATABASE
# ------------------------------------------------------------------------------
# SQLite by default so a fresh checkout runs with no other service.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # transactions are explicit in services
# Each web process keeps its connection between requests instead of opening one per
# request (a new SQLite connection costs more than a small page; PostgreSQL's far more).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead logging: readers never wait for a writer, and a commit is one append
    # to the log (synced at checkpoints) instead of a rewritten journal with three
    # fsyncs; the usual settings for SQLite behind several processes. Write
    # transactions take the lock when they begin, so two processes never deadlock
    # upgrading a read to a write (they wait up to the timeout instead).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# AUTH
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, keeping the signed-in login per data version (core/auth.py).
    "core.auth.CachedModelBackend",
    # Sessions signed in before the cached backend existed still load.
    "django.contrib.auth.backends.ModelBackend",
]
# Company sign-in with OpenID Connect (org/oidc.py, SPEC §10.1); off while OIDC_ISSUER
# is empty. Register <site>/oidc/callback/ as the redirect URI at the provider.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your company account")
OIDC_HR_GROUPS = env.list("OIDC_HR_GROUPS", default=[])
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False  # only people HR added may sign in
OIDC_STORE_ID_TOKEN = True  # for the provider's end-session endpoint at sign-out
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "company-sign-in-refused"
# false: no password sign-in (the sign-in page, the token endpoint) but for superusers.
LOCAL_LOGIN = env_bool("LOCAL_LOGIN", default=True)
# Answers only the OIDC callback (and nothing while OIDC_ISSUER is empty).
AUTHENTICATION_BACKENDS.append("org.oidc.CompanySignIn")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Name of the group whose members hold the HR role (superusers hold it implicitly).
HR_GROUP_NAME = "HR"
# A review is submitted only when every competency cites evidence (SPEC §1.3); false lets
# a review be submitted with competencies that cite none (reviews/lint.py).
LEVELHEAD_REQUIRE_EVIDENCE = env_bool("LEVELHEAD_REQUIRE_EVIDENCE", default=True)
# Fairness audits suppress groups smaller than this (SPEC §6).
AUDIT_MIN_GROUP_SIZE = env.int("AUDIT_MIN_GROUP_SIZE", default=5)
# A dimension with more groups than this (teams or managers of a big org) is summarised on
# the report page and in the PDF: the reference group and the groups below four-fifths.
# The JSON report and the CSV always hold every group.
AUDIT_MAX_LISTED_GROUPS = env.int("AUDIT_MAX_LISTED_GROUPS", default=30)
# Anonymous upward feedback (SPEC §11.4): answers are shown, as an aggregate only, once at
# least this many people have answered.
ANONYMOUS_MIN_RESPONSES = env.int("ANONYMOUS_MIN_RESPONSES", default=3)

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_CALLABLE = "org.views.lockout"
# Failed attempts are rows in the database (axes' default database handler), so every web
# process and machine sees the same lockouts; no cache is involved.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# PROXIES
# ------------------------------------------------------------------------------
# How many reverse proxies (load balancer, TLS terminator) stand between the client and
# gunicorn, each appending the address it saw to X-Forwarded-For. 0: the header is
# ignored and the client is REMOTE_ADDR. With N the client is the N-th address from the
# right, the one the outermost trusted proxy saw; whatever a client wrote further left is
# ignored, so it cannot pick its own address. The login throttle (DRF) and the lockout
# (axes, through core.client_ip) both count per this address.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("TRUSTED_PROXIES must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"

# STATIC FILES
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"

# CACHE
# ------------------------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://levelhead")}
# redis:// URLs get the project's subclass of Django's backend (core/cache.py).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "core.cache.RedisCache"
# State that every web process must see alike (the login throttle's counts): with the
# default per-process memory cache, each gunicorn worker would count on its own and N
# workers would allow N times the rate. When CACHE_URL already names a shared backend
# (Redis, Memcached, files, database) it is used; otherwise a table in the database
# (created by `manage.py createcachetable`, which `make migrate` and the test setup run).
_PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
CACHES["shared"] = (
    {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "levelhead_cache"}
    if CACHES["default"]["BACKEND"] in _PER_PROCESS_CACHES
    else dict(CACHES["default"])
)
# Sessions: read through a fast shared cache (Redis, Memcached) and written through to the
# database, so a signed-in request costs no session query. Only with a cache that every
# process shares: with a per-process one, signing out in one worker would leave the
# session alive in another worker's copy. The database cache would save nothing.
_FAST_SHARED_CACHES = {
    "core.cache.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
}
# Signed-in pages and API answers kept per viewer until the next write (core/page_cache.py).
LEVELHEAD_PAGE_CACHE = env_bool("LEVELHEAD_PAGE_CACHE", default=True)
# With Redis: each process keeps the session and the data version it read, until Redis
# notices a change to them (core/near_cache.py).
LEVELHEAD_NEAR_CACHE = env_bool("LEVELHEAD_NEAR_CACHE", default=True)
SESSION_ENGINE = (
    "core.sessions"
    if CACHES["default"]["BACKEND"] in _FAST_SHARED_CACHES
    else "django.contrib.sessions.backends.db"
)

# EMAIL
# ------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp://user:password@mail.example.org:587/?tls=True, submit+tls://…,
# consolemail:// (the default: messages are printed) or filemail:///path.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or ""
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="levelhead@localhost")
# Invitation and password-reset links are valid this long (SPEC §10.2: 72 hours).
PASSWORD_RESET_TIMEOUT = 72 * 3600
# Where links in emails point (e.g. https://levelhead.example.org); empty: the address
# the request that sent them came to.
SITE_URL = env.str("SITE_URL", default="")

# SECURITY
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Trust X-Forwarded-Proto only when a proxy in front sets it: without one, any client
# could send `X-Forwarded-Proto: https` over plain HTTP and be taken as secure.
USE_X_FORWARDED_PROTO = env_bool("USE_X_FORWARDED_PROTO", default=False)
if USE_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every page is served with a policy that forbids inline script and third-party origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if OIDC_ISSUER:
    # Signing out of a company sign-in continues at the provider's end-session page (a
    # form's redirect, which form-action governs).
    _issuer = urlsplit(OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(  # type: ignore[index]
        f"{_issuer.scheme}://{_issuer.netloc}"
    )
CONTENT_SECURITY_POLICY_REPORT_ONLY: dict[str, object] | None = None
# Largest request body Django will read; larger API payloads answer 400, not 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# API
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that anonymous API calls answer 401 with a WWW-Authenticate header.
        "core.auth.CachedTokenAuthentication",
        # `Authorization: Bearer <secret>` from CI/CD and incident tools: outcome writes only.
        "outcomes.auth.IngestionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bodies too deep, not finite or not text answer 400 (config/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "core.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": env.str("LOGIN_THROTTLE_RATE", default="10/min")},
    # Without this DRF keys throttles on the whole X-Forwarded-For header, which the
    # client writes: a new header per request was a new counter (see PROXIES above).
    "NUM_PROXIES": TRUSTED_PROXIES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Levelhead API",
    "DESCRIPTION": (
        "Engineering performance reviews that are rigorous without fear: published level "
        "rubrics, evidence-linked reviews, calibration against the rubric and fairness audits."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from validator.swagger.io: the docs load nothing from other origins.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "RubricVersionStatusEnum": "rubrics.models.RubricVersion.Status",
        "CycleStatusEnum": "reviews.models.ReviewCycle.Status",
        "ReviewStatusEnum": "reviews.models.Review.Status",
        "FeedbackStatusEnum": "reviews.models.FeedbackRequest.Status",
        "EvidenceKindEnum": "reviews.models.Evidence.Kind",
        "CaseKindEnum": "calibration.models.CalibrationCase.Kind",
        "CaseStatusEnum": "calibration.models.CalibrationCase.Status",
        "SessionStatusEnum": "calibration.models.CalibrationSession.Status",
        "DoraClusterEnum": "outcomes.selectors.dora.CLUSTERS",
    },
}

# BACKGROUND TASKS
# ------------------------------------------------------------------------------
# The database backend needs no other service; a worker runs `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A background document (packet, audit PDF) queued or running with no heartbeat for this
# long is taken as lost (its worker was killed) and queued again (core/background_documents.py). A
# live build renews its heartbeat every quarter of this.
BUILD_LEASE_SECONDS = env.float("BUILD_LEASE_SECONDS", default=120.0)
if BUILD_LEASE_SECONDS <= 0:
    raise ImproperlyConfigured("BUILD_LEASE_SECONDS must be more than 0.")

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Optional machine-local overrides, never committed.
try:
    from .local_settings import *  # noqa: F403
except ImportError:
    pass
