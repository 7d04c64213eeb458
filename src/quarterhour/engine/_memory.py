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
import math
import mmap
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt


@functools.cache
def _libc_function(name: str, *argtypes: Any) -> Callable[..., int] | None:
    """The C library's function ``name`` (returning an int), or None where there is none."""
    try:
        libc = ctypes.CDLL(None)
    except OSError:  # pragma: no cover - no C library to ask
        return None
    fn = getattr(libc, name, None)
    if fn is None:  # pragma: no cover - not glibc / no such call
        return None
    fn.argtypes = list(argtypes)
    fn.restype = ctypes.c_int
    return fn  # type: ignore[no-any-return]


def release_free_memory() -> None:
    """Return the heap's free pages to the operating system (glibc ``malloc_trim(0)``)."""
    trim = _libc_function("malloc_trim", ctypes.c_size_t)
    if trim is not None:
        trim(0)


def fresh_array(shape: int | tuple[int, ...], dtype: npt.DTypeLike) -> npt.NDArray[Any]:
    """An uninitialised array in an anonymous mapping of its own, in ordinary pages.

    For the large write-once arrays of the sweeps (work lanes, results): numpy asks the kernel
    for transparent huge pages on every array of 4 MiB or more, and where the kernel then
    compacts memory to find them (``defrag`` = ``madvise``, a busy machine) the faults cost more
    than the arrays' use: at 1M nodes, 30 items, 1.0-1.6 s of system time per run against
    0.2-0.5 s in ordinary pages, the same user time (measured). Freed when the array is.
    """
    dt = np.dtype(dtype)
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    count = math.prod(dims)
    nbytes = count * dt.itemsize
    if nbytes < _PLAIN_MIN_BYTES:
        return np.empty(dims, dtype=dt)
    # its pages made in one call rather than one fault each on first write: at 1M nodes, one
    # thread, 1.39 -> 1.21 s of CPU end to end (medians of 7, interleaved); faulting fresh
    # memory costs ~0.9 ms a MiB on this VM. Made by madvise through ctypes, which lets other
    # threads run meanwhile: Python's mmap holds the GIL inside the call, so MAP_POPULATE
    # there stopped every other thread's Python for as long (34.6 ms for 64 MiB, measured) —
    # the sweeping thread between its kernels, while the next results were made
    buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    arr = np.frombuffer(buf, dtype=dt, count=count).reshape(dims)
    _populate(arr.ctypes.data, nbytes)
    return arr


#: Linux's madvise advice that makes a range's pages writable now (since 5.14)
_MADV_POPULATE_WRITE = 23


def _populate(address: int, nbytes: int) -> None:
    """Make the pages of a fresh mapping now, the GIL released (ctypes calls release it);
    where the kernel cannot (before Linux 5.14, another system), the first writes fault them
    in instead."""
    fn = _libc_function("madvise", ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    if fn is not None:
        fn(address, nbytes, _MADV_POPULATE_WRITE)


#: below this numpy gives no huge-page advice either
_PLAIN_MIN_BYTES = 1 << 22
