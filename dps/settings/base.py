"""Settings shared by every mode. Values come from the environment; the defaults are the
embedded set-up (SQLite, tasks inline, emails as files) that needs nothing installed."""

import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def env_secret(name, default=None):
    """Read NAME, or the file named by NAME_FILE (Docker and Kubernetes secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name, default):
    """A boolean setting, parsed strictly: a value that is neither a yes nor a no word stops
    start-up, rather than reading as false (SECURE_SSL_REDIRECT=enabled turning it off)."""
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    if raw.lower() in TRUE_WORDS:
        return True
    if raw.lower() in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of {', '.join(sorted(TRUE_WORDS))} or "
        f"{', '.join(sorted(FALSE_WORDS))}."
    )


DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_secret("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SERVICE_NAME = env.str("SERVICE_NAME", default="Children's Placements DPS")
# The prefix of the Open Contracting IDs of the open data at /ocds/ (docs/procurement.md): "ocds-"
# and the six letters or digits the Open Contracting Partnership registers for the publisher. The
# default is a placeholder of that form, for a service that has not registered one.
OCDS_OCID_PREFIX = env.str("OCDS_OCID_PREFIX", default="ocds-000000")
if not re.fullmatch(r"ocds-[a-z0-9]{6}", OCDS_OCID_PREFIX):
    raise ImproperlyConfigured(
        f"OCDS_OCID_PREFIX={OCDS_OCID_PREFIX!r} is not an OCDS prefix: 'ocds-' and six lower-case "
        "letters or digits."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "dps",
    "geography",
    "providers",
    "placements",
    "procurement",
    "monitoring",
    # After monitoring: its demo invoices the placements monitoring's demo makes.
    "finance",
    "scale",
]

MIDDLEWARE = [
    "dps.middleware.RequestReceivedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dps.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "dps.middleware.MfaRequiredMiddleware",
    "dps.middleware.NoStoreMiddleware",
    "dps.api.idempotency.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",
]

FORM_RENDERER = "dps.forms.GovukFormRenderer"
ROOT_URLCONF = "dps.urls"
WSGI_APPLICATION = "dps.wsgi.application"

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
                "csp.context_processors.nonce",
                "dps.context_processors.service",
            ],
        },
    },
    {
        # Plain-text emails: the same templates, rendered without HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Data -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'dps.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a task writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "dps.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast when Redis is unreachable; the cache then answers as if empty.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # A file cache is shared by every process on the machine, which one-time TOTP codes need.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded accreditation documents are refused above this size.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_MB", default=10) * 1024 * 1024
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "dps.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- People and login -------------------------------------------------------------------
AUTH_USER_MODEL = "dps.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "dps.accounts.AccountAdapter"
ACCOUNT_ALLOW_SIGNUP = False
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Sessions end when the browser closes; no "remember me" on shared council computers.
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SERVICE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_PRESERVE_USERNAME_CASING = False
# An account that fails too often is locked by django-axes. Failed sign-ins are also counted
# per address (dps.accounts.AccountAdapter): past that limit only accounts that have not failed
# recently may be tried from it. Attempts as such are not limited, so a right password is never
# refused for other people's failures. allauth keeps its other limits.
ACCOUNT_RATE_LIMITS = {
    "login": False,
    "login_failed": False,
    "login_failed_address": "30/15m/ip",
}

MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SERVICE_NAME
# Accept the code of the 30 seconds before and after too (RFC 6238's one step of drift), so a
# code typed as it rolls over still works; each code still works only once.
MFA_TOTP_TOLERANCE = 1
MFA_REAUTHENTICATION_REQUIRED = True
# Roles that must use a second factor (consortium admins, commissioners, placement officers).
# Only the embedded demo may turn this off; production refuses to start without it.
MFA_ENFORCED = env_bool("MFA_ENFORCED", default=True)

USERSESSIONS_TRACK_ACTIVITY = False

# Lock out an account after 5 failed logins for 15 minutes; the cool-off ends the lock.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# The lock ends a fixed time after it began: attempts while locked (an attacker's, or the
# owner's) do not restart it, so nobody can keep an account locked for good.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Locked per account, not per address: one failing user must not shut out a whole council
# office behind one address. The per-address failure limit (ACCOUNT_RATE_LIMITS) slows spraying.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "dps.accounts.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
# Reverse proxies in front of the service: the client's address is read through them
# (dps.accounts.client_address, for axes, the sign-in limit and the audit log alike).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "dps.accounts.client_address"

# Sessions end after 30 minutes idle and 12 hours in all.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_MAX_AGE = env.int("SESSION_MAX_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Email ------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://")
globals().update(EMAIL_CONFIG)
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    # filemail:// names no folder (its path is ""): without one, emails (reset links
    # included) would be written to the working directory.
    EMAIL_FILE_PATH = (
        env.str("EMAIL_FILE_PATH", default="")
        or EMAIL_CONFIG["EMAIL_FILE_PATH"]
        or str(VAR_DIR / "mail")
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="DPS <no-reply@dps.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20
# Failed sends are retried with exponential backoff, this many times, then marked failed.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=6)

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Processes that share one Redis but must not take each other's tasks use their own queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing to a broker that is down must fail fast: the outbox sweep sends it later.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULE = {
    # With the claim lease (dps.services.emails.CLAIM_LEASE), no email waits over a minute.
    "emails-sweep": {"task": "dps.tasks.emails_sweep", "schedule": 30.0},
    "idempotency-purge": {"task": "dps.tasks.idempotency_keys_purge", "schedule": 3600.0},
    "documents-expiry": {
        "task": "providers.tasks.documents_expiry_sweep",
        "schedule": crontab(hour=6, minute=0),
    },
    "quality-nightly": {
        "task": "providers.tasks.quality_scores_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    "requests-close": {"task": "placements.tasks.requests_close_due", "schedule": 30.0},
    # Just after midnight: a fee change dated ahead is the placement's fee from its first day.
    "fees-roll": {
        "task": "placements.tasks.fees_roll_daily",
        "schedule": crontab(hour=0, minute=5),
    },
    "kpis-nightly": {
        "task": "monitoring.tasks.kpis_nightly",
        "schedule": crontab(hour=3, minute=0),
    },
    "monitoring-reports-quarterly": {
        "task": "monitoring.tasks.reports_generate_quarter",
        "schedule": crontab(day_of_month=5, month_of_year="1,4,7,10", hour=6, minute=30),
    },
    "notices-daily": {
        "task": "procurement.tasks.notices_daily",
        "schedule": crontab(hour=6, minute=15),
    },
    "monitoring-visits-schedule": {
        "task": "monitoring.tasks.visits_schedule_daily",
        "schedule": crontab(hour=5, minute=30),
    },
}
CELERY_TIMEZONE = "Europe/London"
# Monitoring visits: months between visits to a service (sooner for lower Ofsted ratings).
VISIT_INTERVAL_MONTHS = env.int("VISIT_INTERVAL_MONTHS", default=6)
# KPIs: a run computes every return year (1 April to 31 March) the data covers, the current
# one included, but never more than this many, however early a (wrong) date.
KPI_MAX_YEARS = env.int("KPI_MAX_YEARS", default=15)

# Providers: vacancy figures not confirmed for this many days are flagged "Out of date".
VACANCY_STALE_DAYS = env.int("VACANCY_STALE_DAYS", default=14)
# Mini-competitions: bids close this many hours after publishing unless the officer sets a
# deadline; no deadline may be sooner than MIN_BID_WINDOW_MINUTES. A request is closed
# CLOSE_GRACE_SECONDS after its deadline, so bids that arrived in time finish saving first.
PLANNED_BID_HOURS = env.int("PLANNED_BID_HOURS", default=24)
EMERGENCY_BID_HOURS = env.int("EMERGENCY_BID_HOURS", default=4)
MIN_BID_WINDOW_MINUTES = env.int("MIN_BID_WINDOW_MINUTES", default=30)
CLOSE_GRACE_SECONDS = env.int("CLOSE_GRACE_SECONDS", default=5)
# The header a trusted front proxy stamps each request with as it receives it (e.g.
# "X-Request-Start"); a bid is then judged against its deadline by that time, not by when a
# worker got to it. Off unless the proxy overwrites the header on every request.
REQUEST_START_HEADER = env.str("REQUEST_START_HEADER", default="")

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dps.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "dps.api.permissions.HasScope",
    ],
    "DEFAULT_PAGINATION_CLASS": "dps.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["dps.api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "dps.api.schema.AutoSchema",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["dps.api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": env.str("API_THROTTLE_RATE", default="600/minute")},
    "EXCEPTION_HANDLER": "dps.api.exceptions.problem_details_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SERVICE_NAME} API",
    "DESCRIPTION": "The REST API through which borough case systems and providers use the DPS.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and its Swagger UI are public documentation (no tenant data): anyone may read
    # them, whatever credentials they send. Swagger UI is served from our own static files.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for the Ofsted ratings, whichever field holds them (a service's, a correction's).
    "ENUM_NAME_OVERRIDES": {
        "OfstedRatingEnum": "providers.models.services.OfstedRating",
        # Why a place, and so a distance, is not known (geography.selectors.Unknown).
        "LocationUnknownEnum": "geography.selectors.Unknown",
    },
}
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)

# --- Locale -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs each step of each PDF, fontTools each font it subsets.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
