"""Settings for the benchmarks (bench/): the real services from the environment, as production
would run them (no DEBUG, so no query log grows in memory), with sign-in by the demo's password
and no API throttle, so the load generator measures the server and not the rate limit."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="bench-key-not-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
MFA_ENFORCED = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "10000000/minute"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
