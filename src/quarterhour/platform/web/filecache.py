"""Django's file-based cache, without listing its folder on every store.

``FileBasedCache`` checks whether it holds ``MAX_ENTRIES`` by listing its whole folder each time
it stores an entry: with thousands of kept pages that listing was a good part of storing one.
Here the folder is listed on the first store and then on every ``CULL_EVERY``-th store of the
process (default: a hundredth of ``MAX_ENTRIES``), so the cache can go past its bound by at
most that many entries per process between two looks; culling itself is Django's.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        super().__init__(dir, params)
        options = params.get("OPTIONS", {})
        every = options.get("CULL_EVERY", max(1, self._max_entries // 100))
        self._cull_every = max(1, int(every))
        self._stores = 0
        self._count_lock = threading.Lock()

    def _cull(self) -> None:
        with self._count_lock:
            look = self._stores % self._cull_every == 0
            self._stores += 1
        if look:
            super()._cull()  # type: ignore[misc]  # (not in django-stubs)
