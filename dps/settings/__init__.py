"""Settings are chosen by DJANGO_ENV: "production", "test", or the embedded default."""

import os

_env = os.environ.get("DJANGO_ENV", "local").strip().lower()

if _env == "production":
    from .production import *  # noqa: F403
elif _env == "test":
    from .test import *  # noqa: F403
elif _env == "local":
    from .local import *  # noqa: F403
else:
    raise RuntimeError(f"DJANGO_ENV must be production, test or local, not {_env!r}")
