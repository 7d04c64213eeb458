"""Hand freed heap memory back to the operating system.

glibc serves allocations below its (self-raising, up to 32 MiB) mmap threshold from the heap,
and a freed block in the middle of the heap stays in the process. A transient structure of
tens of MiB — the edge index built to snap points, the temporaries of reading a network —
then keeps its memory after it is gone, and the next large arrays (the sweeps' work arrays,
the results, which glibc maps separately) come on top of it: at 1M nodes 140 MiB of the
reach peak were such freed blocks (measured). ``malloc_trim`` returns them; a no-op where the
C library has none.

Results made anew for every run are the other cost: fresh pages cost 0.25-2.5 ms a MiB on this
VM, which hands freed memory back to its host. :func:`reused_array` keeps the memory of a
dropped result for the next run's result of the same shape.
"""

from __future__ import annotations

import collections
import ctypes
import functools
import math
import mmap
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Executor
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
    return _plain_below_4mib(shape, dtype, _mapped)


def _plain_below_4mib(
    shape: int | tuple[int, ...],
    dtype: npt.DTypeLike,
    make: Callable[[tuple[int, ...], np.dtype[Any]], npt.NDArray[Any]],
) -> npt.NDArray[Any]:
    """``make(dims, dtype)`` for an array of :data:`_PLAIN_MIN_BYTES` or more, else numpy's."""
    dt = np.dtype(dtype)
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    if math.prod(dims) * dt.itemsize < _PLAIN_MIN_BYTES:
        return np.empty(dims, dtype=dt)
    return make(dims, dt)


def _mapped(dims: tuple[int, ...], dt: np.dtype[Any], *, resident: bool = True) -> npt.NDArray[Any]:
    count = math.prod(dims)
    nbytes = count * dt.itemsize
    # its pages made in one call rather than one fault each on first write: at 1M nodes, one
    # thread, 1.39 -> 1.21 s of CPU end to end (medians of 7, interleaved); faulting fresh
    # memory costs ~0.9 ms a MiB on this VM. Made by madvise through ctypes, which lets other
    # threads run meanwhile: Python's mmap holds the GIL inside the call, so MAP_POPULATE
    # there stopped every other thread's Python for as long (34.6 ms for 64 MiB, measured) —
    # the sweeping thread between its kernels, while the next results were made
    buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    arr = np.frombuffer(buf, dtype=dt, count=count).reshape(dims)
    if resident:
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


#: dropped results kept for reuse, in all: the 36 MiB of a 100k-node run of 30 items; of a 1M
#: run's 360 MiB (passes of 61 and 31 MiB) one or two arrays, given back at the first request
#: they cannot serve (a run's peak is what it was: 979 MiB at 1M)
REUSE_BYTES = 64 * 2**20


class _Lease:
    """A kept array lent out: the arrays numpy makes from it keep it alive."""

    def __init__(self, base: npt.NDArray[Any]) -> None:
        self.__array_interface__ = base.__array_interface__


_Key = tuple[tuple[int, ...], str]


class _Dropped:
    """Arrays whose last view has gone, oldest first, at most ``max_bytes`` in all. A request
    for a shape and type none of them has gives them all back before fresh memory is made:
    a process's results change shape when its network or items do, and memory kept for a
    shape nobody asks for would only raise the next run's peak (at 1M nodes, +8 MiB from the
    small run that loads the kernels)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._kept: list[tuple[_Key, npt.NDArray[Any]]] = []
        self._lock = threading.Lock()
        # given back but not yet kept: a lease can end inside a garbage collection that runs
        # while this thread holds the lock (any allocation in take may start one), and must
        # then not wait for it
        self._returned: collections.deque[tuple[_Key, npt.NDArray[Any]]] = collections.deque()

    def take(
        self, dims: tuple[int, ...], dt: np.dtype[Any], *, resident: bool = True
    ) -> npt.NDArray[Any]:
        key = (dims, dt.str)
        with self._lock:
            self._settle()
            at = next(
                (i for i in reversed(range(len(self._kept))) if self._kept[i][0] == key), None
            )
            if at is not None:
                base = self._kept.pop(at)[1]
            else:
                self._kept.clear()  # unmapped before the fresh pages are made
        if at is None:
            base = _mapped(dims, dt, resident=resident)
        lease = _Lease(base)
        # the lease ends when the last array made from it (a row, a view) is gone; numpy keeps
        # the object an array was made from as the base of every array made from that one
        weakref.finalize(lease, self._give_back, key, base).atexit = False
        return np.asarray(lease)

    def _give_back(self, key: _Key, base: npt.NDArray[Any]) -> None:
        if base.nbytes > self.max_bytes:
            return
        self._returned.append((key, base))
        if self._lock.acquire(blocking=False):  # else kept by whoever holds it, or next time
            try:
                self._settle()
            finally:
                self._lock.release()

    def _settle(self) -> None:
        """Keep what was given back, the oldest going first past ``max_bytes`` (lock held)."""
        while self._returned:
            key, base = self._returned.popleft()
            while self._kept and self._kept_bytes() + base.nbytes > self.max_bytes:
                del self._kept[0]
            self._kept.append((key, base))

    def _kept_bytes(self) -> int:
        return sum(a.nbytes for _, a in self._kept)

    def held_bytes(self) -> int:
        with self._lock:
            self._settle()
            return self._kept_bytes()


_DROPPED = _Dropped(REUSE_BYTES)


def reused_array(
    shape: int | tuple[int, ...], dtype: npt.DTypeLike, *, resident: bool = True
) -> npt.NDArray[Any]:
    """An uninitialised array like :func:`fresh_array`, in the memory of a dropped one of the
    same shape and type where the process kept one (:data:`REUSE_BYTES` at most), its pages
    already made.

    For results a caller keeps and drops again, run after run (a platform worker's what-ifs and
    assessments on one network): fresh pages cost 0.25-2.5 ms a MiB here, and the 36 MiB of a
    100k-node run's results were a fifth of its CPU. The array comes back for reuse when the
    last array made from it (a row, a view) is gone; nothing else may keep its address.

    ``resident=False``: fresh memory's pages are left for the first writes to make (or for
    :func:`make_resident`, on another thread)."""
    return _plain_below_4mib(
        shape, dtype, lambda dims, dt: _DROPPED.take(dims, dt, resident=resident)
    )


#: the pages :func:`make_resident` makes in one call
_RESIDENT_STEP = 1 << 20


def make_resident(*arrays: npt.NDArray[Any]) -> None:
    """Make the pages of ``arrays`` now, where they are not yet (a page already made is left as
    it is: no value changes, so this may run while another thread writes the arrays). Arrays
    not starting on a page (numpy's small ones) are left to their first writes."""
    for arr in arrays:
        address = arr.ctypes.data
        if address % mmap.PAGESIZE:
            continue
        # a MiB at a time: making pages holds the process's memory-map lock, which every
        # mapping made elsewhere (a large allocation) waits for
        for at in range(0, arr.nbytes, _RESIDENT_STEP):
            _populate(address + at, min(_RESIDENT_STEP, arr.nbytes - at))


def make_resident_later(pool: Executor, *arrays: npt.NDArray[Any]) -> None:
    """:func:`make_resident` on ``pool``, keeping none of ``arrays`` alive: one dropped before
    the task gets to it is passed over (its pages would serve nobody). On a busy machine a
    background thread may get to its tasks long after the run; holding the arrays meanwhile
    would hold every such run's results (360 MiB a run at 1M nodes)."""
    pool.submit(_resident_if_alive, [weakref.ref(a) for a in arrays])


def _resident_if_alive(refs: list[weakref.ref[npt.NDArray[Any]]]) -> None:
    for ref in refs:
        arr = ref()
        if arr is not None:
            make_resident(arr)
        del arr
