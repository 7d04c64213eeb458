"""Settings for pytest: fast hashing, in-memory mail, quiet logs. Database from DATABASE_URL or
a SQLite file in a temporary data dir (pytest-django creates the test database)."""

from __future__ import annotations

from quarterhour.platform.settings.base import *  # noqa: F403
from quarterhour.platform.settings.base import LOGGING

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
LOGGING["loggers"] = {
    "django": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    "quarterhour": {"handlers": ["console"], "level": "WARNING", "propagate": False},
}
ALLOWED_HOSTS = ["*"]
