"""Production: behind a TLS-terminating proxy, gunicorn workers, PostgreSQL by DATABASE_URL.

Refuses to start without SECRET_KEY. ``manage.py check --deploy`` is clean with these settings.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from quarterhour.platform.settings.base import *  # noqa: F403
from quarterhour.platform.settings.base import DATA_DIR, ENV

if not ENV.secret_key:
    raise ImproperlyConfigured("SECRET_KEY must be set in production / 生产环境必须设置 SECRET_KEY")
SECRET_KEY = ENV.secret_key
DEBUG = False
WHITENOISE_USE_FINDERS = False
STATIC_ROOT = DATA_DIR / "static"  # `quarterhour manage collectstatic` fills it
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
