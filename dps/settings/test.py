"""Settings for the test suite: the embedded defaults, made fast and deterministic."""

from .base import *  # noqa: F403
from .base import REDIS_URL, env

SECRET_KEY = "test-key-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MFA_ENFORCED = True
# The integration tests' Celery worker sends over real SMTP: EMAIL_URL, when given, wins.
# (pytest itself always swaps in the locmem backend for the test process.)
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Each test process keeps its own cache. A shared Redis cache would let one xdist worker's
# cache.clear() (a FLUSHDB) wipe the rate-limit counts another worker's test is relying on.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "100000/minute"}}  # noqa: F405
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
