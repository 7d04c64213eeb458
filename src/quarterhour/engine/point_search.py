"""A bounded shortest-path search whose cost follows the nodes it reaches, not the network size.

For one-point queries ("what is near me", routes): the batch kernels in :mod:`._kernels`
initialise arrays over every node on each call; on a city network of a
million nodes that is most of the cost of a "near me" request. Here each thread keeps its
distance array between requests (all +inf), the search records the nodes it touches, and the
caller resets only those. Same distances as the engine's ``bounded_distances`` (tests compare).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from numba import njit

from quarterhour.engine._kernels import _heap_pop, _heap_push

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def _search(
    indptr: Int64Array,
    indices: Int32Array,
    weights: FloatArray,
    src: Int32Array,
    src_d: FloatArray,
    limit: float,
    dist: FloatArray,
    heap_d: FloatArray,
    heap_v: Int32Array,
    touched: Int32Array,
) -> int:  # pragma: no cover - compiled
    """Binary heap with lazy deletion. Returns the number of touched nodes, or -1 when the
    buffers are too small (``dist`` then holds partial values at the touched nodes)."""
    cap = heap_d.shape[0]
    nt = 0
    size = 0
    for s in range(src.shape[0]):
        v = src[s]
        d = src_d[s]
        if d <= limit and d < dist[v]:
            if dist[v] == np.inf:
                if nt >= cap:
                    return -1
                touched[nt] = v
                nt += 1
            dist[v] = d
            if size >= cap:
                return -1
            size = _heap_push(heap_d, heap_v, size, d, v)
    while size > 0:
        d = heap_d[0]
        v = heap_v[0]
        size = _heap_pop(heap_d, heap_v, size)
        if d > dist[v]:
            continue  # stale entry
        for j in range(indptr[v], indptr[v + 1]):
            w = indices[j]
            nd = d + weights[j]
            if nd <= limit and nd < dist[w]:
                if dist[w] == np.inf:
                    if nt >= cap:
                        return -1
                    touched[nt] = w
                    nt += 1
                dist[w] = nd
                if size >= cap:
                    return -1
                size = _heap_push(heap_d, heap_v, size, nd, w)
    return nt


class LocalSearch:
    """Per-thread buffers for one network; ``run`` returns (nodes, distances) within the limit
    and calls ``read(dist)`` while the full distance array is still filled."""

    def __init__(self, n_nodes: int, *, capacity: int = 1 << 18) -> None:
        self.n = n_nodes
        self.capacity = capacity
        self._local = threading.local()

    def _buffers(self, capacity: int) -> tuple[FloatArray, FloatArray, Int32Array, Int32Array]:
        buf = getattr(self._local, "buf", None)
        if buf is None or buf[1].shape[0] < capacity:
            dist = buf[0] if buf is not None else np.full(self.n, np.inf)
            buf = (
                dist,
                np.empty(capacity, dtype=np.float64),
                np.empty(capacity, dtype=np.int32),
                np.empty(capacity, dtype=np.int32),
            )
            self._local.buf = buf
        return buf

    def run(
        self,
        indptr: Int64Array,
        indices: Int32Array,
        weights: FloatArray,
        src: Int32Array,
        src_d: FloatArray,
        limit: float,
        read: Callable[[FloatArray], object] | None = None,
    ) -> tuple[Int32Array, FloatArray, object]:
        capacity = self.capacity
        while True:
            dist, hd, hv, touched = self._buffers(capacity)
            nt = _search(indptr, indices, weights, src, src_d, limit, dist, hd, hv, touched)
            if nt < 0:
                dist[:] = np.inf  # partial run: reset everything once, then retry bigger
                capacity = max(capacity * 4, 1)
                if capacity > 4 * indices.shape[0] + 16:
                    capacity = 4 * indices.shape[0] + 16
                continue
            nodes = touched[:nt].copy()
            values = dist[nodes].copy()
            extra = read(dist) if read is not None else None
            dist[nodes] = np.inf
            return nodes, values, extra
