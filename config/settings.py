"""Settings for the HR approval engine.

One module, one source of configuration: environment variables (or a `.env` file beside manage.py),
read with django-environ. With no variables at all the app runs embedded: SQLite under var/, mail
written to files under var/mail/, the scheduler as `manage.py run_scheduler`. Production sets
DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), EMAIL_URL (SMTP), SECRET_KEY, AUDIT_KEY and
ALLOWED_HOSTS; README.md, "Production settings", lists every variable with its default.

DEBUG is off unless DEBUG=1 is set (`make run` sets it: development mode, with a banner on every
page). With DEBUG off the defaults are production's: HTTPS only (redirect, HSTS, Secure cookies).
"""

import datetime as dt
import secrets
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.keys import is_weak_key, key_from_env_or_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Development mode only when asked for (`make run` sets DEBUG=1): Django's debug pages show the
# code and the settings, so DEBUG is never on by default (issue 11, finding 9).
DEBUG = env.bool("DEBUG", default=False)

# SECRET_KEY: the variable when set (several app servers must share it); otherwise the key in
# VAR_DIR/secret.key, generated once on first use (0600). There is no built-in key. A weak key
# (Django's bar: under 50 characters, under 5 different ones, startproject's "django-insecure-")
# stops production from starting.
SECRET_KEY = key_from_env_or_file("SECRET_KEY", VAR_DIR / "secret.key")
if not DEBUG and is_weak_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production (it needs at least 50 characters, 5 of them "
        "different, and no 'django-insecure-' prefix). Unset it to use the key generated in "
        f"{VAR_DIR / 'secret.key'}, or set a long random one."
    )

# The host names the site answers to (ALLOWED_HOSTS=hr.example.com,hr.intranet); the local
# addresses by default. CSRF_TRUSTED_ORIGINS: the https:// origins of forms posted from another
# host than the one serving them (rare; a proxy that rewrites the Host header).
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- HTTPS ----------------------------------------------------------------------------------
# With DEBUG off, production defaults: plain http is redirected to https, browsers are told to
# use https only for a year (HSTS, subdomains included), cookies travel over https only. Each
# can be switched by its variable. In development mode (DEBUG=1) all are off, so
# http://127.0.0.1:8000 works.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preload asks browsers to ship the domain in their HSTS lists: a commitment for the whole
# domain, so it is opt-in (check --deploy warns, W021, until it is set).
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Behind a proxy that terminates TLS and forwards plain http, the app only knows the request was
# https from a header the proxy sets: SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto trusts
# "X-Forwarded-Proto: https". Set it only when the proxy always sets (or strips) that header:
# otherwise a client could claim https itself.
if _proxy_header := env.str("SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")

# Error reports (the DEBUG page, mails to ADMINS) mask connection URLs too (config/reporting.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.reporting.SafeExceptionReporterFilter"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our static files, no CDN
    "django_htmx",
    "viewflow",
    "viewflow.workflow",
    "axes",  # login throttling (after django.contrib.auth)
    "csp",  # Content-Security-Policy header (django-csp)
    "org",
    "performance",
    "policy",
    "audit",
    "approvals",
    "workflows",
    "casework",
    "notifications",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files before anything else touches the request (sessions, locale): whitenoise.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a locked-out login (django-axes) into the login page with its message (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "django.template.context_processors.i18n",
                "config.context_processors.dev_mode",
                "notifications.context_processors.notices",
                "workflows.inbox_views.nav_counts",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (checked before reuse): a request does not open its own connection to
# PostgreSQL. `?conn_max_age=` in DATABASE_URL, or DB_CONN_MAX_AGE, sets it; 0 closes each time.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Every transaction takes SQLite's write lock when it begins (BEGIN IMMEDIATE) and waits up
    # to `timeout` seconds for it: two requests deciding the same case queue one behind the
    # other, and the second reads the decided case and gets a 409. With the default deferred
    # transactions both read first, and the second to write failed at once with "database is
    # locked" (the busy timeout cannot help a reader that wants to become a writer).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=env.int("SQLITE_TIMEOUT", default=20)
    )
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if USING_POSTGRES and env.bool("DB_PREPARED_STATEMENTS", default=True):
    # Parameters bound by the server, and a statement the connection has run twice kept
    # prepared: an action's lock statements spend more time being planned (~0.4 ms) than run
    # (~0.1 ms). Off (DB_PREPARED_STATEMENTS=0) behind a pooler in transaction mode, which
    # cannot keep a prepared statement on its connection.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# `changepassword`, the admin and any password form refuse short, common, all-digit passwords
# and ones close to the username, name or e-mail (`set_password` alone, as in seed_demo, does not
# validate).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is locked out for AXES_COOLOFF_MINUTES (the page and the admin answer
# 429 with a message); a successful login clears the count. The client address is REMOTE_ADDR:
# behind a reverse proxy, install django-ipware and set AXES_IPWARE_PROXY_COUNT (django-axes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "org.backends.RoleBackend",  # ModelBackend, permissions in one statement
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "org.login.lockout_response"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("COMPANY_TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing one before collectstatic
MEDIA_ROOT = VAR_DIR / "media"
# The project's own static files (vendored libraries under static/vendor/, e.g. htmx).
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production (DEBUG=False): `collectstatic` writes compressed, content-hashed files into
# STATIC_ROOT and whitenoise serves them with far-future cache headers; no web server or CDN is
# needed. With DEBUG (runserver, tests) the plain storage serves the apps' files directly, so
# nothing needs collecting first. The test suite (DEBUG off) switches to the plain storage in
# tests/conftest.py.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "config.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Content-Security-Policy (django-csp) ----------------------------------------------------
# Scripts, styles and images from the app's own origin only: no inline script or style, no
# style="" attribute, no handler attribute (onclick=...) anywhere in the pages; their behaviour is
# in static/js/app.js and their looks in static/css/app.css. The pages cannot be framed
# (frame-ancestors, besides X-Frame-Options: DENY) and forms post only to the app. Views that
# need more relax it for themselves with django-csp's decorators (none today: the API docs use
# drf-spectacular's split view, whose script is a file). With DEBUG, Django's own 404 and 500
# debug pages (inline styles and scripts) are left without the header by django-csp.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Mail -----------------------------------------------------------------------------------
# Messages are persisted in the outbox first; the scheduler delivers them through Django's mail
# framework. The embedded default writes each mail to a file under var/mail/.
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="hr-approvals@localhost")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Audit log -----------------------------------------------------------------------------
# Each audit event is signed with HMAC-SHA256 under AUDIT_KEY, which is never stored in the
# database. Production sets it (and keeps it: without it nothing can be verified). The embedded
# default generates a random key once into VAR_DIR/audit.key (mode 0600), like a dev secret.
# Rotating: set the new AUDIT_KEY and list the old ones in AUDIT_PREVIOUS_KEYS; every event and
# checkpoint stores the id of the key that signed it (first 8 hex of its SHA-256).
AUDIT_KEY = key_from_env_or_file(
    "AUDIT_KEY", VAR_DIR / "audit.key", generate=lambda: secrets.token_hex(32)
)
AUDIT_PREVIOUS_KEYS = env.list("AUDIT_PREVIOUS_KEYS", default=[])
# Checkpoints over every case chain, appended as signed lines to a file the database cannot
# rewrite (see docs/architecture.md, "The audit chain"); the sweep writes one a day.
AUDIT_CHECKPOINT_FILE = env.str(
    "AUDIT_CHECKPOINT_FILE", default=str(VAR_DIR / "audit-checkpoints.jsonl")
)
AUDIT_CHECKPOINT_HOURS = env.int("AUDIT_CHECKPOINT_HOURS", default=24)

# --- Scheduler ------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TIMEZONE = TIME_ZONE
# The queue beat sends the sweep to and the workers take it from: two deployments sharing one
# broker (staging beside production) need their own, or one's workers sweep the other's beats.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
# A worker takes one message per free process, so a sweep waits for an idle worker rather than
# behind a busy one; a worker that starts before the broker is up keeps trying to connect.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
SCHEDULER_INTERVAL_SECONDS = env.int("SCHEDULER_INTERVAL_SECONDS", default=30)

# --- Cache ----------------------------------------------------------------------------------
# The API's throttles count in the cache: with several app servers they must share one (Redis,
# e.g. CACHE_URL=rediscache://127.0.0.1:6379/1), or each process counts on its own and the
# limits multiply by the number of workers. The embedded default is one process: local memory.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated request then gets 401 with WWW-Authenticate, not 403.
        # A token that fails counts against the caller's address; past the "token_failure"
        # rate every token from it is refused with 429 until the window passes.
        "api.authentication.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="60/minute"),
        "token_failure": env.str("API_TOKEN_FAILURE_RATE", default="10/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": None,
    # JSON that Python reads but nothing downstream holds (deep nesting, NUL, lone surrogates)
    # is a 400 (issue 11).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",  # + the error answers (api/schema.py)
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HR approval engine API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs pages load Swagger UI and ReDoc from drf-spectacular-sidecar's static files: the
    # product runs on intranets without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator badge: it would send the schema's address to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
