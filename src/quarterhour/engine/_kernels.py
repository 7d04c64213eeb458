"""Compiled shortest-path kernels (numba, ``nogil``): bounded multi-source Dijkstra on CSR arrays.

Why not :func:`scipy.sparse.csgraph.dijkstra` alone: it holds the GIL (two threads run no faster
than one) and cannot start its sources at different initial distances (a facility 40 m off the
network starts 40 m "late"). These kernels use a binary heap with lazy deletion, take per-source
initial distances and labels, stop at a distance limit, and release the GIL so that one thread
per facility item uses every core. ``benchmarks/bench_reach.py`` measures them against scipy.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def _heap_push(
    hk: FloatArray, hv: Int32Array, size: int, key: float, val: int
) -> int:  # pragma: no cover - compiled
    i = size
    hk[i] = key
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] <= key:
            break
        hk[i] = hk[p]
        hv[i] = hv[p]
        i = p
    hk[i] = key
    hv[i] = val
    return size + 1


@njit(cache=True, nogil=True)
def _heap_pop(hk: FloatArray, hv: Int32Array, size: int) -> int:  # pragma: no cover - compiled
    """Remove the root; the caller read hk[0], hv[0] before. Returns the new size."""
    size -= 1
    if size == 0:
        return 0
    key = hk[size]
    val = hv[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and hk[c + 1] < hk[c]:
            c += 1
        if hk[c] >= key:
            break
        hk[i] = hk[c]
        hv[i] = hv[c]
        i = c
    hk[i] = key
    hv[i] = val
    return size


@njit(cache=True, nogil=True, inline="always")
def _sift_up(
    hk: FloatArray, hv: Int32Array, state: Int32Array, i: int, key: float, val: int
) -> None:  # pragma: no cover - compiled
    """Place (key, val) at heap slot i or above (4-ary indexed heap, ordered by key and then
    by the node's label ``state[4 * node + 2]``); keeps heap slots in ``state[4 * node + 3]``."""
    lab = state[4 * val + 2]
    while i > 0:
        p = (i - 1) >> 2
        if hk[p] < key or (hk[p] == key and state[4 * hv[p] + 2] <= lab):
            break
        hk[i] = hk[p]
        hv[i] = hv[p]
        state[4 * hv[i] + 3] = i
        i = p
    hk[i] = key
    hv[i] = val
    state[4 * val + 3] = i


@njit(cache=True, nogil=True)
def msd_core(
    indptr: Int64Array,
    indices: Int32Array,
    weights: FloatArray,
    src_node: Int32Array,
    src_dist: FloatArray,
    src_label: Int32Array,
    limit: float,
    rec: FloatArray,
    hk: FloatArray,
    hv: Int32Array,
) -> int:  # pragma: no cover - compiled
    """Nearest-source distances within ``limit`` (4-ary indexed heap with decrease-key).

    Afterwards node v's distance is min over sources s of ``src_dist[s] + d(src_node[s], v)``
    when that is ≤ ``limit`` (else +inf), with that source's label (else -1); of several
    sources equally far the lowest label wins (the heap orders by distance, then label, so
    nodes are settled in that order). Returns the settled count.

    Work arrays come from the caller (``rec``: 2n float64; ``hk``: n float64; ``hv``: n int32)
    so that repeated passes reuse memory; results stay in ``rec`` (read them with
    :func:`gather_nearest`).

    Each node's distance, label and heap slot sit together in one 16-byte record (a float64
    array viewed as int32 for the last two), so relaxing an edge touches one cache line.
    """
    n = rec.shape[0] // 2
    state = rec.view(np.int32)  # label at 4v+2; heap slot at 4v+3 (-1 new, -2 settled)
    for v in range(n):
        rec[2 * v] = np.inf
        state[4 * v + 2] = -1
        state[4 * v + 3] = -1
    size = 0
    for s in range(src_node.shape[0]):
        v = src_node[s]
        d = src_dist[s]
        dv = rec[2 * v]
        if d <= limit and (d < dv or (d == dv and src_label[s] < state[4 * v + 2])):
            rec[2 * v] = d
            state[4 * v + 2] = src_label[s]
            if state[4 * v + 3] == -1:
                size += 1
                _sift_up(hk, hv, state, size - 1, d, v)
            else:
                _sift_up(hk, hv, state, state[4 * v + 3], d, v)
    settled = 0
    while size > 0:
        v = hv[0]
        d = hk[0]
        state[4 * v + 3] = -2
        settled += 1
        size -= 1
        if size > 0:
            key = hk[size]
            val = hv[size]
            lab = state[4 * val + 2]
            i = 0
            while True:
                c = 4 * i + 1
                if c >= size:
                    break
                best = c
                bk = hk[c]
                bl = state[4 * hv[c] + 2]
                e = min(c + 4, size)
                for cc in range(c + 1, e):
                    if hk[cc] < bk or (hk[cc] == bk and state[4 * hv[cc] + 2] < bl):
                        bk = hk[cc]
                        bl = state[4 * hv[cc] + 2]
                        best = cc
                if bk > key or (bk == key and bl >= lab):
                    break
                hk[i] = bk
                hv[i] = hv[best]
                state[4 * hv[i] + 3] = i
                i = best
            hk[i] = key
            hv[i] = val
            state[4 * val + 3] = i
        lv = state[4 * v + 2]
        for j in range(indptr[v], indptr[v + 1]):
            w = indices[j]
            nd = d + weights[j]
            if nd > limit:
                continue
            if nd < rec[2 * w] or (
                nd == rec[2 * w] and lv < state[4 * w + 2] and state[4 * w + 3] != -2
            ):
                rec[2 * w] = nd
                state[4 * w + 2] = lv
                slot = state[4 * w + 3]
                if slot == -1:
                    size += 1
                    _sift_up(hk, hv, state, size - 1, nd, w)
                else:
                    _sift_up(hk, hv, state, slot, nd, w)
    return settled


@njit(cache=True, nogil=True)
def multi_source_dijkstra(
    indptr: Int64Array,
    indices: Int32Array,
    weights: FloatArray,
    src_node: Int32Array,
    src_dist: FloatArray,
    src_label: Int32Array,
    limit: float,
    dist: FloatArray,
    label: Int32Array,
) -> int:  # pragma: no cover - compiled
    """:func:`msd_core` with its own work arrays, writing every node's distance and label."""
    n = dist.shape[0]
    rec = np.empty(2 * n, dtype=np.float64)
    hk = np.empty(n, dtype=np.float64)
    hv = np.empty(n, dtype=np.int32)
    settled = msd_core(indptr, indices, weights, src_node, src_dist, src_label, limit, rec, hk, hv)
    state = rec.view(np.int32)
    for v in range(n):
        dist[v] = rec[2 * v]
        label[v] = state[4 * v + 2]
    return settled


@njit(cache=True, nogil=True)
def gather_nearest(
    rec: FloatArray,
    origin_node: Int64Array,
    origin_off: FloatArray,
    limit: float,
    out_dist: FloatArray,
    out_label: Int32Array,
) -> None:  # pragma: no cover - compiled
    """Per origin: node distance + its own offset when within ``limit`` (else NaN / -1)."""
    state = rec.view(np.int32)
    for o in range(origin_node.shape[0]):
        v = origin_node[o]
        d = np.nan
        lab = -1
        if v >= 0:
            t = rec[2 * v] + origin_off[o]
            if t <= limit:
                d = t
                lab = state[4 * v + 2]
        out_dist[o] = d
        out_label[o] = lab


@njit(cache=True, nogil=True)
def bounded_one_to_many(
    indptr: Int64Array,
    indices: Int32Array,
    weights: FloatArray,
    src_node: Int32Array,
    src_dist: FloatArray,
    limit: float,
    target_ptr: Int64Array,
    target_ids: Int64Array,
    target_off: FloatArray,
) -> tuple[Int64Array, Int64Array, FloatArray]:  # pragma: no cover - compiled
    """For each source separately: every target within ``limit``.

    Targets hang off nodes: node ``v`` carries targets ``target_ids[target_ptr[v]:target_ptr[v+1]]``
    with extra distance ``target_off[...]``. Returns COO arrays (source, target, distance).
    Arrays of size n are reset through a touched list, so many small searches stay cheap.
    """
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    touched = np.empty(n, dtype=np.int32)
    cap = indices.shape[0] + 2
    hk = np.empty(cap, dtype=np.float64)
    hv = np.empty(cap, dtype=np.int32)
    out_cap = 1024
    out_s = np.empty(out_cap, dtype=np.int64)
    out_t = np.empty(out_cap, dtype=np.int64)
    out_d = np.empty(out_cap, dtype=np.float64)
    count = 0
    for s in range(src_node.shape[0]):
        n_touched = 0
        size = 0
        v0 = src_node[s]
        d0 = src_dist[s]
        if d0 > limit:
            continue
        dist[v0] = d0
        touched[n_touched] = v0
        n_touched += 1
        size = _heap_push(hk, hv, size, d0, v0)
        while size > 0:
            d = hk[0]
            v = hv[0]
            size = _heap_pop(hk, hv, size)
            if d > dist[v]:
                continue
            for k in range(target_ptr[v], target_ptr[v + 1]):
                td = d + target_off[k]
                if td <= limit:
                    if count == out_cap:
                        out_cap *= 2
                        ns = np.empty(out_cap, dtype=np.int64)
                        nt = np.empty(out_cap, dtype=np.int64)
                        nd_ = np.empty(out_cap, dtype=np.float64)
                        ns[:count] = out_s[:count]
                        nt[:count] = out_t[:count]
                        nd_[:count] = out_d[:count]
                        out_s, out_t, out_d = ns, nt, nd_
                    out_s[count] = s
                    out_t[count] = target_ids[k]
                    out_d[count] = td
                    count += 1
            for j in range(indptr[v], indptr[v + 1]):
                w = indices[j]
                nd = d + weights[j]
                if nd < dist[w] and nd <= limit:
                    if dist[w] == np.inf:
                        touched[n_touched] = w
                        n_touched += 1
                    dist[w] = nd
                    size = _heap_push(hk, hv, size, nd, w)
        for i in range(n_touched):
            dist[touched[i]] = np.inf
    return out_s[:count].copy(), out_t[:count].copy(), out_d[:count].copy()


@njit(cache=True, nogil=True)
def bounded_distances(
    indptr: Int64Array,
    indices: Int32Array,
    weights: FloatArray,
    src_node: Int32Array,
    src_dist: FloatArray,
    limit: float,
    dist: FloatArray,
) -> int:  # pragma: no cover - compiled
    """Single search from several start nodes (one source split over its edge): plain distances."""
    label = np.empty(dist.shape[0], dtype=np.int32)
    lab = np.zeros(src_node.shape[0], dtype=np.int32)
    return multi_source_dijkstra(
        indptr, indices, weights, src_node, src_dist, lab, limit, dist, label
    )


@njit(cache=True, nogil=True)
def segment_grid(
    ax: FloatArray,
    ay: FloatArray,
    bx: FloatArray,
    by: FloatArray,
    x0: float,
    y0: float,
    cell: float,
    nx: int,
    ny: int,
) -> tuple[Int64Array, Int64Array]:  # pragma: no cover - compiled
    """Uniform grid over segments: CSR (cell_ptr, seg_ids) of the cells each segment's box hits."""
    m = ax.shape[0]
    counts = np.zeros(nx * ny + 1, dtype=np.int64)
    for s in range(m):
        i0 = int((min(ax[s], bx[s]) - x0) / cell)
        i1 = int((max(ax[s], bx[s]) - x0) / cell)
        j0 = int((min(ay[s], by[s]) - y0) / cell)
        j1 = int((max(ay[s], by[s]) - y0) / cell)
        for j in range(j0, j1 + 1):
            for i in range(i0, i1 + 1):
                counts[j * nx + i + 1] += 1
    ptr = np.cumsum(counts)
    fill = ptr[:-1].copy()
    ids = np.empty(ptr[-1], dtype=np.int64)
    for s in range(m):
        i0 = int((min(ax[s], bx[s]) - x0) / cell)
        i1 = int((max(ax[s], bx[s]) - x0) / cell)
        j0 = int((min(ay[s], by[s]) - y0) / cell)
        j1 = int((max(ay[s], by[s]) - y0) / cell)
        for j in range(j0, j1 + 1):
            for i in range(i0, i1 + 1):
                c = j * nx + i
                ids[fill[c]] = s
                fill[c] += 1
    return ptr, ids


@njit(cache=True, nogil=True)
def cell_order(
    x: FloatArray, y: FloatArray, x0: float, y0: float, cell: float, nx: int, ny: int
) -> Int64Array:  # pragma: no cover - compiled
    """The points ordered cell by cell (rows of cells, then columns; points outside the grid
    in the border cells): a stable counting sort, linear in the points and cells."""
    n = x.shape[0]
    wx = nx + 2
    key = np.empty(n, dtype=np.int64)
    counts = np.zeros(wx * (ny + 2) + 1, dtype=np.int64)
    for p in range(n):
        cx = min(max(np.floor((x[p] - x0) / cell), -1.0), float(nx)) + 1.0
        cy = min(max(np.floor((y[p] - y0) / cell), -1.0), float(ny)) + 1.0
        k = int(cy) * wx + int(cx)
        key[p] = k
        counts[k + 1] += 1
    for c in range(1, counts.shape[0]):
        counts[c] += counts[c - 1]
    out = np.empty(n, dtype=np.int64)
    for p in range(n):
        k = key[p]
        out[counts[k]] = p
        counts[k] += 1
    return out


@njit(cache=True, nogil=True)
def nearest_segments(
    px: FloatArray,
    py: FloatArray,
    ax: FloatArray,
    ay: FloatArray,
    bx: FloatArray,
    by: FloatArray,
    x0: float,
    y0: float,
    cell: float,
    nx: int,
    ny: int,
    cell_ptr: Int64Array,
    seg_ids: Int64Array,
    max_dist: float,
) -> tuple[Int64Array, FloatArray, FloatArray]:  # pragma: no cover - compiled
    """Nearest segment within ``max_dist`` of each point: (segment or -1, t in [0, 1], distance).

    Ties go to the lowest segment index, so the answer does not depend on search order.
    """
    n = px.shape[0]
    best_seg = np.full(n, -1, dtype=np.int64)
    best_t = np.full(n, np.nan)
    best_d = np.full(n, np.nan)
    rings = int(np.ceil(max_dist / cell)) + 1
    for p in range(n):
        x = px[p]
        y = py[p]
        ci = int(np.floor((x - x0) / cell))
        cj = int(np.floor((y - y0) / cell))
        bd2 = max_dist * max_dist
        bs = -1
        bt = 0.0
        # rings of cells around the point's cell, nearest first, until no later ring can
        # hold a segment as near as the best (for a point on a segment: its own cell only)
        for r in range(rings + 1):
            for j in range(cj - r, cj + r + 1):
                if j < 0 or j >= ny:
                    continue
                edge_row = j == cj - r or j == cj + r
                step = 1 if edge_row else 2 * r
                i = ci - r
                while i <= ci + r:
                    if 0 <= i < nx:
                        c = j * nx + i
                        for k in range(cell_ptr[c], cell_ptr[c + 1]):
                            sg = seg_ids[k]
                            dx = bx[sg] - ax[sg]
                            dy = by[sg] - ay[sg]
                            ll = dx * dx + dy * dy
                            t = 0.0
                            if ll > 0.0:
                                t = ((x - ax[sg]) * dx + (y - ay[sg]) * dy) / ll
                                t = min(max(t, 0.0), 1.0)
                            fx = ax[sg] + t * dx - x
                            fy = ay[sg] + t * dy - y
                            d2 = fx * fx + fy * fy
                            if d2 < bd2 or (d2 == bd2 and (bs < 0 or sg < bs)):
                                bd2 = d2
                                bs = sg
                                bt = t
                    if step == 0:
                        break
                    i += step
            # every segment not seen yet lies wholly outside the block of rings 0..r: at
            # least as far as that block's nearest side (less a hair for the rounding of
            # the cell bounds), so a best strictly nearer than that is final
            reach = (
                min(
                    x - (x0 + (ci - r) * cell),
                    x0 + (ci + r + 1) * cell - x,
                    y - (y0 + (cj - r) * cell),
                    y0 + (cj + r + 1) * cell - y,
                )
                - 1e-6 * cell
            )
            if bs >= 0 and reach > 0.0 and bd2 < reach * reach:
                break
        if bs >= 0:
            best_seg[p] = bs
            best_t[p] = bt
            best_d[p] = np.sqrt(bd2)
    return best_seg, best_t, best_d


@njit(cache=True, nogil=True)
def source_rows(
    idx: Int64Array,
    lanes: Int32Array,
    snap_edge: Int64Array,
    snap_along: FloatArray,
    snap_off: FloatArray,
    edge_len: FloatArray,
    edge_u: Int32Array,
    edge_v: Int32Array,
) -> tuple[
    Int64Array,
    FloatArray,
    Int32Array,
    Int32Array,
    Int64Array,
    Int32Array,
    FloatArray,
    FloatArray,
    Int32Array,
]:  # pragma: no cover - compiled
    """Where facilities ``idx`` (lane ``lanes[i]``) start the walk (see ``reach.Sources``):
    first every facility that reaches its edge's end u (in the order given), then every one
    that reaches v; a facility at u reaches only u, at v only v, inside the edge both, after
    its offset plus the walk along the edge. Then the facilities inside edges by edge (a
    stable sort). Unsnapped facilities (edge -1) start nowhere. One pass to count, one to fill:
    the numpy expression of the same (~40 temporaries) took 1 ms for a 16-item pass at 100k
    nodes."""
    n = idx.shape[0]
    kind = np.empty(n, dtype=np.int8)  # -1 unsnapped, 0 at u, 1 at v, 2 inside
    n_u = 0
    n_v = 0
    n_in = 0
    for i in range(n):
        e = snap_edge[idx[i]]
        if e < 0:
            kind[i] = -1
            continue
        a = snap_along[idx[i]]
        if a <= 0.0:
            kind[i] = 0
        elif a >= edge_len[e]:
            kind[i] = 1
        else:
            kind[i] = 2
            n_in += 1
        if kind[i] != 1:
            n_u += 1
        if kind[i] != 0:
            n_v += 1
    node = np.empty(n_u + n_v, dtype=np.int64)
    dist = np.empty(n_u + n_v, dtype=np.float64)
    label = np.empty(n_u + n_v, dtype=np.int32)
    lane = np.empty(n_u + n_v, dtype=np.int32)
    in_edge = np.empty(n_in, dtype=np.int64)
    in_lane = np.empty(n_in, dtype=np.int32)
    in_along = np.empty(n_in, dtype=np.float64)
    in_off = np.empty(n_in, dtype=np.float64)
    in_label = np.empty(n_in, dtype=np.int32)
    ju = 0
    jv = n_u
    ji = 0
    for i in range(n):
        k = kind[i]
        if k < 0:
            continue
        f = idx[i]
        e = snap_edge[f]
        a = snap_along[f]
        o = snap_off[f]
        if k != 1:
            node[ju] = edge_u[e]
            dist[ju] = o + a if k == 2 else o
            label[ju] = f
            lane[ju] = lanes[i]
            ju += 1
        if k != 0:
            node[jv] = edge_v[e]
            dist[jv] = o + (edge_len[e] - a) if k == 2 else o
            label[jv] = f
            lane[jv] = lanes[i]
            jv += 1
        if k == 2:
            in_edge[ji] = e
            in_lane[ji] = lanes[i]
            in_along[ji] = a
            in_off[ji] = o
            in_label[ji] = f
            ji += 1
    order = np.argsort(in_edge, kind="mergesort")
    return (
        node,
        dist,
        label,
        lane,
        in_edge[order],
        in_lane[order],
        in_along[order],
        in_off[order],
        in_label[order],
    )
