"""Settings shared by every environment. Values from the environment come from ``env.py`` only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django_stubs_ext

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
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
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
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "quarterhour.platform.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "quarterhour.platform.urls"
WSGI_APPLICATION = "quarterhour.platform.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

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

# map: "none" draws our own vector map; a tile URL template is used only when configured
MAP_TILES = ENV.map_tiles
QH_DEMO = ENV.demo
# the numbers residents are given on the portal and the convenience cards
QH_HOTLINE = ENV.hotline
QH_SUPERVISION_PHONE = ENV.supervision_phone
QH_STANDARD = "beijing-2011"

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
