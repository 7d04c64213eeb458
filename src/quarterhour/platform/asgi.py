"""ASGI entry point (uvicorn/daphne ``quarterhour.platform.asgi:application``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quarterhour.platform.settings.production")
application = get_asgi_application()
