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

# Caches. "pages" holds rendered staff-page fragments keyed by the register's data version
# (web/pagecache.py), so an edit is seen on the next request and nothing is ever invalidated by
# hand. It lives in files under the data dir: shared by all gunicorn workers of one host (a page
# rendered by one worker serves them all) and kept across restarts. With several hosts, point it
# at a shared cache instead, e.g.
#   {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://…:6379/1"}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "qh"},
    "pages": {
        # Django's file cache, looking at its folder's size every 200th store, not every store
        "BACKEND": "quarterhour.platform.web.filecache.FileCache",
        "LOCATION": str(DATA_DIR / "cache" / "pages"),
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
    "sessions": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "sessions"),
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}
# Sessions read through the same kind of host-wide cache (written to the database as well, so a
# restart or an evicted entry loses nothing; logging out deletes both, for every worker at once)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

# The public directory's version (the key of near-me pages kept in memory) is read at most every
# 250 ms per worker instead of for every request: a place opening or closing saved by another
# worker shows on near me up to 250 ms later (web/pagecache.recent_directory_version)
QH_DIRECTORY_VERSION_MAX_AGE_MS = 250

# The worker's long-lived data (Django's own, the near-me directory) moved out of the cyclic
# garbage collector's way once built (core/gcsettle.py): full collections of 90-160 ms under
# load were most of near me's p95 and p99
QH_GC_SETTLE = True

# Compiled templates kept for the life of the worker (explicit, whatever DEBUG says)
TEMPLATES = [
    {
        **TEMPLATES[0],  # noqa: F405
        "APP_DIRS": False,
        "OPTIONS": {
            **TEMPLATES[0]["OPTIONS"],  # noqa: F405
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    }
]
