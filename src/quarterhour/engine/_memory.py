"""Hand freed heap memory back to the operating system.

glibc serves allocations below its (self-raising, up to 32 MiB) mmap threshold from the heap,
and a freed block in the middle of the heap stays in the process. A transient structure of
tens of MiB — the edge index built to snap points, the temporaries of reading a network —
then keeps its memory after it is gone, and the next large arrays (the sweeps' work arrays,
the results, which glibc maps separately) come on top of it: at 1M nodes 140 MiB of the
reach peak were such freed blocks (measured). ``malloc_trim`` returns them; a no-op where the
C library has none.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(None)
    except OSError:  # pragma: no cover - no C library to ask
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:  # pragma: no cover - not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def release_free_memory() -> None:
    """Return the heap's free pages to the operating system (glibc ``malloc_trim(0)``)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
