"""The embedded default: runs on a fresh machine with nothing but Python and Node."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "embedded-demo-key-not-for-production"  # noqa: F405
# The demo runs over plain http: HSTS would pin the browser to https for localhost.
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=0)
MFA_ENFORCED = env_bool("MFA_ENFORCED", default=False)
# Serve static files straight from their sources, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
