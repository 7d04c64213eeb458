"""Worker threads kept for the life of the process, and work cut among them.

Snaps and runs take threads from here rather than making their own. A thread made for the
work costs more than its start (~70 µs): the scheduler places it beside the thread that made
it, and on this 2-core VM the two then shared one core for the first milliseconds. With
threads made per snap, the two snapping threads of 33k facilities at 100k nodes ran one after
the other in 10 of 11 snaps: 7.6 ms a snap against 4.8 ms with kept threads (medians of 12,
measured). Kept threads wait for work on a core of their own.

A kept pool is shared by every caller in the process, one pool per kind of work and size:
``"compute"`` for the snapping searches and the sweeps (one call never runs both at once);
``"pages"`` (``background``: at the lowest priority) for the pages of results made ahead,
which nothing waits for. A task on a kept pool never waits for work on a kept pool (it
searches, sweeps or makes pages, nothing more), so whatever queues behind another caller's
tasks always runs in the end. End to end at 100k nodes, 30 items (fresh processes,
interleaved, 2 x 11): the first run 45.1 -> 41.4 and 43.2 -> 41.3 ms, the runs after it
31.9 -> 28.9 and 32.9 -> 29.3 ms.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from itertools import pairwise

_POOLS: dict[tuple[str, int, bool], ThreadPoolExecutor] = {}
_LOCK = threading.Lock()


def kept_pool(kind: str, workers: int, *, background: bool = False) -> Executor:
    """The process's pool of ``workers`` threads for ``kind`` of work, made on first use;
    ``background``: its threads at the lowest priority (:func:`_lowest_priority`)."""
    key = (kind, workers, background)
    with _LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = ThreadPoolExecutor(
                max_workers=workers,
                thread_name_prefix=f"qh-{kind}",
                initializer=_lowest_priority if background else None,
            )
            _POOLS[key] = pool
        return pool


def _lowest_priority() -> None:
    """The calling thread at the lowest priority (nice 19), on Linux, where a thread has a
    nice value of its own; elsewhere (where it would be the whole process's) left as it is.
    For work done ahead that nothing waits for: it takes a core when the work that is waited
    for leaves one idle, and else only a sliver of one."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def _forget_pools() -> None:
    """In a forked child: the parent's workers do not exist there, and a pool that believes
    it has them would leave every task waiting. The child makes its own on first use."""
    global _LOCK
    _POOLS.clear()
    _LOCK = threading.Lock()  # it may have been held by a thread the child does not have


os.register_at_fork(after_in_child=_forget_pools)


def even_runs(n: int, k: int) -> list[tuple[int, int]]:
    """``k`` runs of about equal length over ``0``..``n - 1`` (none empty)."""
    edges = [n * i // max(k, 1) for i in range(max(k, 1) + 1)]
    return [(a, c) for a, c in pairwise(edges) if c > a]


def at_once(
    pool: Executor | None, fn: Callable[[tuple[int, int]], None], runs: list[tuple[int, int]]
) -> None:
    """``fn`` over ``runs``, the first on this thread, the others on ``pool`` (without a pool
    all on this thread), all finished on return."""
    if not runs:
        return
    if pool is None:
        for r in runs:
            fn(r)
        return
    futures = [pool.submit(fn, r) for r in runs[1:]]
    try:
        fn(runs[0])
    finally:
        for f in futures:
            f.result()
