"""Settings shared by every environment. Values from the environment come from ``env.py`` only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
from csp.constants import NONE, SELF

from quarterhour.platform.env import read_env

# Django's admin and form classes subscriptable at run time (``admin.ModelAdmin[Model]``)
django_stubs_ext.monkeypatch()

ENV = read_env()
PLATFORM_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = ENV.data_dir

DEBUG = ENV.debug
# a development key for the embedded SQLite set-up; production refuses to start without SECRET_KEY
SECRET_KEY = (
    ENV.secret_key or "dev-only-insecure-key-quarterhour-do-not-use-in-production-0123456789"
)
ALLOWED_HOSTS = ENV.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "quarterhour.platform.core",
    "quarterhour.platform.accounts",
    "quarterhour.platform.audit",
    "quarterhour.platform.geography",
    "quarterhour.platform.facilities",
    "quarterhour.platform.catalogue",
    "quarterhour.platform.planning",
    "quarterhour.platform.web",
    "quarterhour.platform.notifications",
    "quarterhour.platform.jobs",
    "quarterhour.platform.requests",
    "quarterhour.platform.open311",
    "quarterhour.platform.certification",
    "quarterhour.platform.sharing",
    "quarterhour.platform.volunteers",
    "quarterhour.platform.evaluation",
    "quarterhour.platform.meetings",
    "quarterhour.platform.funding",
    "quarterhour.platform.portal",
    "quarterhour.platform.hsds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # django-csp, the policy built once per process (web/csp.py)
    "quarterhour.platform.web.csp.FixedPolicyCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # an anonymous visitor's kept near-me page, answered before the session, auth and the rest
    # (portal/kept.py; the middleware above add the security headers and the CSP to it)
    "quarterhour.platform.portal.kept.KeptNearMeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "quarterhour.platform.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # before any view: text no person types (NUL, vertical tab …) is refused with a 400
    "quarterhour.platform.core.middleware.RefuseControlCharacters",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # last, as django-axes asks: turns a locked-out login into the lock-out page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "quarterhour.platform.urls"
WSGI_APPLICATION = "quarterhour.platform.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
# after login each role goes to its own home (accounts.homes.home_url); this is the fallback
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "/"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quarterhour.platform.web.context.platform",
            ],
        },
    }
]

DATABASES = {"default": ENV.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Login throttling (django-axes): failed logins are counted per account and per address (the
# connection's own, or the forwarded one only with QUARTERHOUR_TRUSTED_PROXIES > 0); an account is
# locked after AXES_FAILURE_LIMIT failures, an address (an office behind one NAT shares one)
# after QH_LOGIN_ADDRESS_LIMIT, each for AXES_COOLOFF_TIME after its last failure. Unknown user
# names are counted like known ones, so the lock-out tells nothing about who exists.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = 5
QH_LOGIN_ADDRESS_LIMIT = 20
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_HANDLER = "quarterhour.platform.accounts.throttle.AccountAndAddressHandler"
AXES_CLIENT_IP_CALLABLE = "quarterhour.platform.accounts.throttle.client_address"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
QH_TRUSTED_PROXIES = ENV.trusted_proxies

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# i18n: Chinese first (msgids are Chinese), English as the switch (locale/en)
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PLATFORM_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT: Path | None = None  # production: collectstatic target (settings/production.py)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# serve straight from the apps' static folders when collectstatic has not been run (demo)
WHITENOISE_USE_FINDERS = True
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # the map library from the django-leaflet wheel (its app is not installed: it needs GDAL)
    "quarterhour.platform.portal.staticfinder.LeafletFinder",
]

# sessions and cookies: HTTP-only, same-site, short-lived enough for shared office computers
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "quarterhour.platform.web.errors.csrf_failure"

# map: "none" draws our own vector map; a tile URL template is used only when configured
MAP_TILES = ENV.map_tiles
QH_DEMO = ENV.demo


def _tile_origins(map_tiles: str) -> list[str]:
    """Where the map's tile images come from (the CSP's img-src), from ``MAP_TILES`` (the named
    choices are those of portal/maps.py: ``osm``, ``tianditu:<key>``, or a URL template)."""
    from urllib.parse import urlsplit

    if map_tiles == "none":
        return []
    if map_tiles == "osm":
        return ["https://tile.openstreetmap.org"]
    if map_tiles.startswith("tianditu:"):
        return ["https://*.tianditu.gov.cn"]
    parts = urlsplit(map_tiles.replace("{s}", "*"))
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


# Content-Security-Policy (django-csp): scripts, styles and everything else from this site only;
# no inline script, inline event handler or style attribute on any page (tests/platform/journeys/
# test_crawl.py checks every page); tile images from the configured tile server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_tile_origins(MAP_TILES)],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# the numbers residents are given on the portal and the convenience cards
QH_HOTLINE = ENV.hotline
QH_SUPERVISION_PHONE = ENV.supervision_phone
QH_STANDARD = "beijing-2011"

# Imports (facility registers, community lists) uploaded from the web: the largest file taken
# (the upload is cut off beyond it, never held), and how far a spreadsheet may reach — checked
# before it is loaded and as its rows stream (engine.tables.TableLimits)
QH_IMPORT_MAX_BYTES = 10 * 1024 * 1024
QH_IMPORT_MAX_ROWS = 50_000
QH_IMPORT_MAX_COLUMNS = 100
QH_IMPORT_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
QH_IMPORT_MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
QH_UPLOAD_DIR = DATA_DIR / "uploads"

# Walk assessment defaults (the engine's policy constants are the source of truth)
QH_NETWORK_DIR = DATA_DIR / "networks"
# background assessments run tile by tile (engine.tiling): tile size, where the tiles' answers
# are kept for the next run (a facility change then recomputes only the tiles near it), and an
# optional Dask scheduler to run the tiles on (none: in the worker process)
QH_TILE_M = ENV.tile_m
QH_STATE_DIR = ENV.state_dir  # None: DATA_DIR / "assessment-state"
QH_DASK_SCHEDULER = ENV.dask_scheduler
QH_DASK_TIMEOUT_S = 10.0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "quarterhour.platform.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": ENV.log_level},
    "loggers": {
        "django": {"handlers": ["console"], "level": ENV.log_level, "propagate": False},
        "quarterhour": {"handlers": ["console"], "level": ENV.log_level, "propagate": False},
    },
}
#: near me's walking areas kept per snapped place, per process (portal/areas.py); 0 keeps none
QH_WALK_AREA_KEEP = ENV.walk_area_keep
