"""Where to build: maximal covering (MCLP) and set covering (LSCP) on network coverage sets.

The numeric core takes numbers (spopt's ``from_cost_matrix`` idea): a sparse boolean
*coverage matrix* ``a`` (candidates × demand points; a_ji = 1 when candidate j is within the walk
limit of demand i by the network), demand weights w_i (residents) and ``existing`` (demand
already covered by existing facilities, kept fixed). Adapters at the bottom build the matrix
from network distances (:func:`quarterhour.engine.reach.distance_matrix`).

Maximal covering location problem (MCLP, Church & ReVelle 1974), k new sites::

    maximise    Σ_{i ∈ U} w_i y_i                      U = demand not yet covered
    subject to  y_i ≤ Σ_j a_ji x_j        ∀ i ∈ U
                Σ_j x_j ≤ k
                x_j ∈ {0, 1},  0 ≤ y_i ≤ 1

(y may stay continuous: for binary x an optimal y is integral.)

Location set covering (LSCP, Toregas et al. 1971), generalised to a required share s of all
residents (s = 1: the classic problem, every coverable demand point covered)::

    minimise    Σ_j x_j
    subject to  y_i ≤ Σ_j a_ji x_j        ∀ i ∈ U
                Σ_{i ∈ U} w_i y_i ≥ s · Σ_i w_i − Σ_{i ∉ U} w_i
                x_j ∈ {0, 1},  0 ≤ y_i ≤ 1

    and when every remaining coverable point is required, the tighter classic rows
                Σ_j a_ji x_j ≥ 1          ∀ i ∈ U coverable

Both go to HiGHS (``scipy.optimize.milp``) with a time limit; the result states the dual bound
and the relative MIP gap. Before solving, demand points with identical candidate sets are merged
(weights summed) and candidates that cover nothing new are dropped — neither changes the optimum.

For very large instances :func:`mclp_greedy` is lazy greedy (CELF). Coverage is monotone
submodular, so greedy reaches at least (1 − 1/e) of the optimum, and the run also yields a
data-dependent upper bound: for any greedy prefix S_t, OPT ≤ f(S_t) + the sum of the k largest
marginal gains w.r.t. S_t (Minoux 1978); stale lazy gains are upper bounds of the true ones, so
the bound stays valid. :func:`lscp_greedy` is the greedy set cover (≤ H(max set size) × OPT);
the same bound turned around gives a lower bound on the fewest sites (see its docstring).
:func:`mclp` and :func:`lscp` start from these heuristic answers (MCLP adds a 1-interchange
local search) and keep whichever of the heuristic and the HiGHS answer is better, with the
tighter of the two bounds.

Example (two candidates, three demand points of weights 5, 3, 1; k = 1)::

    >>> import numpy as np, scipy.sparse as sp
    >>> a = sp.csr_array(np.array([[1, 1, 0], [0, 0, 1]], dtype=bool))
    >>> r = mclp(a, np.array([5.0, 3.0, 1.0]), k=1)
    >>> [s.candidate for s in r.sites], r.objective, r.optimal
    ([0], 8.0, True)
    >>> mclp(a, np.array([5.0, 3.0, 1.0]), k=1, existing=np.array([1, 1, 1], bool)).sites
    ()
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from quarterhour.engine._errors import Problem, ProblemCollector, QuarterhourError

if TYPE_CHECKING:
    from quarterhour.engine.network import WalkNetwork
    from quarterhour.engine.places import Facility, Origins
    from quarterhour.engine.standards import Standard

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Int64Array = npt.NDArray[np.int64]

#: Default wall-clock limit for one HiGHS solve, seconds.
DEFAULT_TIME_LIMIT_S: float = 60.0
#: HiGHS's presolve does not watch the time limit (27 s of a 60 s budget on the 20,000 × 5,000
#: benchmark); on larger MCLP models than this many nonzeros it is switched off.
PRESOLVE_MAX_NNZ: int = 500_000


class SitingError(QuarterhourError):
    """The siting problem cannot be solved as asked (e.g. the share is unreachable)."""

    code = "siting_infeasible"


@dataclass(frozen=True, slots=True)
class SiteChoice:
    """One proposed site and the residents it brings within the walk.

    ``newly_covers``: residents within reach of this site not covered by existing facilities;
    ``marginal``: of those, the ones no other proposed site covers (lost if it is dropped);
    ``sequential_gain``: residents it adds when the proposed sites are built in the listed
    order (greedy order — the listing order is a sensible build order).
    """

    candidate: int
    newly_covers: float
    marginal: float
    sequential_gain: float


@dataclass(frozen=True, slots=True)
class SitingResult:
    """Outcome of one MCLP / LSCP solve. Weights are residents."""

    model: str  # "mclp" | "lscp"
    method: str  # "highs" | "greedy"
    sites: tuple[SiteChoice, ...]
    objective: float  # mclp: residents newly covered; lscp: number of sites
    bound: float  # mclp: upper bound on the objective; lscp: lower bound
    gap: float  # relative gap |bound − objective| / max(|bound|, tiny); 0 when proven optimal
    optimal: bool
    status: str
    total_weight: float
    covered_before: float
    covered_after: float
    seconds: float
    notes: tuple[str, ...] = ()

    @property
    def share_before(self) -> float | None:
        return self.covered_before / self.total_weight if self.total_weight > 0 else None

    @property
    def share_after(self) -> float | None:
        return self.covered_after / self.total_weight if self.total_weight > 0 else None


@dataclass(frozen=True, slots=True, eq=False)
class _Reduced:
    a: sp.csr_array  # kept candidates × merged demand (bool)
    w: FloatArray  # merged demand weights
    cand: Int64Array  # kept candidate → original index
    total: float
    before: float


def _validate(
    a: sp.sparray | sp.spmatrix, weight: FloatArray, existing: BoolArray | None
) -> tuple[sp.csr_array, FloatArray, BoolArray]:
    problems = ProblemCollector()
    csr = sp.csr_array(a)
    m, n = csr.shape
    w = np.asarray(weight, dtype=np.float64)
    if w.shape != (n,):
        problems.add(
            Problem(
                "shape",
                f"需求权重长度 {w.shape[0]} 与覆盖矩阵列数 {n} 不符",
                f"demand weights ({w.shape[0]}) differ from the matrix columns ({n})",
            )
        )
    else:
        for i in np.flatnonzero(~np.isfinite(w) | (w < 0))[:50].tolist():
            problems.add(
                Problem(
                    "weight_invalid",
                    "需求权重（人口）为负数或缺失",
                    "demand weight (population) is negative or missing",
                    row=i,
                )
            )
    ex = np.zeros(n, dtype=bool) if existing is None else np.asarray(existing, dtype=bool)
    if ex.shape != (n,):
        problems.add(
            Problem("shape", "已有覆盖数组长度不符", "existing-coverage array length differs")
        )
    if m == 0:
        problems.add(Problem("no_candidates", "没有候选点", "there are no candidate sites"))
    problems.raise_if_any()
    csr.data = np.ones(csr.data.shape[0], dtype=bool)
    csr.eliminate_zeros()
    return sp.csr_array(csr, dtype=bool), w, ex


def _reduce(a: sp.csr_array, w: FloatArray, existing: BoolArray) -> _Reduced:
    """Drop covered / weightless demand and useless candidates; merge identical demand columns."""
    total = float(w.sum())
    before = float(w[existing].sum())
    live = (~existing) & (w > 0)
    sub = sp.csc_array(a)[:, np.flatnonzero(live)]
    wl = w[live]
    covered_any = np.diff(sub.indptr) > 0
    sub = sp.csc_array(sub[:, np.flatnonzero(covered_any)])
    wl = wl[covered_any]
    # merge demand points with the same candidate set
    sub.sort_indices()
    ptr, idx = sub.indptr, sub.indices
    keys: dict[bytes, int] = {}
    group = np.empty(sub.shape[1], dtype=np.int64)
    for i in range(sub.shape[1]):
        key = idx[ptr[i] : ptr[i + 1]].tobytes()
        group[i] = keys.setdefault(key, len(keys))
    first = np.full(len(keys), -1, dtype=np.int64)
    first[group[::-1]] = np.arange(sub.shape[1] - 1, -1, -1)
    merged = sp.csr_array(sub[:, first])
    wm = np.asarray(np.bincount(group, weights=wl, minlength=len(keys)), dtype=np.float64)
    useful = np.diff(merged.indptr) > 0
    cand = np.flatnonzero(useful).astype(np.int64)
    merged = sp.csr_array(merged[cand, :])
    return _Reduced(merged, wm, cand, total, before)


def _describe(
    a: sp.csr_array,
    w: FloatArray,
    existing: BoolArray,
    chosen: Sequence[int],
    *,
    drop_idle: bool = False,
) -> tuple[tuple[SiteChoice, ...], float]:
    """Per-site figures in greedy build order; returns (sites, covered_after).

    ``drop_idle`` leaves out sites that add nobody once the others are built (an MCLP with
    "at most k" may pick them at no cost).
    """
    covered = existing.copy()
    new_w = np.where(existing, 0.0, w)
    remaining = list(dict.fromkeys(int(j) for j in chosen))
    rows = {j: a.indices[a.indptr[j] : a.indptr[j + 1]] for j in remaining}
    count = np.zeros(w.shape[0], dtype=np.int64)
    for j in remaining:
        count[rows[j]] += 1
    order: list[tuple[int, float]] = []
    while remaining:
        gains = [float(w[rows[j]][~covered[rows[j]]].sum()) for j in remaining]
        best = int(np.argmax(gains))
        j = remaining.pop(best)
        if drop_idle and gains[best] <= 0.0:
            for r_j in [j, *remaining]:
                count[rows[r_j]] -= 1
            break
        order.append((j, gains[best]))
        covered[rows[j]] = True
    sites = []
    for j, gain in order:
        r = rows[j]
        mine = r[(~existing[r]) & (count[r] == 1)]
        sites.append(
            SiteChoice(
                candidate=j,
                newly_covers=float(new_w[r].sum()),
                marginal=float(w[mine].sum()),
                sequential_gain=gain,
            )
        )
    return tuple(sites), float(w[covered].sum())


def _rel_gap(obj: float, bound: float) -> float:
    if not (math.isfinite(obj) and math.isfinite(bound)):
        return math.inf
    return abs(bound - obj) / max(abs(bound), 1e-12)


def _solve_milp(
    c: FloatArray,
    cons: list[LinearConstraint],
    integrality: npt.NDArray[np.int8],
    *,
    time_limit_s: float,
    mip_rel_gap: float,
    presolve: bool = True,
) -> tuple[FloatArray | None, float, str, bool]:
    """Returns (x, dual bound (minimisation), status text, proven optimal)."""
    res = milp(
        c,
        constraints=cons,
        integrality=integrality,
        bounds=Bounds(np.zeros(c.shape[0]), np.ones(c.shape[0])),
        options={
            "time_limit": float(time_limit_s),
            "mip_rel_gap": float(mip_rel_gap),
            "presolve": presolve,
        },
    )
    x = None if res.x is None else np.asarray(res.x, dtype=np.float64)
    dual = getattr(res, "mip_dual_bound", None)
    bound = float(dual) if dual is not None and np.isfinite(dual) else -math.inf
    return x, bound, str(res.message), res.status == 0


def _swap_improve(
    a: sp.csr_array, w: FloatArray, chosen: Sequence[int], *, deadline: float
) -> list[int]:
    """1-interchange local search (Teitz & Bart) for MCLP on a reduced instance.

    Swapping chosen site s for candidate j changes the covered weight by
    Δ(j, s) = gain_j − loss_s + overlap(j, s), where gain_j is the uncovered weight j covers,
    loss_s the weight only s covers, and overlap(j, s) the weight only s covers that j also
    covers: ``overlap = A · diag(w · only) · A_Sᵀ`` — one sparse product per step. The best
    improving swap is applied until none improves or the deadline passes.
    """
    af = sp.csr_array(a, dtype=np.float64)
    cur = list(dict.fromkeys(int(j) for j in chosen))
    if not cur or len(cur) >= a.shape[0]:
        return cur
    while time.perf_counter() < deadline:
        sub = sp.csr_array(af[cur])
        cnt = np.asarray(sub.sum(axis=0)).ravel()
        gain = af @ np.where(cnt > 0, 0.0, w)
        only_w = np.where(cnt == 1, w, 0.0)
        u = sp.csr_array(sub.multiply(only_w[None, :]))
        loss = np.asarray(u.sum(axis=1)).ravel()
        overlap = sp.csr_array(af @ u.T).toarray()
        delta = gain[:, None] - loss[None, :] + overlap
        delta[cur, :] = -np.inf
        j, pos = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if delta[j, pos] <= 1e-9:
            break
        cur[int(pos)] = int(j)
    return cur


def _iterated_swap(
    a: sp.csr_array,
    w: FloatArray,
    chosen: Sequence[int],
    *,
    deadline: float,
    patience: int = 12,
    seed: int = 0,
) -> list[int]:
    """Iterated local search: 1-interchange to a local optimum, then kick (replace a tenth of the
    sites by random candidates) and descend again; keep the best. Stops at the deadline or after
    ``patience`` kicks without improvement (small instances end at once). Seeded: same inputs,
    same answer.
    """
    rng = np.random.default_rng(seed)
    best = _swap_improve(a, w, chosen, deadline=deadline)
    best_v = _value(a, w, best)
    m = a.shape[0]
    k = len(best)
    if k == 0 or k >= m:
        return best
    stale = 0
    while stale < patience and time.perf_counter() < deadline:
        r = max(1, k // 10)
        drop = set(rng.choice(k, r, replace=False).tolist())
        keep = [c for i, c in enumerate(best) if i not in drop]
        pool = np.setdiff1d(np.arange(m), np.asarray(best))
        start = keep + rng.choice(pool, min(r, pool.size), replace=False).tolist()
        cur = _swap_improve(a, w, start, deadline=deadline)
        v = _value(a, w, cur)
        if v > best_v + 1e-9:
            best, best_v, stale = cur, v, 0
        else:
            stale += 1
    return best


def mclp(
    coverage: sp.sparray | sp.spmatrix,
    weight: npt.ArrayLike,
    *,
    k: int,
    existing: npt.ArrayLike | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    mip_rel_gap: float = 0.0,
) -> SitingResult:
    """Maximal covering with k new sites, solved by HiGHS (see the module docstring).

    First lazy greedy and an iterated 1-interchange local search give an incumbent and an upper
    bound (the greedy submodular bound) in at most 40 % of the time; HiGHS then gets the rest of
    ``time_limit_s``. The better of the two solutions is returned with the tighter bound.
    A budget larger than the number of useful candidates is clamped, with a note in the result
    (not an error: the answer is then "build them all"). ``k < 0`` is an error.
    """
    t0 = time.perf_counter()
    a, w, ex = _validate(coverage, np.asarray(weight, dtype=np.float64), _opt_bool(existing))
    if k < 0:
        raise SitingError(
            "新设施数量不能为负", f"the budget k must be ≥ 0, got {k}", code="budget_invalid"
        )
    notes: list[str] = []
    if k > a.shape[0]:
        notes.append(
            f"预算 {k} 大于候选点数 {a.shape[0]}，已按候选点数计 / "
            f"budget {k} exceeds the {a.shape[0]} candidates; clamped"
        )
    red = _reduce(a, w, ex)
    m, n = red.a.shape
    kk = min(k, m)
    if kk == 0 or n == 0 or kk == m:
        chosen = red.cand.tolist() if kk == m and kk > 0 else []
        sites, after = _describe(a, w, ex, chosen, drop_idle=True)
        obj = after - red.before
        status = "every useful candidate chosen" if chosen else "trivial"
        return SitingResult(
            "mclp", "highs", sites, obj, obj, 0.0, True, status, red.total, red.before, after,
            time.perf_counter() - t0, tuple(notes),
        )  # fmt: skip
    # heuristic incumbent and bound on the reduced instance (same objective)
    greedy = mclp_greedy(red.a, red.w, k=kk)
    heur = _iterated_swap(
        red.a, red.w, [s.candidate for s in greedy.sites], deadline=t0 + 0.4 * time_limit_s
    )
    heur_value = _value(red.a, red.w, heur)
    # HiGHS overruns its limit by the model hand-over and presolve: give it 85 % of what is left
    remaining = max(1.0, 0.85 * (time_limit_s - (time.perf_counter() - t0)))
    at = sp.csr_array(red.a.T)
    a_rows = sp.hstack([-at.astype(np.float64), sp.identity(n, format="csr")], format="csr")
    budget = sp.csr_array(np.concatenate([np.ones(m), np.zeros(n)])[None, :])
    cons = [
        LinearConstraint(a_rows, -np.inf, 0.0),
        LinearConstraint(budget, -np.inf, float(kk)),
    ]
    c = np.concatenate([np.zeros(m), -red.w])
    integ = np.concatenate([np.ones(m), np.zeros(n)]).astype(np.int8)
    x, dual, status, optimal = _solve_milp(
        c, cons, integ, time_limit_s=remaining, mip_rel_gap=mip_rel_gap,
        presolve=a_rows.nnz <= PRESOLVE_MAX_NNZ,
    )  # fmt: skip
    best = heur
    if x is not None:
        exact = np.flatnonzero(x[:m] > 0.5).tolist()
        if _value(red.a, red.w, exact) >= heur_value - 1e-9:
            best = exact
        else:
            notes.append(
                "局部搜索解优于 HiGHS 当前解 / the local-search incumbent beat HiGHS's; used"
            )
    else:
        notes.append("HiGHS 未在时限内给出解，采用局部搜索解 / HiGHS found no solution in time")
    sites, after = _describe(a, w, ex, red.cand[best].tolist(), drop_idle=True)
    obj = after - red.before
    bound = min(-dual if math.isfinite(dual) else math.inf, greedy.bound)
    bound = max(bound, obj)
    gap = 0.0 if optimal and mip_rel_gap == 0.0 else _rel_gap(obj, bound)
    return SitingResult(
        "mclp", "highs", sites, obj, bound, gap, optimal or gap <= 1e-12, status, red.total,
        red.before, after, time.perf_counter() - t0, tuple(notes),
    )  # fmt: skip


def _value(a: sp.csr_array, w: FloatArray, chosen: Sequence[int]) -> float:
    if len(chosen) == 0:
        return 0.0
    cov = np.zeros(a.shape[1], dtype=bool)
    for j in chosen:
        cov[a.indices[a.indptr[j] : a.indptr[j + 1]]] = True
    return float(w[cov].sum())


def _opt_bool(x: npt.ArrayLike | None) -> BoolArray | None:
    return None if x is None else np.asarray(x, dtype=bool)


def _required_new(red: _Reduced, share: float, w: FloatArray) -> float:
    if not 0.0 < share <= 1.0:
        raise SitingError(
            "覆盖比例须在 (0, 1] 之间", f"the required share must be in (0, 1], got {share}",
            code="share_invalid",
        )  # fmt: skip
    need = share * red.total - red.before
    coverable = float(red.w.sum())
    if need > coverable * (1 + 1e-12) + 1e-9:
        best = (red.before + coverable) / red.total if red.total > 0 else 0.0
        raise SitingError(
            f"候选点最多能使 {best:.1%} 的居民被覆盖，达不到要求的 {share:.1%}",
            f"the candidates can cover at most {best:.1%} of residents, short of {share:.1%}",
        )
    return need


def lscp(
    coverage: sp.sparray | sp.spmatrix,
    weight: npt.ArrayLike,
    *,
    share: float = 1.0,
    existing: npt.ArrayLike | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    mip_rel_gap: float = 0.0,
) -> SitingResult:
    """Fewest new sites so that ``share`` of all residents are covered (see the module docstring).

    ``share = 1.0`` needs every resident coverable, else :class:`SitingError` says the best
    reachable share.
    """
    t0 = time.perf_counter()
    a, w, ex = _validate(coverage, np.asarray(weight, dtype=np.float64), _opt_bool(existing))
    red = _reduce(a, w, ex)
    need = _required_new(red, share, w)
    m, n = red.a.shape
    if need <= 1e-9:
        sites, after = _describe(a, w, ex, [])
        return SitingResult(
            "lscp", "highs", sites, 0.0, 0.0, 0.0, True, "already met", red.total, red.before,
            after, time.perf_counter() - t0,
        )  # fmt: skip
    greedy = lscp_greedy(a, w, share=share, existing=ex)
    remaining = max(1.0, 0.85 * (time_limit_s - (time.perf_counter() - t0)))
    at = sp.csr_array(red.a.T).astype(np.float64)
    full = need >= float(red.w.sum()) - 1e-9
    if full:
        c = np.ones(m)
        cons = [LinearConstraint(at, 1.0, np.inf)]
        integ = np.ones(m, dtype=np.int8)
    else:
        c = np.concatenate([np.ones(m), np.zeros(n)])
        rows = sp.hstack([-at, sp.identity(n, format="csr")], format="csr")
        req = sp.csr_array(np.concatenate([np.zeros(m), red.w])[None, :])
        cons = [LinearConstraint(rows, -np.inf, 0.0), LinearConstraint(req, need - 1e-9, np.inf)]
        integ = np.concatenate([np.ones(m), np.zeros(n)]).astype(np.int8)
    x, dual, status, optimal = _solve_milp(
        c, cons, integ, time_limit_s=remaining, mip_rel_gap=mip_rel_gap
    )
    notes: list[str] = []
    chosen = [s.candidate for s in greedy.sites]
    if x is None:
        notes.append(
            "HiGHS 未在时限内给出解，采用贪心解 / HiGHS found no solution in time; greedy used"
        )
    elif int((x[:m] > 0.5).sum()) <= len(chosen):
        chosen = red.cand[x[:m] > 0.5].tolist()
    else:
        notes.append(
            "贪心解优于 HiGHS 当前解，采用贪心解 / greedy beat the HiGHS incumbent; greedy used"
        )
    sites, after = _describe(a, w, ex, chosen)
    obj = float(len(sites))
    bound = float(math.ceil(dual - 1e-6)) if math.isfinite(dual) else 0.0
    bound = min(max(bound, greedy.bound), obj)
    optimal = optimal or bound >= obj
    gap = 0.0 if optimal and mip_rel_gap == 0.0 else _rel_gap(obj, bound)
    return SitingResult(
        "lscp", "highs", sites, obj, bound, gap, optimal, status, red.total, red.before, after,
        time.perf_counter() - t0, tuple(notes),
    )  # fmt: skip


def mclp_greedy(
    coverage: sp.sparray | sp.spmatrix,
    weight: npt.ArrayLike,
    *,
    k: int,
    existing: npt.ArrayLike | None = None,
    with_bound: bool = True,
) -> SitingResult:
    """Lazy greedy (CELF) MCLP with its submodular upper bound (see the module docstring).

    Ties go to the lower candidate index, so the answer is reproducible. ``with_bound=False``
    skips the bound (then reported as +inf), which costs O(m log k) per step.
    """
    t0 = time.perf_counter()
    a, w, ex = _validate(coverage, np.asarray(weight, dtype=np.float64), _opt_bool(existing))
    if k < 0:
        raise SitingError(
            "新设施数量不能为负", f"the budget k must be ≥ 0, got {k}", code="budget_invalid"
        )
    notes: list[str] = []
    m = a.shape[0]
    if k > m:
        notes.append(
            f"预算 {k} 大于候选点数 {m}，已按候选点数计 / "
            f"budget {k} exceeds the {m} candidates; clamped"
        )
    covered = ex.copy()
    w_live = np.where(ex, 0.0, w)
    ptr, idx = a.indptr, a.indices
    # per-candidate sums over the candidates that cover someone (np.add.reduceat over every
    # start fails when the last candidates cover nothing)
    gains0 = np.zeros(m)
    covers = np.diff(ptr) > 0
    if idx.size:
        gains0[covers] = np.add.reduceat(w_live[idx], ptr[:-1][covers])
    heap = [(-float(g), j) for j, g in enumerate(gains0.tolist())]
    heapq.heapify(heap)
    chosen: list[int] = []
    value = 0.0
    bound = math.inf
    for _ in range(min(k, m)):
        # bound before this step: f(S) + the k largest (stale ≥ true) marginal gains
        if with_bound:
            top = heapq.nsmallest(k, heap)
            bound = min(bound, value + sum(-g for g, _j in top))
        while heap:
            _neg, j = heapq.heappop(heap)
            r = idx[ptr[j] : ptr[j + 1]]
            g = float(w[r][~covered[r]].sum())
            if not heap or g >= -heap[0][0] - 1e-12:
                if g <= 0.0:
                    heap = []
                    break
                chosen.append(j)
                covered[r] = True
                value += g
                break
            heapq.heappush(heap, (-g, j))
        if not heap:
            break
    if with_bound:
        bound = min(bound, value + sum(-g for g, _j in heapq.nsmallest(k, heap)))
    sites, after = _describe(a, w, ex, chosen)
    obj = after - float(w[ex].sum())
    bound = max(bound, obj)
    return SitingResult(
        "mclp", "greedy", sites, obj, bound, _rel_gap(obj, bound), bound - obj <= 1e-9,
        "greedy", float(w.sum()), float(w[ex].sum()), after, time.perf_counter() - t0, tuple(notes),
    )  # fmt: skip


def lscp_greedy(
    coverage: sp.sparray | sp.spmatrix,
    weight: npt.ArrayLike,
    *,
    share: float = 1.0,
    existing: npt.ArrayLike | None = None,
) -> SitingResult:
    """Greedy (partial) set cover: add the site covering the most new residents until ``share``.

    Lower bound: for every greedy prefix S_t and every k, OPT_MCLP(k) ≤ f(S_t) + (sum of the k
    largest marginal gains w.r.t. S_t) (submodularity; stale lazy gains are upper bounds of the
    true ones). k sites can only reach the need R if that holds for every t, so the fewest sites
    is at least max_t min{k : f(S_t) + top_k(t) ≥ R}.
    """
    t0 = time.perf_counter()
    a, w, ex = _validate(coverage, np.asarray(weight, dtype=np.float64), _opt_bool(existing))
    red = _reduce(a, w, ex)
    need = _required_new(red, share, w)
    chosen: list[int] = []
    lower = 0
    if need > 1e-9:
        ra, rw = red.a, red.w
        covered = np.zeros(ra.shape[1], dtype=bool)
        ptr, idx = ra.indptr, ra.indices
        gains0 = np.add.reduceat(rw[idx], ptr[:-1]) if idx.size else np.zeros(ra.shape[0])
        heap = [(-float(g), j) for j, g in enumerate(gains0.tolist())]
        heapq.heapify(heap)
        value = 0.0
        while value < need - 1e-9 and heap:
            stale = np.sort(np.fromiter((-g for g, _j in heap), dtype=np.float64))[::-1]
            k_t = int(np.searchsorted(np.cumsum(stale), need - value - 1e-9, side="left")) + 1
            lower = max(lower, min(k_t, stale.shape[0]))
            while heap:
                _neg, j = heapq.heappop(heap)
                r = idx[ptr[j] : ptr[j + 1]]
                g = float(rw[r][~covered[r]].sum())
                if not heap or g >= -heap[0][0] - 1e-12:
                    if g > 0:
                        chosen.append(j)
                        covered[r] = True
                        value += g
                    else:
                        heap = []
                    break
                heapq.heappush(heap, (-g, j))
        chosen = red.cand[chosen].tolist()
    sites, after = _describe(a, w, ex, chosen)
    obj = float(len(sites))
    lower_f = float(min(lower, len(sites)))
    return SitingResult(
        "lscp", "greedy", sites, obj, lower_f, _rel_gap(obj, lower_f), obj <= lower_f, "greedy",
        red.total, red.before, after, time.perf_counter() - t0,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# adapters: candidates and coverage matrices from the network


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place where the item could be provided, and why.

    ``kind``: ``"multi_use"`` (an existing facility adding the function, 一室多用),
    ``"shared_unit"`` (a resident unit's facility offered for sharing, 驻区单位共享),
    ``"parcel"`` (a vacant or commercial parcel the planner supplies), ``"node"`` (a network
    node). For existing places, ``host_kind`` is the standard's host kind code (``host_zh`` /
    ``host_en`` its name); ``reason_zh`` / ``reason_en`` say why the place can take the item on
    (for parcels and nodes: what building there means).
    """

    candidate_id: str
    name: str
    lon: float
    lat: float
    kind: str
    host_kind: str = ""
    host_zh: str = ""
    host_en: str = ""
    reason_zh: str = ""
    reason_en: str = ""


#: Facility tag marking a resident unit's facility offered for sharing.
SHARED_TAG: tuple[str, str] = ("shared", "yes")

#: Reasons given with planner-supplied parcels and network nodes: (Chinese, English).
POINT_REASONS: dict[str, tuple[str, str]] = {
    "parcel": ("规划提供的地块或房屋", "a parcel or premises the planner supplied"),
    "node": (
        "路网上的位置：需在附近新建或租用用房",
        "a point on the street network: premises would have to be built or rented nearby",
    ),
}


def candidates_from_facilities(
    facilities: Sequence[Facility], item_code: str, *, standard: Standard
) -> list[Candidate]:
    """Existing places that may take ``item_code`` on (一室多用): of a host kind the standard
    lists for the item, and not already serving it; each states its host kind and why (see
    :mod:`quarterhour.engine.hosts`). Places tagged ``shared=yes`` (resident units' facilities
    offered for sharing) become ``"shared_unit"`` candidates, the rest ``"multi_use"``.
    """
    from quarterhour.engine.hosts import candidates_for_item

    return candidates_for_item(standard, item_code, facilities)


def candidates_from_points(
    ids: Sequence[str],
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    names: Sequence[str] | None = None,
    kind: str = "parcel",
) -> list[Candidate]:
    """Planner-supplied points (parcel centroids, addresses already geocoded), WGS-84."""
    lo = np.asarray(lon, dtype=np.float64)
    la = np.asarray(lat, dtype=np.float64)
    nm = list(names) if names is not None else [""] * len(ids)
    if not (len(ids) == lo.shape[0] == la.shape[0] == len(nm)):
        raise ValueError("ids, lon, lat and names must have the same length")
    zh, en = POINT_REASONS.get(kind, ("", ""))
    return [
        Candidate(str(i), n, float(x), float(y), kind, reason_zh=zh, reason_en=en)
        for i, n, x, y in zip(ids, nm, lo.tolist(), la.tolist(), strict=True)
    ]


def candidates_from_nodes(network: WalkNetwork, *, step: int = 1) -> list[Candidate]:
    """Every ``step``-th network node as a candidate (ids ``node:<index>``)."""
    nodes = range(0, network.n_nodes, max(1, step))
    zh, en = POINT_REASONS["node"]
    return [
        Candidate(
            f"node:{i}",
            "",
            float(network.node_lon[i]),
            float(network.node_lat[i]),
            "node",
            reason_zh=zh,
            reason_en=en,
        )
        for i in nodes
    ]


def coverage_from_distances(distance: sp.sparray | sp.spmatrix, *, limit_m: float) -> sp.csr_array:
    """Boolean coverage from a sparse distance matrix (stored entries are reachable distances;
    an explicitly stored 0 m is covered)."""
    d = sp.csr_array(distance)
    d.sort_indices()
    keep = d.data <= limit_m + 1e-9
    rows = np.repeat(np.arange(d.shape[0]), np.diff(d.indptr))
    return sp.csr_array(
        (np.ones(int(keep.sum()), dtype=bool), (rows[keep], d.indices[keep])), shape=d.shape
    )


def coverage_from_network(
    network: WalkNetwork,
    candidates: Sequence[Candidate],
    origins: Origins,
    *,
    limit_m: float,
    max_snap_m: float = 300.0,
) -> sp.csr_array:
    """Candidates × origins coverage from exact network walking distances."""
    from quarterhour.engine.reach import distance_matrix

    if not candidates:
        raise SitingError("没有候选点", "there are no candidate sites", code="no_candidates")
    lon = np.array([c.lon for c in candidates], dtype=np.float64)
    lat = np.array([c.lat for c in candidates], dtype=np.float64)
    d = distance_matrix(network, lon, lat, origins, limit_m=limit_m, max_snap_m=max_snap_m)
    return coverage_from_distances(d, limit_m=limit_m)
