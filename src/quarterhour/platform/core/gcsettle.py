"""A worker's long-lived data kept out of the cyclic garbage collector's way.

A web worker keeps large read-mostly structures for its life: Django's own modules, models and
URL patterns (about 150,000 tracked objects after start) and the near-me directory (about
145,000 more for a register of 20,000 facilities). Python's full collection walks every tracked
object, and it runs whenever enough new objects have survived: under 50 clients each of the two
workers ran two or three full collections of 90-160 ms in 15 s (measured with
``gc.callbacks`` on the 1M-node near-me benchmark), and every request queued on that worker
waited them out — the near-me page's p95 and p99. :func:`settle` collects once and moves every
object then alive into the permanent generation (:func:`gc.freeze`): later collections skip
them. Each call first unfreezes, so cyclic garbage left by data dropped since (a directory
version replaced) is collected then rather than kept for the worker's life.

On in production (``QH_GC_SETTLE = True``): after the application loads and after the
directory is read whole. Off elsewhere (a test run fills the directory hundreds of times).
"""

from __future__ import annotations

import gc
import threading

from django.conf import settings

_lock = threading.Lock()


def enabled() -> bool:
    return bool(getattr(settings, "QH_GC_SETTLE", False))


def settle() -> None:
    """Collect once, then keep every object now alive out of later collections."""
    with _lock:
        gc.unfreeze()
        gc.collect()
        gc.freeze()


def settle_if_enabled() -> None:
    if enabled():
        settle()
