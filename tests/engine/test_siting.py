"""Siting: MCLP / LSCP optimality against brute force and against spopt (test peer only)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from quarterhour.engine._errors import InputError, InputErrors
from quarterhour.engine.places import Facility
from quarterhour.engine.siting import (
    SitingError,
    candidates_from_facilities,
    candidates_from_points,
    coverage_from_distances,
    lscp,
    lscp_greedy,
    mclp,
    mclp_greedy,
)
from quarterhour.engine.standards import load_standard


def random_instance(
    seed: int, m: int, n: int, density: float
) -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = sp.csr_array(rng.random((m, n)) < density)
    w = rng.integers(1, 100, n).astype(np.float64)
    existing = rng.random(n) < 0.15
    return a, w, existing


def brute_mclp(a: np.ndarray, w: np.ndarray, ex: np.ndarray, k: int) -> float:
    best = 0.0
    for combo in itertools.combinations(range(a.shape[0]), k):
        cov = a[list(combo)].any(axis=0) & ~ex
        best = max(best, float(w[cov].sum()))
    return best


def brute_lscp(a: np.ndarray, w: np.ndarray, ex: np.ndarray, share: float) -> int:
    need = share * w.sum() - w[ex].sum()
    for k in range(a.shape[0] + 1):
        for combo in itertools.combinations(range(a.shape[0]), k):
            cov = (a[list(combo)].any(axis=0) if combo else np.zeros(a.shape[1], bool)) & ~ex
            if w[cov].sum() >= need - 1e-9:
                return k
    raise AssertionError("infeasible")


@pytest.mark.parametrize("seed", range(8))
def test_mclp_matches_brute_force(seed: int) -> None:
    a, w, ex = random_instance(seed, 9, 40, 0.2)
    dense = a.toarray()
    for k in (1, 2, 3, 4):
        r = mclp(a, w, k=k, existing=ex)
        assert r.optimal and r.gap == 0.0
        assert r.objective == brute_mclp(dense, w, ex, k)
        assert len(r.sites) <= k
        # the figures add up: before + new = after, and sequential gains sum to the objective
        assert r.covered_after == pytest.approx(r.covered_before + r.objective)
        assert sum(s.sequential_gain for s in r.sites) == pytest.approx(r.objective)
        g = mclp_greedy(a, w, k=k, existing=ex)
        assert g.objective <= r.objective + 1e-9
        assert g.bound >= r.objective - 1e-9  # the greedy bound is a valid upper bound
        assert g.objective >= (1 - 1 / np.e) * r.objective - 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_lscp_matches_brute_force(seed: int) -> None:
    a, w, ex = random_instance(100 + seed, 8, 30, 0.3)
    dense = a.toarray()
    coverable = w[dense.any(axis=0) | ex].sum() / w.sum()
    for share in (0.5, 0.8, coverable):
        r = lscp(a, w, share=min(share, 1.0), existing=ex)
        assert r.optimal
        assert r.objective == brute_lscp(dense, w, ex, min(share, 1.0))
        assert r.covered_after >= min(share, 1.0) * w.sum() - 1e-6
        g = lscp_greedy(a, w, share=min(share, 1.0), existing=ex)
        assert g.objective >= r.objective and g.bound <= r.objective
        assert g.covered_after >= min(share, 1.0) * w.sum() - 1e-6


def test_site_figures_by_hand() -> None:
    # candidates:      0 covers d0 d1     1 covers d1 d2     2 covers d3
    a = sp.csr_array(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1]], dtype=bool))
    w = np.array([10.0, 20.0, 30.0, 5.0])
    r = mclp(a, w, k=2, existing=np.array([False, False, False, True]))
    # d3 is already covered: best two are 0 and 1 (60 residents); 1 goes first (50)
    assert [s.candidate for s in r.sites] == [1, 0]
    s1, s0 = r.sites
    assert (s1.newly_covers, s1.marginal, s1.sequential_gain) == (50.0, 30.0, 50.0)
    assert (s0.newly_covers, s0.marginal, s0.sequential_gain) == (30.0, 10.0, 10.0)
    assert (r.covered_before, r.covered_after, r.total_weight) == (5.0, 65.0, 65.0)
    assert r.share_after == 1.0


def test_greedy_with_candidates_that_cover_nobody_last() -> None:
    # the last candidates reach no resident (e.g. hosts far off the network)
    a = sp.csr_array(np.array([[1, 1, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]], dtype=bool))
    r = mclp_greedy(a, np.array([5.0, 3.0, 1.0]), k=2)
    assert [s.candidate for s in r.sites] == [0, 1]
    assert r.objective == 9.0


def test_budget_larger_than_candidates_is_clamped_with_a_note() -> None:
    a = sp.csr_array(np.array([[1, 0], [1, 1]], dtype=bool))
    r = mclp(a, np.array([1.0, 2.0]), k=5)
    assert r.objective == 3.0
    assert [s.candidate for s in r.sites] == [1]  # candidate 0 adds nobody once 1 is built
    assert "budget 5 exceeds the 2 candidates" in r.notes[0]


def test_bad_inputs() -> None:
    a = sp.csr_array(np.array([[1, 0, 1]], dtype=bool))
    with pytest.raises(InputErrors) as err:
        mclp(a, np.array([1.0, -2.0, np.nan]), k=1)
    assert [p.row for p in err.value.problems] == [1, 2]
    with pytest.raises(InputError, match="no_candidates"):
        mclp(sp.csr_array((0, 3), dtype=bool), np.ones(3), k=1)
    with pytest.raises(SitingError, match="budget"):
        mclp(a, np.ones(3), k=-1)
    with pytest.raises(SitingError, match=r"at most 66\.7%"):
        lscp(a, np.ones(3), share=1.0)


def test_coverage_from_distances_keeps_explicit_zero() -> None:
    d = sp.csr_array(
        (np.array([0.0, 999.0, 1000.0, 1000.5]), (np.array([0, 0, 1, 1]), np.array([0, 1, 0, 2]))),
        shape=(2, 3),
    )
    c = coverage_from_distances(d, limit_m=1000.0)
    assert c.toarray().tolist() == [[True, True, False], [True, False, False]]


def test_candidate_adapters() -> None:
    std = load_standard("beijing-2011")
    fs = [
        Facility("osm:node/1", "西海社区服务站", 116.0, 39.0, ("station.service",)),
        Facility(
            "reg:2",
            "驻区单位礼堂",
            116.1,
            39.1,
            ("center.indoor",),
            tags=(("category", "社区活动中心"), ("shared", "yes")),
        ),
        Facility("osm:node/3", "Starbucks", 116.2, 39.2, ("shop.food",), (("amenity", "cafe"),)),
        Facility("reg:4", "西海养老驿站", 116.3, 39.3, ("room.daycare",), (("category", "驿站"),)),
    ]
    cands = candidates_from_facilities(fs, "room.daycare", standard=std)
    assert [(c.candidate_id, c.kind, c.host_kind) for c in cands] == [
        ("osm:node/1", "multi_use", "community_service"),
        ("reg:2", "shared_unit", "community_centre"),
    ]
    assert cands[0].host_zh == "社区服务站(党群服务中心)"
    assert cands[0].reason_zh.startswith("社区服务站(党群服务中心)可兼设日间照料室：")
    assert cands[0].reason_en.startswith(
        "Day-care room for older people in a community service station"
    )
    pts = candidates_from_points(["p1"], [116.3], [39.3], names=["空地"])
    assert (pts[0].candidate_id, pts[0].kind, pts[0].name) == ("p1", "parcel", "空地")
    assert pts[0].reason_en == "a parcel or premises the planner supplied"


# --- spopt as a peer (same objective on medium instances) ------------------------------------

spopt_locate = pytest.importorskip("spopt.locate")
pulp = pytest.importorskip("pulp")


def geometric_instance(seed: int, n: int, m: int, n_existing: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 3000, (n, 2))
    sites = rng.uniform(0, 3000, (m + n_existing, 2))
    cost = np.hypot(*(demand[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    return cost, rng.integers(1, 500, n).astype(np.float64)


# pulp 3.3 warns about its own 4.0 API inside spopt: the peer's deprecations, not ours
PEER_WARNINGS = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@PEER_WARNINGS
@pytest.mark.parametrize("seed", [1, 2])
def test_mclp_same_objective_as_spopt(seed: int) -> None:
    n, m, n_ex, k, radius = 400, 60, 3, 5, 500.0
    cost, w = geometric_instance(seed, n, m, n_ex)
    predefined = np.zeros(m + n_ex, dtype=int)
    predefined[m:] = 1
    peer = spopt_locate.MCLP.from_cost_matrix(
        cost, w, radius, p_facilities=k + n_ex, predefined_facilities_arr=predefined
    )
    peer.solve(pulp.PULP_CBC_CMD(msg=False))
    covered_peer = float(w[[bool(c) for c in _spopt_covered(peer, n)]].sum())
    a = sp.csr_array((cost[:, :m] <= radius).T)
    existing = (cost[:, m:] <= radius).any(axis=1)
    ours = mclp(a, w, k=k, existing=existing)
    assert ours.optimal
    assert ours.covered_after == pytest.approx(covered_peer)


def _spopt_covered(model: object, n: int) -> list[bool]:
    cli = model.cli2fac  # type: ignore[attr-defined]
    return [len(cli[i]) > 0 for i in range(n)]


@PEER_WARNINGS
@pytest.mark.parametrize("seed", [3, 4])
def test_lscp_same_objective_as_spopt(seed: int) -> None:
    n, m, radius = 300, 80, 700.0
    cost, w = geometric_instance(seed, n, m, 0)
    coverable = (cost <= radius).any(axis=1)
    cost, w = cost[coverable], w[coverable]
    peer = spopt_locate.LSCP.from_cost_matrix(cost, radius)
    peer.solve(pulp.PULP_CBC_CMD(msg=False))
    n_peer_vars = sum(1 for v in peer.fac_vars if v.value() > 0.5)
    ours = lscp(sp.csr_array((cost <= radius).T), w, share=1.0)
    assert ours.optimal
    assert ours.objective == n_peer_vars
