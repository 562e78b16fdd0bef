import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from dps.runtime import freeze_startup_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dps.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every view now, so that they are frozen too
freeze_startup_objects()
