"""Drawing circles: group communities into service circles of about 15,000 residents.

Input: each network node's community (``node_community``, from polygons or the derived areas of
:mod:`quarterhour.engine.population`) and each community's population. Two communities are
*adjacent* when a network edge joins a node of one to a node of the other (their areas touch
along that edge), so every circle is contiguous by the walking network.

1. **一社区多圈** — a community above ``max_pop`` is split along the network into
   p = max(⌈P / max⌉, round(P / target)) pieces by recursive bisection: take two far-apart nodes
   a, b (double sweep), order the nodes by d(a, ·) − d(b, ·) and cut where the population
   reaches the share of the first half; a piece's stray components join the neighbouring piece.
2. **多社区一圈** — units (communities and pieces) below ``min_pop`` are merged, smallest
   first, with the adjacent region whose merged population is closest to ``target`` without
   exceeding ``max_pop`` (ties: the longer shared frontier, then the lower index). Merging only
   happens between adjacent regions, and, when ``street_of`` is given, within one street.
3. Each circle gets a suggested service centre: the 1-median (least population-weighted walking
   distance over the circle's own network) among the ``centre_candidates`` nodes nearest to
   its population centroid (exact when the circle has no more nodes than that).

A circle outside [min_pop, max_pop] carries the reason (an isolated community below the minimum,
every neighbour would exceed the maximum, …). Population of a community is spread over its
nodes by ``node_weight`` (default: evenly) — only shares matter for splitting.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra

from quarterhour.engine._errors import Problem, ProblemCollector
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.progress import Progress, no_progress

FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]

#: Policy size of a circle (residents) and the default accepted range.
DEFAULT_TARGET_POP: float = 15_000.0
DEFAULT_MIN_POP: float = 10_000.0
DEFAULT_MAX_POP: float = 20_000.0

REASONS: dict[str, tuple[str, str]] = {
    "isolated_below_min": ("孤立社区，人口低于下限", "isolated community below the minimum"),
    "neighbours_exceed_max": (
        "与任何相邻圈合并都会超过上限",
        "merging with any neighbour would exceed the maximum",
    ),
    "no_network_area": ("社区没有步行网络区域", "the community has no walk-network area"),
    "other_street_only": (
        "相邻区域都属于其他街道",
        "every neighbour belongs to another street",
    ),
    "cannot_split_evenly": (
        "社区的步行网络区域太小，无法均匀拆分",
        "the community's walk-network area is too small to split evenly",
    ),
}


@dataclass(frozen=True, slots=True)
class CirclePart:
    """A community (or a share of it) inside a circle."""

    community: int
    share: float  # share of the community's population in this circle (1.0 when whole)


@dataclass(frozen=True, slots=True)
class Circle:
    circle_id: str
    parts: tuple[CirclePart, ...]
    population: float
    n_nodes: int
    centre_node: int  # -1 when the circle has no network nodes
    centre_lon: float
    centre_lat: float
    mean_walk_m: float  # population-weighted mean walk to the centre (NaN without nodes)
    in_range: bool
    reason: str  # "" when in range, else a key of REASONS

    def reason_text(self) -> str:
        zh, en = REASONS.get(self.reason, ("", ""))
        return f"{zh} / {en}" if zh else ""


@dataclass(frozen=True, slots=True, eq=False)
class CircleLayout:
    circles: tuple[Circle, ...]
    node_circle: Int64Array  # per network node: circle index, -1 when no community
    community_ids: tuple[str, ...]
    min_pop: float
    max_pop: float
    target_pop: float

    def population_spread(self) -> dict[str, float]:
        """min / median / max / share within range of circle populations."""
        p = np.array([c.population for c in self.circles])
        if p.size == 0:
            return {"circles": 0.0}
        return {
            "circles": float(p.size),
            "min": float(p.min()),
            "median": float(np.median(p)),
            "max": float(p.max()),
            "in_range_share": float(np.mean([c.in_range for c in self.circles])),
        }


def community_adjacency(
    network: WalkNetwork, node_label: Int64Array, n_labels: int
) -> sp.csr_array:
    """Symmetric (labels × labels) count of network edges joining two different labels."""
    lu = node_label[network.edge_u]
    lv = node_label[network.edge_v]
    cross = (lu >= 0) & (lv >= 0) & (lu != lv)
    r = np.concatenate([lu[cross], lv[cross]])
    c = np.concatenate([lv[cross], lu[cross]])
    return sp.csr_array((np.ones(r.shape[0]), (r, c)), shape=(n_labels, n_labels), dtype=np.float64)


def _bisect(
    sub: sp.csr_array, weight: FloatArray, nodes: Int64Array, parts: int
) -> list[Int64Array]:
    """Split ``nodes`` (indices into sub) into ``parts`` groups of about equal weight."""
    if parts <= 1 or nodes.shape[0] <= 1:
        return [nodes]
    g = sp.csr_array(sub[nodes][:, nodes])
    wl = weight[nodes]
    d0 = dijkstra(g, directed=False, indices=0)
    fin = np.isfinite(d0)
    a = int(np.argmax(np.where(fin, d0, -1.0)))
    da = dijkstra(g, directed=False, indices=a)
    b = int(np.argmax(np.where(np.isfinite(da), da, -1.0)))
    db = dijkstra(g, directed=False, indices=b)
    both = np.isfinite(da) & np.isfinite(db)
    key = np.full(da.shape[0], np.inf)
    key[both] = da[both] - db[both]
    order = np.lexsort((np.arange(key.shape[0]), key))
    left_parts = parts // 2
    cum = np.cumsum(wl[order])
    total = cum[-1] if cum.size else 0.0
    if total > 0:
        cut = int(np.searchsorted(cum, total * left_parts / parts, side="left")) + 1
    else:
        cut = round(nodes.shape[0] * left_parts / parts)
    cut = min(max(cut, 1), nodes.shape[0] - 1)
    left = nodes[np.sort(order[:cut])]
    right = nodes[np.sort(order[cut:])]
    return _bisect(sub, weight, left, left_parts) + _bisect(sub, weight, right, parts - left_parts)


def _mend_pieces(sub: sp.csr_array, piece: Int64Array) -> Int64Array:
    """Give every piece's stray components (not its largest) to an adjacent piece."""
    piece = piece.copy()
    coo = sp.coo_array(sub)
    for _ in range(4):
        changed = False
        same = piece[coo.row] == piece[coo.col]
        g = sp.csr_array(
            (np.ones(int(same.sum())), (coo.row[same], coo.col[same])), shape=sub.shape
        )
        _n, comp = connected_components(g, directed=False)
        for p in np.unique(piece):
            members = np.flatnonzero(piece == p)
            comps, counts = np.unique(comp[members], return_counts=True)
            if comps.shape[0] <= 1:
                continue
            main = comps[np.argmax(counts)]
            for cc in comps[comps != main]:
                stray = np.flatnonzero(comp == cc)
                mask = np.isin(coo.row, stray) & ~np.isin(coo.col, stray)
                others = piece[coo.col[mask]]
                others = others[others != p]
                if others.size:
                    vals, cnt = np.unique(others, return_counts=True)
                    piece[stray] = vals[np.argmax(cnt)]
                    changed = True
        if not changed:
            break
    return piece


def delineate_circles(
    network: WalkNetwork,
    node_community: npt.ArrayLike,
    community_ids: Sequence[str],
    community_population: npt.ArrayLike,
    *,
    node_weight: npt.ArrayLike | None = None,
    min_pop: float = DEFAULT_MIN_POP,
    max_pop: float = DEFAULT_MAX_POP,
    target_pop: float = DEFAULT_TARGET_POP,
    street_of: Sequence[str] | None = None,
    centre_candidates: int = 16,
    id_prefix: str = "C",
    progress: Progress = no_progress,
) -> CircleLayout:
    """Group communities into circles (see the module docstring)."""
    label = np.asarray(node_community, dtype=np.int64)
    pop = np.asarray(community_population, dtype=np.float64)
    nc = len(community_ids)
    problems = ProblemCollector()
    if label.shape != (network.n_nodes,):
        problems.add(Problem("shape", "节点社区数组长度不符", "node_community length differs"))
    if pop.shape != (nc,):
        problems.add(Problem("shape", "社区人口数组长度不符", "population length differs"))
    else:
        for i in np.flatnonzero(~np.isfinite(pop) | (pop < 0)).tolist():
            problems.add(
                Problem(
                    "population_invalid",
                    f"社区 {community_ids[i]} 的人口为负数或缺失",
                    f"community {community_ids[i]}: population is negative or missing",
                    row=i,
                )
            )
    if not 0 < min_pop <= target_pop <= max_pop:
        problems.add(
            Problem(
                "range_invalid",
                "须满足 0 < 下限 ≤ 目标 ≤ 上限",
                "need 0 < min ≤ target ≤ max",
            )
        )
    if street_of is not None and len(street_of) != nc:
        problems.add(Problem("shape", "街道数组长度不符", "street_of length differs"))
    problems.raise_if_any()

    # node weights: community population over its nodes
    has = label >= 0
    base = (
        np.ones(network.n_nodes)
        if node_weight is None
        else np.asarray(node_weight, dtype=np.float64).copy()
    )
    base[~has] = 0.0
    per = np.bincount(label[has], weights=base[has], minlength=nc)
    cnt = np.bincount(label[has], minlength=nc)
    even = (per <= 0) & (cnt > 0)
    base = np.where(has & even[np.maximum(label, 0)], 1.0, base)
    per = np.bincount(label[has], weights=base[has], minlength=nc)
    wnode = np.zeros(network.n_nodes)
    wnode[has] = base[has] / per[label[has]] * pop[label[has]]

    csr = network.csr()
    # --- 1. split large communities into pieces -----------------------------------------
    unit = label.copy()  # node → unit id
    unit_comm: list[int] = list(range(nc))  # unit id → community
    big = np.flatnonzero(pop > max_pop)
    progress("split", 0, len(big))
    for done, ci in enumerate(big.tolist()):
        members = np.flatnonzero(label == ci)
        if members.shape[0] < 2:
            continue
        p = max(math.ceil(pop[ci] / max_pop), round(pop[ci] / target_pop))
        p = min(p, members.shape[0])
        sub = sp.csr_array(csr[members][:, members])
        groups = _bisect(sub, wnode[members], np.arange(members.shape[0]), p)
        piece = np.empty(members.shape[0], dtype=np.int64)
        for gi, g in enumerate(groups):
            piece[g] = gi
        piece = _mend_pieces(sub, piece)
        for q in np.unique(piece).tolist():
            if q == piece[0]:
                uid = ci  # the piece holding the first node keeps the community's unit id
            else:
                uid = len(unit_comm)
                unit_comm.append(ci)
            unit[members[piece == q]] = uid
        progress("split", done + 1, len(big))
    nu = len(unit_comm)
    unit_pop = np.bincount(unit[has], weights=wnode[has], minlength=nu)
    # communities without nodes keep their whole population on their (node-less) unit
    nodeless = np.flatnonzero(cnt == 0)
    unit_pop[nodeless] = pop[nodeless]
    adj = sp.csr_array(community_adjacency(network, unit, nu))
    adj.sum_duplicates()

    # --- 2. grow regions, merge and repair small ones --------------------------------------
    nbrs: list[dict[int, float]] = [
        dict(
            zip(
                adj.indices[adj.indptr[u] : adj.indptr[u + 1]].tolist(),
                adj.data[adj.indptr[u] : adj.indptr[u + 1]].tolist(),
                strict=True,
            )
        )
        for u in range(nu)
    ]
    street = None if street_of is None else [street_of[unit_comm[u]] for u in range(nu)]
    progress("regions", 0, nu)
    reg, reason = _regionalise(
        unit_pop.astype(np.float64),
        nbrs,
        street,
        set(nodeless.tolist()),
        min_pop=min_pop,
        max_pop=max_pop,
        target_pop=target_pop,
    )
    progress("regions", nu, nu)

    def find(x: int) -> int:
        return int(reg[x])

    roots = sorted({find(u) for u in range(nu)})
    # stable circle order: by the smallest community index they contain, then unit id
    region_of_unit = np.array([find(u) for u in range(nu)], dtype=np.int64)
    first_comm: dict[int, tuple[int, int]] = {}
    for u in range(nu):
        r = int(region_of_unit[u])
        fkey = (unit_comm[u], u)
        if r not in first_comm or fkey < first_comm[r]:
            first_comm[r] = fkey
    roots.sort(key=lambda r: first_comm[r])
    circle_of_root = {r: i for i, r in enumerate(roots)}
    node_circle = np.full(network.n_nodes, -1, dtype=np.int64)
    node_circle[has] = np.array([circle_of_root[int(r)] for r in region_of_unit[unit[has]]])

    # --- 3. contiguity repair, parts and service centres ----------------------------------
    # a community area need not be connected (polygons; a centre crowded out of its
    # neighbour's derived area): give every circle's stray node groups to the neighbour circle
    sub_idx = np.flatnonzero(has)
    if sub_idx.size:
        node_circle[sub_idx] = _mend_pieces(
            sp.csr_array(csr[sub_idx][:, sub_idx]), node_circle[sub_idx]
        )
    n_circ = len(roots)
    circ_pop = np.bincount(node_circle[has], weights=wnode[has], minlength=n_circ)
    keys, inv = np.unique(node_circle[has] * nc + label[has], return_inverse=True)
    key_w = np.bincount(inv, weights=wnode[has])
    key_n = np.bincount(inv)
    shares: list[dict[int, float]] = [{} for _ in roots]
    for k_, w_, n_ in zip(keys.tolist(), key_w.tolist(), key_n.tolist(), strict=True):
        c, ci = divmod(int(k_), nc)
        shares[c][ci] = w_ / pop[ci] if pop[ci] > 0 else n_ / float(cnt[ci])
    for ci in nodeless.tolist():
        c = circle_of_root[int(region_of_unit[ci])]
        shares[c][ci] = 1.0
        circ_pop[c] += pop[ci]
    order = np.argsort(node_circle, kind="stable")
    starts = np.searchsorted(node_circle[order], np.arange(len(roots) + 1))
    circles: list[Circle] = []
    progress("centres", 0, len(roots))
    for c, r in enumerate(roots):
        nodes = order[starts[c] : starts[c + 1]]
        parts = tuple(CirclePart(ci, round(s, 12)) for ci, s in sorted(shares[c].items()))
        population = float(circ_pop[c])
        centre, mean_walk = _one_median(csr, nodes, wnode, network, centre_candidates)
        in_range = min_pop - 1e-9 <= population <= max_pop + 1e-9
        why = ""
        if not in_range:
            why = reason.get(r, "neighbours_exceed_max" if population < min_pop else "")
            if population > max_pop:
                why = "cannot_split_evenly"
        circles.append(
            Circle(
                circle_id=f"{id_prefix}{c + 1:04d}",
                parts=parts,
                population=population,
                n_nodes=int(nodes.shape[0]),
                centre_node=centre,
                centre_lon=float(network.node_lon[centre]) if centre >= 0 else math.nan,
                centre_lat=float(network.node_lat[centre]) if centre >= 0 else math.nan,
                mean_walk_m=mean_walk,
                in_range=in_range,
                reason=why,
            )
        )
        progress("centres", c + 1, len(roots))
    return CircleLayout(
        circles=tuple(circles),
        node_circle=node_circle,
        community_ids=tuple(community_ids),
        min_pop=min_pop,
        max_pop=max_pop,
        target_pop=target_pop,
    )


def _regionalise(
    pop: FloatArray,
    nbrs: list[dict[int, float]],
    street: list[str] | None,
    nodeless: set[int],
    *,
    min_pop: float,
    max_pop: float,
    target_pop: float,
) -> tuple[Int64Array, dict[int, str]]:
    """Units → regions (region id = its seed unit). Returns (region of unit, reasons).

    A. Grow: seed at the unassigned unit with the fewest unassigned neighbours (the edge of
       what is left), add the neighbour sharing the longest frontier while the population is
       below the target and the step brings it closer to the target without passing max.
    B. Merge: regions below min join the adjacent region whose merged population is closest to
       the target within max (smallest first).
    C. Repair: a region still below min takes boundary units from an adjacent region that stays
       ≥ min and contiguous without them.
    """
    nu = pop.shape[0]
    reg = np.full(nu, -1, dtype=np.int64)

    def same(u: int, v: int) -> bool:
        return street is None or street[u] == street[v]

    free_deg = [sum(1 for v in nbrs[u] if same(u, v)) for u in range(nu)]
    heap = [(free_deg[u], u) for u in range(nu)]
    heapq.heapify(heap)
    members: dict[int, set[int]] = {}
    rpop: dict[int, float] = {}

    def assign(u: int, r: int) -> None:
        reg[u] = r
        members.setdefault(r, set()).add(u)
        rpop[r] = rpop.get(r, 0.0) + float(pop[u])
        for v in nbrs[u]:
            if reg[v] < 0 and same(u, v):
                free_deg[v] -= 1
                heapq.heappush(heap, (free_deg[v], v))

    while heap:
        deg, seed = heapq.heappop(heap)
        if reg[seed] >= 0 or deg != free_deg[seed]:
            continue
        assign(seed, seed)
        frontier: dict[int, float] = {}
        for v, f in nbrs[seed].items():
            if reg[v] < 0 and same(seed, v):
                frontier[v] = frontier.get(v, 0.0) + f
        while frontier and rpop[seed] < target_pop:
            p = rpop[seed]
            pick = None
            for v, _f in sorted(frontier.items(), key=lambda kv: (-kv[1], kv[0])):
                newp = p + float(pop[v])
                if newp > max_pop:
                    continue
                if p >= min_pop and abs(newp - target_pop) > abs(p - target_pop):
                    continue
                pick = v
                break
            if pick is None:
                break
            del frontier[pick]
            assign(pick, seed)
            for v, f in nbrs[pick].items():
                if reg[v] < 0 and same(pick, v):
                    frontier[v] = frontier.get(v, 0.0) + f

    def region_nbrs(r: int) -> dict[int, float]:
        out: dict[int, float] = {}
        for u in members[r]:
            for v, f in nbrs[u].items():
                q = int(reg[v])
                if q != r and same(u, v):
                    out[q] = out.get(q, 0.0) + f
        return out

    # B. merge small regions
    small = [(rpop[r], r) for r in members if rpop[r] < min_pop]
    heapq.heapify(small)
    stuck: set[int] = set()
    while small:
        p, r = heapq.heappop(small)
        if r not in members or p != rpop[r] or p >= min_pop:
            continue
        best: tuple[float, float, int] | None = None
        for q, f in region_nbrs(r).items():
            merged = rpop[r] + rpop[q]
            if merged <= max_pop:
                key = (abs(merged - target_pop), -f, q)
                best = key if best is None or key < best else best
        if best is None:
            stuck.add(r)
            continue
        q = best[2]
        keep, gone = (r, q) if r < q else (q, r)
        for u in members.pop(gone):
            reg[u] = keep
            members[keep].add(u)
        rpop[keep] += rpop.pop(gone)
        stuck.discard(gone)
        if rpop[keep] < min_pop:
            heapq.heappush(small, (rpop[keep], keep))

    # C. repair stuck regions by boundary moves
    def connected_without(r: int, u: int) -> bool:
        rest = members[r] - {u}
        if not rest:
            return False
        start = next(iter(rest))
        seen = {start}
        todo = [start]
        while todo:
            x = todo.pop()
            for y in nbrs[x]:
                if y in rest and y not in seen:
                    seen.add(y)
                    todo.append(y)
        return len(seen) == len(rest)

    reason: dict[int, str] = {}
    for r in sorted(stuck):
        if r not in members:
            continue
        moved = True
        while rpop[r] < min_pop and moved:
            moved = False
            options: list[tuple[float, int, int]] = []
            for u in members[r]:
                for v, f in nbrs[u].items():
                    q = int(reg[v])
                    if q == r or not same(u, v):
                        continue
                    if rpop[q] - pop[v] < min_pop or rpop[r] + pop[v] > max_pop:
                        continue
                    options.append((-f, v, q))
            for _f, v, q in sorted(options):
                if connected_without(q, v):
                    members[q].discard(v)
                    rpop[q] -= float(pop[v])
                    members[r].add(v)
                    rpop[r] += float(pop[v])
                    reg[v] = r
                    moved = True
                    break
        if rpop[r] < min_pop:
            us = members[r]
            any_nbr = any(nbrs[u] for u in us)
            if us & nodeless and len(us) == 1:
                reason[r] = "no_network_area"
            elif not any_nbr:
                reason[r] = "isolated_below_min"
            elif not region_nbrs(r):
                reason[r] = "other_street_only"
            else:
                reason[r] = "neighbours_exceed_max"
    return reg, reason


def _one_median(
    csr: sp.csr_array,
    nodes: Int64Array,
    wnode: FloatArray,
    network: WalkNetwork,
    k: int,
) -> tuple[int, float]:
    """Best of the k nodes nearest the population centroid; (node, weighted mean walk m)."""
    if nodes.shape[0] == 0:
        return -1, math.nan
    w = wnode[nodes]
    if nodes.shape[0] == 1 or w.sum() <= 0:
        return int(nodes[0]), 0.0
    lon, lat = network.node_lon[nodes], network.node_lat[nodes]
    clon = float(np.average(lon, weights=w))
    clat = float(np.average(lat, weights=w))
    dx = (lon - clon) * math.cos(math.radians(clat))
    near = np.argsort(dx * dx + (lat - clat) ** 2, kind="stable")[: max(1, k)]
    sub = sp.csr_array(csr[nodes][:, nodes])
    d = dijkstra(sub, directed=False, indices=near)
    cost = np.where(np.isfinite(d), d, 0.0) @ w
    unreached = (~np.isfinite(d)) @ (w > 0)
    best = int(np.lexsort((near, cost, unreached))[0])
    return int(nodes[near[best]]), float(cost[best] / w.sum())
