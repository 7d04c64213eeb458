"""Serve the map library's files from the installed django-leaflet wheel.

django-leaflet's Django app imports GeoDjango (GDAL) when registered, which the platform does
not use; so the app is not installed, and this finder exposes only its ``static/`` folder.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import FileSystemFinder


def leaflet_static_dir() -> Path | None:
    spec = importlib.util.find_spec("leaflet")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "static"
    return path if path.is_dir() else None


class LeafletFinder(FileSystemFinder):
    def __init__(self, app_names: Any = None, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        saved = getattr(settings, "STATICFILES_DIRS", [])
        found = leaflet_static_dir()
        settings.STATICFILES_DIRS = [str(found)] if found is not None else []
        try:
            super().__init__(app_names, *args, **kwargs)
        finally:
            settings.STATICFILES_DIRS = saved

    def check(self, **kwargs: Any) -> list[Any]:
        return []
