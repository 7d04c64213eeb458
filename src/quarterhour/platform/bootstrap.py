"""Start Django from our own commands (``quarterhour manage / worker / demo``)."""

from __future__ import annotations

import os

DEFAULT_SETTINGS = "quarterhour.platform.settings.base"


def setup(settings_module: str | None = None) -> None:
    if settings_module:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    from quarterhour.platform.env import ensure_data_dir

    ensure_data_dir()
    django.setup()
