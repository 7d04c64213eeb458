"""Compiled kernels of the distance-bounded contraction hierarchy (see :mod:`.hierarchy`).

``contract`` orders and contracts the nodes of an undirected graph, adding a shortcut
``u–w`` for a contracted ``u–v–w`` only when no other path as short exists and the shortcut
is no longer than ``bound`` (no path within the walking limit can use a longer one).
``sweep_up`` and ``sweep_range`` run the two linear sweeps for up to :data:`LANES` items at once;
``local_query`` runs both for one item, restricted to what a few sources reach (what-if).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from quarterhour.engine._kernels import _heap_pop, _heap_push
from quarterhour.engine._lane_vectors import UNMOVED, WIDTH, pull_lanes, push_lanes

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
#: CSR pointers: 32-bit while the arcs fit, else 64-bit
PtrArray = npt.NDArray[np.int32] | npt.NDArray[np.int64]

#: label of "no facility" inside the sweeps (sorts after every facility index)
NO_LABEL = np.int32(2**31 - 1)

#: origins (gathering) read this many ahead
_AHEAD = 16


def _item_pointer(context: Any, builder: Any, aryty: Any, arr: Any, idx: Any) -> Any:
    """In generated code: the address of ``arr[idx]`` (no wraparound, no bounds check)."""
    ary = context.make_array(aryty)(context, builder, arr)
    return cgutils.get_item_pointer(  # type: ignore[no-untyped-call]
        context, builder, aryty, ary, [idx], wraparound=False, boundscheck=False
    )


@intrinsic
def _prefetch_line(typingctx: Any, arr: Any, idx: Any) -> Any:  # pragma: no cover - compiled
    """Ask for the cache line of ``arr[idx]`` ahead of its use (LLVM's ``prefetch``: a read,
    kept in all cache levels); no effect on any value. For reads whose addresses the hardware
    cannot guess (the origins' lanes, in the order of the origins)."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        ptr = _item_pointer(context, builder, sig.args[0], args[0], args[1])
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(  # type: ignore[no-untyped-call]
            builder.module, fnty, "llvm.prefetch.p0i8"
        )
        builder.call(
            fn,
            [
                builder.bitcast(ptr, i8p),
                ir.Constant(i32, 0),
                ir.Constant(i32, 3),
                ir.Constant(i32, 1),
            ],
        )
        return context.get_dummy_value()

    return types.void(arr, types.uint64), codegen


_prefetch: Any = _prefetch_line  # called as _prefetch(array, index) in compiled code


@intrinsic
def _stream_store(
    typingctx: Any, arr: Any, idx: Any, val: Any
) -> Any:  # pragma: no cover - compiled
    """``arr[idx] = val`` as a non-temporal store (LLVM's ``!nontemporal``): the line is
    written whole by the stores that follow, not read first, and does not take a place in
    the caches; made visible to other threads by :func:`_store_fence`. For results written
    once and read after the kernel, a full line at a time."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        ptr = _item_pointer(context, builder, sig.args[0], args[0], args[1])
        store = builder.store(args[2], ptr)
        store.set_metadata("nontemporal", builder.module.add_metadata([ir.IntType(32)(1)]))
        return context.get_dummy_value()

    return types.void(arr, types.uint64, arr.dtype), codegen


@intrinsic
def _store_fence(typingctx: Any) -> Any:  # pragma: no cover - compiled
    """Every store before it, non-temporal ones included, visible before any after it:
    ``sfence`` on x86 (LLVM makes its generic fence a locked instruction there, which x86
    does not promise for non-temporal stores), the generic sequentially consistent fence
    elsewhere."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        triple = str(builder.module.triple)
        if triple.startswith(("x86_64", "i386", "i686")):
            fnty = ir.FunctionType(ir.VoidType(), [])
            fn = cgutils.get_or_insert_function(  # type: ignore[no-untyped-call]
                builder.module, fnty, "llvm.x86.sse.sfence"
            )
            builder.call(fn, [])
        else:
            builder.fence("seq_cst")
        return context.get_dummy_value()

    return types.void(), codegen


_stream: Any = _stream_store  # called as _stream(array, index, value) in compiled code
_fence: Any = _store_fence

#: origins a gathering takes at a time: their lanes read into a block, then written out lane
#: by lane, 16 origins' values (a whole line of labels, two of distances) at once
_BLOCK = 16


@njit(cache=True, nogil=True)
def _prefetch_lanes(
    dist: FloatArray, lab: Int32Array, at: np.uint64, width: np.uint64
) -> None:  # pragma: no cover - compiled
    """Ask for every cache line of the lanes starting at flat index ``at`` (``width`` of
    them): 16 distances are two lines, and asking for the first only left the second to
    wait for memory when read (one thread gathering 100k origins' 16 lanes: 13.7 -> 9.5 ms,
    medians of 15)."""
    for off in range(0, width, 8):
        _prefetch(dist, at + np.uint64(off))
    for off in range(0, width, 16):
        _prefetch(lab, at + np.uint64(off))


@njit(cache=True, nogil=True)
def _witness(
    src: int,
    excl: int,
    bound: float,
    settle_limit: int,
    start: Int64Array,
    deg: Int32Array,
    nbr: Int32Array,
    wt: FloatArray,
    dist: FloatArray,
    touched: Int32Array,
    hk: FloatArray,
    hv: Int32Array,
    mark: Int32Array,
    stamp: int,
    n_targets: int,
) -> int:  # pragma: no cover - compiled
    """Bounded Dijkstra from ``src`` avoiding ``excl``; distances stay in ``dist`` at the
    touched nodes (the caller resets them). Stops once the ``n_targets`` nodes whose ``mark``
    is ``stamp`` are settled. Returns the touched count."""
    nt = 0
    dist[src] = 0.0
    touched[0] = src
    nt = 1
    size = _heap_push(hk, hv, 0, 0.0, src)
    settled = 0
    while size > 0:
        d = hk[0]
        v = hv[0]
        size = _heap_pop(hk, hv, size)
        if d > dist[v]:
            continue
        if mark[v] == stamp:
            n_targets -= 1
            if n_targets == 0:
                break
        settled += 1
        if settled > settle_limit:
            break
        s = start[v]
        for j in range(s, s + deg[v]):
            w = nbr[j]
            if w == excl:
                continue
            nd = d + wt[j]
            if nd <= bound and nd < dist[w]:
                if dist[w] == np.inf:
                    touched[nt] = w
                    nt += 1
                dist[w] = nd
                size = _heap_push(hk, hv, size, nd, w)
    return nt


@njit(cache=True, nogil=True)
def _shortcuts(
    v: int,
    bound: float,
    settle_limit: int,
    start: Int64Array,
    deg: Int32Array,
    nbr: Int32Array,
    wt: FloatArray,
    dist: FloatArray,
    touched: Int32Array,
    hk: FloatArray,
    hv: Int32Array,
    sc_a: Int32Array,
    sc_b: Int32Array,
    sc_w: FloatArray,
    mark: Int32Array,
    stamp: int,
) -> int:  # pragma: no cover - compiled
    """The shortcuts contracting ``v`` needs now (into ``sc_*``); returns how many.
    ``mark`` is a work array, ``stamp`` a value it does not hold yet (``stamp + deg`` used)."""
    s = start[v]
    d = deg[v]
    count = 0
    for i in range(d - 1):
        a = nbr[s + i]
        wa = wt[s + i]
        reach = -1.0
        targets = 0
        st = stamp + i
        for j in range(i + 1, d):
            c = wa + wt[s + j]
            if c <= bound:
                targets += 1
                mark[nbr[s + j]] = st
                if c > reach:
                    reach = c
        if targets == 0:
            continue
        nt = _witness(
            a, v, reach, settle_limit, start, deg, nbr, wt, dist, touched, hk, hv, mark, st, targets
        )
        for j in range(i + 1, d):
            b = nbr[s + j]
            c = wa + wt[s + j]
            if c <= bound and dist[b] > c:
                if count >= sc_a.shape[0]:
                    return -1
                sc_a[count] = a
                sc_b[count] = b
                sc_w[count] = c
                count += 1
        for k in range(nt):
            dist[touched[k]] = np.inf
    return count


@njit(cache=True, nogil=True)
def _remove(
    x: int, v: int, start: Int64Array, deg: Int32Array, nbr: Int32Array, wt: FloatArray
) -> None:  # pragma: no cover - compiled
    s = start[x]
    last = s + deg[x] - 1
    for j in range(s, last + 1):
        if nbr[j] == v:
            nbr[j] = nbr[last]
            wt[j] = wt[last]
            deg[x] -= 1
            return


@njit(cache=True, nogil=True)
def contract(
    n: int,
    eu: Int32Array,
    ev: Int32Array,
    ew: FloatArray,
    bound: float,
    settle_limit: int,
    w_ed: float,
    w_cn: float,
    w_level: float,
) -> tuple[Int32Array, Int32Array, Int32Array, Int32Array, FloatArray]:  # pragma: no cover
    """Contract every node. Returns (order, level, arc_low, arc_high, arc_w): ``order[r]`` is
    the node contracted r-th; each arc joins a node to a neighbour contracted after it (the
    edges and shortcuts of the hierarchy, each once). Node priority (lowest first, updated
    lazily): ``w_ed`` × edge difference + ``w_cn`` × contracted neighbours + ``w_level`` ×
    level."""
    m = eu.shape[0]
    deg = np.zeros(n, dtype=np.int32)
    for e in range(m):
        if ew[e] <= bound:
            deg[eu[e]] += 1
            deg[ev[e]] += 1
    cap = np.empty(n, dtype=np.int32)
    start = np.empty(n, dtype=np.int64)
    used = 0
    for v in range(n):
        c = max(4, 2 * deg[v])
        cap[v] = c
        start[v] = used
        used += c
    nbr = np.empty(max(2 * used, 16), dtype=np.int32)
    wt = np.empty(max(2 * used, 16), dtype=np.float64)
    deg[:] = 0
    for e in range(m):
        if ew[e] <= bound:
            a = eu[e]
            b = ev[e]
            nbr[start[a] + deg[a]] = b
            wt[start[a] + deg[a]] = ew[e]
            deg[a] += 1
            nbr[start[b] + deg[b]] = a
            wt[start[b] + deg[b]] = ew[e]
            deg[b] += 1

    dist = np.full(n, np.inf)
    touched = np.empty(n, dtype=np.int32)
    hk = np.empty(16, dtype=np.float64)
    hv = np.empty(16, dtype=np.int32)
    sc_a = np.empty(16, dtype=np.int32)
    sc_b = np.empty(16, dtype=np.int32)
    sc_w = np.empty(16, dtype=np.float64)
    mark = np.full(n, -1, dtype=np.int32)
    stamp = 0

    cn = np.zeros(n, dtype=np.int32)
    level = np.zeros(n, dtype=np.int32)
    ed = np.zeros(n, dtype=np.int32)
    done = np.zeros(n, dtype=np.bool_)
    key = np.empty(n, dtype=np.float64)
    qk = np.empty(n + 16, dtype=np.float64)
    qv = np.empty(n + 16, dtype=np.int32)
    qs = 0
    order = np.empty(n, dtype=np.int32)
    arc_cap = 2 * m + 16
    arc_lo = np.empty(arc_cap, dtype=np.int32)
    arc_hi = np.empty(arc_cap, dtype=np.int32)
    arc_w = np.empty(arc_cap, dtype=np.float64)
    n_arcs = 0
    rank = 0
    first = True
    v = 0
    while True:
        if first:
            if v >= n:
                first = False
                continue
            cur = v
            v += 1
        else:
            if qs == 0:
                break
            kv = qk[0]
            cur = qv[0]
            qs = _heap_pop(qk, qv, qs)
            if done[cur] or kv != key[cur]:
                continue
        # the shortcuts contracting `cur` needs now
        dc = deg[cur]
        pairs = dc * (dc - 1) // 2 + 1
        if pairs > sc_a.shape[0]:
            sc_a = np.empty(2 * pairs, dtype=np.int32)
            sc_b = np.empty(2 * pairs, dtype=np.int32)
            sc_w = np.empty(2 * pairs, dtype=np.float64)
        hneed = (settle_limit + 2) * (dc + 64) + 16
        if hneed > hk.shape[0]:
            hk = np.empty(2 * hneed, dtype=np.float64)
            hv = np.empty(2 * hneed, dtype=np.int32)
        if stamp > 2**30:
            mark[:] = -1
            stamp = 0
        k = _shortcuts(
            cur,
            bound,
            settle_limit,
            start,
            deg,
            nbr,
            wt,
            dist,
            touched,
            hk,
            hv,
            sc_a,
            sc_b,
            sc_w,
            mark,
            stamp,
        )
        stamp += dc
        ed[cur] = k - dc
        nk = w_ed * ed[cur] + w_cn * cn[cur] + w_level * level[cur]
        if first or (qs > 0 and nk > qk[0]):
            key[cur] = nk
            if qs >= qk.shape[0]:
                nqk = np.empty(2 * qk.shape[0], dtype=np.float64)
                nqv = np.empty(2 * qk.shape[0], dtype=np.int32)
                nqk[:qs] = qk[:qs]
                nqv[:qs] = qv[:qs]
                qk, qv = nqk, nqv
            qs = _heap_push(qk, qv, qs, nk, cur)
            continue
        # contract `cur`: its remaining neighbours are its arcs up the hierarchy
        done[cur] = True
        order[rank] = cur
        rank += 1
        s = start[cur]
        if n_arcs + dc > arc_cap:
            arc_cap = 2 * arc_cap + dc
            na = np.empty(arc_cap, dtype=np.int32)
            nb = np.empty(arc_cap, dtype=np.int32)
            nw = np.empty(arc_cap, dtype=np.float64)
            na[:n_arcs] = arc_lo[:n_arcs]
            nb[:n_arcs] = arc_hi[:n_arcs]
            nw[:n_arcs] = arc_w[:n_arcs]
            arc_lo, arc_hi, arc_w = na, nb, nw
        for j in range(s, s + dc):
            x = nbr[j]
            arc_lo[n_arcs] = cur
            arc_hi[n_arcs] = x
            arc_w[n_arcs] = wt[j]
            n_arcs += 1
            _remove(x, cur, start, deg, nbr, wt)
        for i in range(k):
            for side in range(2):
                a = sc_a[i] if side == 0 else sc_b[i]
                b = sc_b[i] if side == 0 else sc_a[i]
                c = sc_w[i]
                sa = start[a]
                found = False
                for j in range(sa, sa + deg[a]):
                    if nbr[j] == b:
                        if c < wt[j]:
                            wt[j] = c
                        found = True
                        break
                if found:
                    continue
                if deg[a] == cap[a]:
                    nc = 2 * cap[a]
                    if used + nc > nbr.shape[0]:
                        grow = max(2 * nbr.shape[0], used + nc)
                        nn = np.empty(grow, dtype=np.int32)
                        nw2 = np.empty(grow, dtype=np.float64)
                        nn[:used] = nbr[:used]
                        nw2[:used] = wt[:used]
                        nbr, wt = nn, nw2
                    for j in range(deg[a]):
                        nbr[used + j] = nbr[sa + j]
                        wt[used + j] = wt[sa + j]
                    start[a] = used
                    sa = used
                    cap[a] = nc
                    used += nc
                nbr[sa + deg[a]] = b
                wt[sa + deg[a]] = c
                deg[a] += 1
        for j in range(s, s + dc):
            x = nbr[j]
            cn[x] += 1
            if level[x] < level[cur] + 1:
                level[x] = level[cur] + 1
            key[x] = w_ed * ed[x] + w_cn * cn[x] + w_level * level[x]
            if qs >= qk.shape[0]:
                nqk = np.empty(2 * qk.shape[0], dtype=np.float64)
                nqv = np.empty(2 * qk.shape[0], dtype=np.int32)
                nqk[:qs] = qk[:qs]
                nqv[:qs] = qv[:qs]
                qk, qv = nqk, nqv
            qs = _heap_push(qk, qv, qs, key[x], x)
        deg[cur] = 0
    return order, level, arc_lo[:n_arcs].copy(), arc_hi[:n_arcs].copy(), arc_w[:n_arcs].copy()


#: items swept together at most (one lane each): a node's lanes are side by side, its
#: distances then its labels, read whole. The kernels take the width from the arrays (see
#: :func:`lane_width`).
LANES = WIDTH


def lane_width(n_nodes: int) -> int:
    """Lanes per pass on a network of ``n_nodes``: 16 at every size. The sweeps wait for
    memory, once per arc whatever the lanes, so more lanes a pass cost less a lane: at 1M
    nodes, one thread, per 16-lane pass upward 222-250 ms and downward 216-321 ms against
    313-378 and 616-652 ms per 8-lane pass (medians of 7, load 5.5), 2x cheaper a lane; at
    100k 16 lanes 0.204 s of CPU end to end against 0.333 s with 8 (medians of 5). Once the
    threads of a pass shared its lanes (:func:`~.hierarchy.run_sweeps`), one set of 16 lanes
    (192 MiB at 1M) costs no more memory than the two 8-lane sets of two threads before
    (1M peak 983 MiB with 2 threads). 32 lanes at 100k (one pass for 30 items): 0.207 s, no
    better than 16, and twice the memory."""
    return LANES


@njit(cache=True, nogil=True)
def _relax(
    dist: FloatArray,
    lab: Int32Array,
    q: np.uint64,
    w: float,
    ad: FloatArray,
    al: Int32Array,
    lanes: int,
) -> None:  # pragma: no cover - compiled
    for kk in range(lanes):
        k = np.uint64(kk)
        c = dist[q + k] + w
        lq = lab[q + k]
        d0 = ad[k]
        l0 = al[k]
        t = (c < d0) | ((c == d0) & (lq < l0))
        ad[k] = c if t else d0
        al[k] = lq if t else l0


@njit(cache=True, nogil=True)
def sweep_range(
    ptr: PtrArray,
    src: Int32Array,
    wgt: FloatArray,
    dist: FloatArray,
    lab: Int32Array,
    live: npt.NDArray[np.uint8],
    limit: float,
    lo: int,
    hi: int,
    forward: bool,
) -> None:  # pragma: no cover - compiled
    """Positions ``lo``..``hi``-1 (in increasing order when ``forward``, else decreasing) each
    take, per lane, the least (distance, label) over their arcs ``ptr``/``src``/``wgt`` (the
    arcs' other ends are final already); see :func:`sweep_range_lanes`. :data:`LANES` lanes
    a position (every pass of :func:`~.reach.reach`) are compared as vectors held in
    registers (:func:`~._lane_vectors.pull_lanes`, 3x faster), other widths by
    :func:`sweep_range_lanes`; the lanes end bit for bit the same."""
    width = dist.shape[0] // max(live.shape[0], 1)
    if width != WIDTH:
        sweep_range_lanes(ptr, src, wgt, dist, lab, live, limit, lo, hi, forward)
        return
    for i in range(hi - lo):
        pp = lo + i if forward else hi - 1 - i
        if ptr[pp] == ptr[pp + 1]:
            continue
        within = pull_lanes(dist, lab, live, ptr, src, wgt, pp, limit)
        if within != UNMOVED:
            live[pp] = within


@njit(cache=True, nogil=True)
def sweep_range_lanes(
    ptr: PtrArray,
    src: Int32Array,
    wgt: FloatArray,
    dist: FloatArray,
    lab: Int32Array,
    live: npt.NDArray[np.uint8],
    limit: float,
    lo: int,
    hi: int,
    forward: bool,
) -> None:  # pragma: no cover - compiled
    """Positions ``lo``..``hi``-1 (in increasing order when ``forward``, else decreasing) each
    take, per lane, the least (distance, label) over their arcs ``ptr``/``src``/``wgt`` (the
    arcs' other ends are final already).

    ``dist``/``lab`` hold ``width`` values per position (``len(dist) / len(live)``), position-major
    (``p * width + k``).
    ``live[p]`` says whether any lane of position p is within ``limit``; arcs from a position
    with none are skipped (nothing beyond the limit can lead to an answer within it), which
    saves reading its lanes from memory.

    Vector instructions over the lanes (measured 1.6x faster than scalar code): unsigned
    indices (no negative-index checks, so no gathers), an accumulator apart from ``dist``, and
    the lane count passed at run time so that the compiler vectorizes the loop (with a check
    that the arrays do not overlap) instead of unrolling it into scalar code.
    """
    width = dist.shape[0] // max(live.shape[0], 1)  # lanes per position
    lanes = width if hi >= lo else 0
    kn = np.uint64(lanes)
    ad = np.empty(width, dtype=np.float64)
    al = np.empty(width, dtype=np.int32)
    for i in range(hi - lo):
        pp = lo + i if forward else hi - 1 - i
        a = ptr[pp]
        b = ptr[pp + 1]
        if a == b:
            continue
        p = np.uint64(pp) * kn
        for kk in range(lanes):
            ad[kk] = dist[p + np.uint64(kk)]
            al[kk] = lab[p + np.uint64(kk)]
        moved = False
        for j in range(a, b):
            q = src[j]
            if live[q] != 0:
                _relax(dist, lab, np.uint64(q) * kn, wgt[j], ad, al, lanes)
                moved = True
        if not moved:
            continue
        within = 0
        for kk in range(lanes):
            dist[p + np.uint64(kk)] = ad[kk]
            lab[p + np.uint64(kk)] = al[kk]
            within |= ad[kk] <= limit
        live[pp] = within


@njit(cache=True, nogil=True)
def _push(
    dist: FloatArray,
    lab: Int32Array,
    q: np.uint64,
    w: float,
    ad: FloatArray,
    al: Int32Array,
    lanes: int,
    limit: float,
) -> int:  # pragma: no cover - compiled
    within = 0
    for kk in range(lanes):
        k = np.uint64(kk)
        c = ad[k] + w
        lp = al[k]
        d0 = dist[q + k]
        l0 = lab[q + k]
        t = (c < d0) | ((c == d0) & (lp < l0))
        nd = c if t else d0
        dist[q + k] = nd
        lab[q + k] = lp if t else l0
        within |= nd <= limit
    return within


@njit(cache=True, nogil=True)
def sweep_up(
    ptr: PtrArray,
    dst: Int32Array,
    wgt: FloatArray,
    dist: FloatArray,
    lab: Int32Array,
    live: npt.NDArray[np.uint8],
    limit: float,
    lo: int,
    hi: int,
    top: int,
) -> None:  # pragma: no cover - compiled
    """The upward sweep over the downward arcs, positions ``hi``-1 down to ``lo``; see
    :func:`sweep_up_lanes`. :data:`LANES` lanes a position are pushed as vectors
    (:func:`~._lane_vectors.push_lanes`, 1.7-2.2x faster), other widths by
    :func:`sweep_up_lanes`; the lanes end bit for bit the same."""
    width = dist.shape[0] // max(live.shape[0], 1)
    if width != WIDTH:
        sweep_up_lanes(ptr, dst, wgt, dist, lab, live, limit, lo, hi, top)
        return
    kn = np.uint64(width)
    for i in range(hi - lo):
        pp = hi - 1 - i
        if pp >= lo + 2:  # the higher neighbours two positions on (see sweep_up_lanes)
            for j in range(ptr[pp - 2], ptr[pp - 1]):
                _prefetch_lanes(dist, lab, np.uint64(dst[j]) * kn, kn)
        if live[pp] == 0 or ptr[pp] == ptr[pp + 1]:
            continue
        push_lanes(dist, lab, live, ptr, dst, wgt, pp, limit, top)


@njit(cache=True, nogil=True)
def sweep_up_lanes(
    ptr: PtrArray,
    dst: Int32Array,
    wgt: FloatArray,
    dist: FloatArray,
    lab: Int32Array,
    live: npt.NDArray[np.uint8],
    limit: float,
    lo: int,
    hi: int,
    top: int,
) -> None:  # pragma: no cover - compiled
    """The upward sweep over the downward arcs: positions ``hi``-1 down to ``lo``, each (final
    by then: its lower neighbours come after it) pushing its lanes along its arcs ``ptr``/
    ``dst``/``wgt`` to its higher neighbours, except those before position ``top`` (another
    thread's: see :func:`~.hierarchy.run_sweeps`). Positions with no lane within ``limit``
    push nothing.

    The same least (distance, label) per lane as pulling along the arcs reversed: every value
    is ``dist[p] + w`` of the same arcs, and the least under that total order does not depend
    on the order the candidates come in. One copy of the arcs serves both sweeps.
    """
    width = dist.shape[0] // max(live.shape[0], 1)
    kn = np.uint64(width)
    ad = np.empty(width, dtype=np.float64)
    al = np.empty(width, dtype=np.int32)
    for i in range(hi - lo):
        pp = hi - 1 - i
        if pp >= lo + 2:  # the higher neighbours two positions on (upward sweep 9 % less CPU)
            for j in range(ptr[pp - 2], ptr[pp - 1]):
                _prefetch_lanes(dist, lab, np.uint64(dst[j]) * kn, kn)
        if live[pp] == 0:
            continue
        a = ptr[pp]
        b = ptr[pp + 1]
        if a == b:
            continue
        p = np.uint64(pp) * kn
        for kk in range(width):
            ad[kk] = dist[p + np.uint64(kk)]
            al[kk] = lab[p + np.uint64(kk)]
        for j in range(a, b):
            q = dst[j]
            if q < top:
                continue
            if _push(dist, lab, np.uint64(q) * kn, wgt[j], ad, al, width, limit):
                live[q] = 1


@njit(cache=True, nogil=True)
def part_flags(ptr: PtrArray, dst: Int32Array, part: Int32Array) -> Int64Array:  # pragma: no cover
    """Per position, the set of parts (bit ``i`` for part ``i``, ``part[p]`` < 63) with a node
    at or below it: its own part, or-ed upward over the arcs ``ptr``/``dst`` (CSR by the lower
    end, every higher end at a smaller position), positions from last to first."""
    n = part.shape[0]
    flags = np.zeros(n, dtype=np.int64)
    for p in range(n):
        flags[p] = np.int64(1) << np.int64(part[p])
    for i in range(n):
        p = n - 1 - i
        f = flags[p]
        for j in range(ptr[p], ptr[p + 1]):
            flags[dst[j]] |= f
    return flags


@njit(cache=True, nogil=True)
def reset(
    dist: FloatArray, lab: Int32Array, live: npt.NDArray[np.uint8], lo: int, hi: int
) -> None:  # pragma: no cover - compiled
    """Positions ``lo``..``hi``-1 of the lanes: nothing reached (a range, so that threads
    share the work: at 1M nodes 192 MiB of lanes are written)."""
    width = dist.shape[0] // max(live.shape[0], 1)
    dist[lo * width : hi * width] = np.inf
    lab[lo * width : hi * width] = NO_LABEL
    live[lo:hi] = 0


@njit(cache=True, nogil=True)
def seed(
    dist: FloatArray,
    lab: Int32Array,
    live: npt.NDArray[np.uint8],
    lane: Int32Array,
    pos: Int32Array,
    d0: FloatArray,
    label: Int32Array,
    limit: float,
) -> None:  # pragma: no cover - compiled
    """Put the sources into reset lanes (flat, ``p * width + k``; :func:`reset`): source s
    starts at position ``pos[s]`` of lane ``lane[s]`` with distance ``d0[s]`` (ignored beyond
    ``limit``)."""
    width = dist.shape[0] // max(live.shape[0], 1)
    for s in range(lane.shape[0]):
        d = d0[s]
        if not d <= limit:
            continue
        live[pos[s]] = 1
        i = pos[s] * width + lane[s]
        if d < dist[i] or (d == dist[i] and label[s] < lab[i]):
            dist[i] = d
            lab[i] = label[s]


@njit(cache=True, nogil=True)
def node_positions(pos: Int32Array, node: Int64Array) -> Int32Array:  # pragma: no cover - compiled
    """Per origin node its position ``pos[node]`` in the sweep order, -1 for a node off the
    network (negative): one pass and one array, where numpy's ``where``/``maximum``/``astype``
    made four (1M origins: 2.7 -> 0.6 ms). A node the network does not have is an
    ``IndexError``, as numpy's indexing raised."""
    out = np.empty(node.shape[0], dtype=np.int32)
    n = pos.shape[0]
    for i in range(node.shape[0]):
        v = node[i]
        if v >= n:
            raise IndexError("origin node not in the network")
        out[i] = pos[v] if v >= 0 else -1
    return out


@njit(cache=True, nogil=True)
def _block_arrays(
    out_d: FloatArray, out_f: Int32Array, width: int
) -> tuple[np.uint64, FloatArray, Int32Array, FloatArray, Int32Array]:  # pragma: no cover
    """What a gathering writes through: origins a lane (``row``), the results flat, and a
    block of :data:`_BLOCK` origins' values a lane (:func:`_write_block`)."""
    return (
        np.uint64(out_d.shape[1]),
        out_d.reshape(out_d.size),
        out_f.reshape(out_f.size),
        np.empty(width * _BLOCK, dtype=np.float64),
        np.empty(width * _BLOCK, dtype=np.int32),
    )


@njit(cache=True, nogil=True)
def _no_answer(
    bd: FloatArray, bf: Int32Array, j: int, n_lanes: int
) -> None:  # pragma: no cover - compiled
    """Origin ``j`` of a block: nothing within the limit in any lane (NaN, -1)."""
    for k in range(n_lanes):
        bd[k * _BLOCK + j] = np.nan
        bf[k * _BLOCK + j] = -1


@njit(cache=True, nogil=True)
def _write_block(
    flat_d: FloatArray,
    flat_f: Int32Array,
    bd: FloatArray,
    bf: Int32Array,
    o0: int,
    m: int,
    n_lanes: int,
    row: np.uint64,
) -> None:  # pragma: no cover - compiled
    """A block's ``m`` origins from ``o0`` on, each lane's values to its row of the results
    (flat, ``row`` origins a lane) in non-temporal stores (:func:`_stream_store`)."""
    for k in range(n_lanes):
        at = np.uint64(k) * row + np.uint64(o0)
        for j in range(m):
            _stream(flat_d, at + np.uint64(j), bd[k * _BLOCK + j])
        for j in range(m):
            _stream(flat_f, at + np.uint64(j), bf[k * _BLOCK + j])


@njit(cache=True, nogil=True)
def gather_nodes(
    dist: FloatArray,
    lab: Int32Array,
    origin_pos: Int32Array,
    limit: float,
    n_lanes: int,
    width: int,
    out_d: FloatArray,
    out_f: Int32Array,
    lo: int,
    hi: int,
) -> None:  # pragma: no cover - compiled
    """Origins ``lo``..``hi``-1 that are nodes: ``out_d[k, o]`` / ``out_f[k, o]`` for the
    first ``n_lanes`` lanes (NaN / -1 beyond ``limit``; a negative position is an origin off
    the network). Without branches on the values (reachable or not is unpredictable: 2x faster
    so). A range rather than slices: the arrays keep one layout whatever the threads.

    :data:`_BLOCK` origins at a time: their lanes into a small block, then each lane's values
    for them written to its row in non-temporal stores (:func:`_stream_store`). Written one
    origin at a time, every value went to a line of its own row that had to be read first,
    and the results pushed the lanes out of the caches: one thread, 100k origins, 16 lanes
    of a real pass, 5.9–6.2 -> 3.2–3.5 ms (medians of 15), the same values."""
    kn = np.uint64(width)
    n_orig = origin_pos.shape[0]
    row, flat_d, flat_f, bd, bf = _block_arrays(out_d, out_f, width)
    o0 = lo
    while o0 < hi:
        m = min(_BLOCK, hi - o0)
        for j in range(m):
            o = o0 + j
            if o + _AHEAD < n_orig:  # the lanes of an origin further on (2x faster at 1M nodes)
                ahead = origin_pos[o + _AHEAD]
                if ahead >= 0:
                    _prefetch_lanes(dist, lab, np.uint64(ahead) * kn, kn)
            p = origin_pos[o]
            if p < 0:
                _no_answer(bd, bf, j, n_lanes)
                continue
            base = np.uint64(p) * kn
            for k in range(n_lanes):
                t = dist[base + np.uint64(k)]
                ok = t <= limit
                bd[k * _BLOCK + j] = t if ok else np.nan
                bf[k * _BLOCK + j] = lab[base + np.uint64(k)] if ok else -1
        _write_block(flat_d, flat_f, bd, bf, o0, m, n_lanes, row)
        o0 += m
    _fence()


@njit(cache=True, nogil=True)
def gather_points(
    dist: FloatArray,
    lab: Int32Array,
    pos_u: Int32Array,
    pos_v: Int32Array,
    along: FloatArray,
    rest: FloatArray,
    offset: FloatArray,
    edge: Int64Array,
    same_ptr: Int64Array,
    same_edge: Int64Array,
    same_lane: Int32Array,
    same_along: FloatArray,
    same_off: FloatArray,
    same_label: Int32Array,
    limit: float,
    n_lanes: int,
    width: int,
    out_d: FloatArray,
    out_f: Int32Array,
    lo: int,
    hi: int,
) -> None:  # pragma: no cover - compiled
    """Origins ``lo``..``hi``-1 on edges: the better of the edge's two ends (``along`` from u,
    ``rest`` to v) and of the facilities on the same edge (walked straight along it), plus the
    origin's own offset. ``same_*`` lists the facilities sitting inside edges, sorted by edge;
    ``same_ptr[o]`` is where origin o's edge starts in that list. Written as
    :func:`gather_nodes` writes: :data:`_BLOCK` origins' answers into a small block, then
    each lane's row in non-temporal stores."""
    n_orig = pos_u.shape[0]
    kn = np.uint64(width)
    row, flat_d, flat_f, bd, bf = _block_arrays(out_d, out_f, width)
    td = np.empty(width, dtype=np.float64)  # one origin's best per lane, before its offset
    tl = np.empty(width, dtype=np.int32)
    o0 = lo
    while o0 < hi:
        m = min(_BLOCK, hi - o0)
        for j in range(m):
            o = o0 + j
            if o + _AHEAD < n_orig and pos_u[o + _AHEAD] >= 0:
                _prefetch_lanes(dist, lab, np.uint64(pos_u[o + _AHEAD]) * kn, kn)
                _prefetch_lanes(dist, lab, np.uint64(pos_v[o + _AHEAD]) * kn, kn)
            a = pos_u[o]
            if a < 0:
                _no_answer(bd, bf, j, n_lanes)
                continue
            ua = np.uint64(a) * kn
            vb = np.uint64(pos_v[o]) * kn
            s = along[o]
            r = rest[o]
            for k in range(n_lanes):  # the two ends, without branches on the values
                uk = ua + np.uint64(k)
                vk = vb + np.uint64(k)
                du = dist[uk] + s
                lu = lab[uk]
                dv = dist[vk] + r
                lv = lab[vk]
                t = (dv < du) | ((dv == du) & (lv < lu))
                td[k] = dv if t else du
                tl[k] = lv if t else lu
            i = same_ptr[o]  # then the facilities on the origin's own edge, each in its lane
            while i >= 0 and i < same_edge.shape[0] and same_edge[i] == edge[o]:
                k = same_lane[i]
                if k < n_lanes:
                    c = same_off[i] + abs(s - same_along[i])
                    if c < td[k] or (c == td[k] and same_label[i] < tl[k]):
                        td[k] = c
                        tl[k] = same_label[i]
                i += 1
            off = offset[o]
            for k in range(n_lanes):
                d = td[k] + off
                ok = d <= limit
                bd[k * _BLOCK + j] = d if ok else np.nan
                bf[k * _BLOCK + j] = tl[k] if ok else -1
        _write_block(flat_d, flat_f, bd, bf, o0, m, n_lanes, row)
        o0 += m
    _fence()


@njit(cache=True, nogil=True)
def dependency_order(
    start_order: Int32Array, up_ptr: Int64Array, up_nbr: Int32Array
) -> Int32Array:  # pragma: no cover - compiled
    """A downward sweep order with locality: nodes in ``start_order`` (a space-filling curve),
    each preceded by those of its higher neighbours (``up_*``, CSR by node) not placed yet,
    recursively. Every node comes after all its higher neighbours, and nodes near each other
    on the ground come near each other in the order (and in memory)."""
    n = start_order.shape[0]
    state = np.zeros(n, dtype=np.int8)  # 0 new, 1 on the stack, 2 placed
    cursor = np.empty(n, dtype=np.int64)
    stack = np.empty(n, dtype=np.int32)
    out = np.empty(n, dtype=np.int32)
    k = 0
    for i in range(n):
        v = start_order[i]
        if state[v] != 0:
            continue
        top = 0
        stack[0] = v
        state[v] = 1
        cursor[v] = up_ptr[v]
        while top >= 0:
            x = stack[top]
            pushed = False
            while cursor[x] < up_ptr[x + 1]:
                y = up_nbr[cursor[x]]
                cursor[x] += 1
                if state[y] == 0:
                    state[y] = 1
                    cursor[y] = up_ptr[y]
                    top += 1
                    stack[top] = y
                    pushed = True
                    break
            if not pushed:
                state[x] = 2
                out[k] = x
                k += 1
                top -= 1
    return out


@njit(cache=True, nogil=True)
def local_query(
    up_ptr: Int64Array,
    up_src: Int32Array,
    up_w: FloatArray,
    dn_ptr: PtrArray,
    dn_src: Int32Array,
    dn_w: FloatArray,
    src_pos: Int32Array,
    src_d: FloatArray,
    src_lab: Int32Array,
    limit: float,
    dist: FloatArray,
    lab: Int32Array,
    state: npt.NDArray[np.int8],
    touched: Int32Array,
    hk: FloatArray,
    hv: Int32Array,
) -> int:  # pragma: no cover - compiled
    """The two sweeps of one lane restricted to the positions a few sources reach within
    ``limit``, in the sweeps' own order (a heap of positions), so every value is computed by
    the very same additions and comparisons as in a full sweep.

    ``dist``/``lab``/``state`` are all +inf / NO_LABEL / 0 on entry and hold the results at the
    touched positions on return (the caller resets those). Returns the number of touched
    positions, or -1 when ``touched`` or the heap is too small.
    """
    cap = touched.shape[0]
    hcap = hk.shape[0]
    nt = 0
    size = 0
    # upward: positions from last to first (a min-heap of -position), arcs to higher nodes
    for s in range(src_pos.shape[0]):
        d = src_d[s]
        if not d <= limit:
            continue
        p = src_pos[s]
        if d < dist[p] or (d == dist[p] and src_lab[s] < lab[p]):
            dist[p] = d
            lab[p] = src_lab[s]
        if state[p] == 0:
            if nt >= cap or size >= hcap:
                return -1
            state[p] = 1
            touched[nt] = p
            nt += 1
            size = _heap_push(hk, hv, size, -float(p), p)
    while size > 0:
        p = hv[0]
        size = _heap_pop(hk, hv, size)
        d = dist[p]
        lp = lab[p]
        for j in range(dn_ptr[p], dn_ptr[p + 1]):
            q = dn_src[j]  # a higher neighbour: a smaller position
            c = d + dn_w[j]
            if not c <= limit:
                continue
            if c < dist[q] or (c == dist[q] and lp < lab[q]):
                dist[q] = c
                lab[q] = lp
            if state[q] == 0:
                if nt >= cap or size >= hcap:
                    return -1
                state[q] = 1
                touched[nt] = q
                nt += 1
                size = _heap_push(hk, hv, size, -float(q), q)
    # downward: positions from first to last, arcs to lower nodes
    for i in range(nt):
        p = touched[i]
        state[p] = 2
        size = _heap_push(hk, hv, size, float(p), p)
    while size > 0:
        p = hv[0]
        size = _heap_pop(hk, hv, size)
        d = dist[p]
        lp = lab[p]
        for j in range(up_ptr[p], up_ptr[p + 1]):
            q = up_src[j]  # a lower neighbour: a larger position
            c = d + up_w[j]
            if not c <= limit:
                continue
            if c < dist[q] or (c == dist[q] and lp < lab[q]):
                dist[q] = c
                lab[q] = lp
            if state[q] != 2:
                if state[q] == 0:
                    if nt >= cap:
                        return -1
                    touched[nt] = q
                    nt += 1
                if size >= hcap:
                    return -1
                state[q] = 2
                size = _heap_push(hk, hv, size, float(q), q)
    return nt
