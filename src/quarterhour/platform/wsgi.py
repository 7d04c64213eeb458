"""WSGI entry point (gunicorn ``quarterhour.platform.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quarterhour.platform.settings.production")
application = get_wsgi_application()

from quarterhour.platform.core.gcsettle import settle_if_enabled  # noqa: E402

settle_if_enabled()  # Django's modules and URL patterns: out of later collections
