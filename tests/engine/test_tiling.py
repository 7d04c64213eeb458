"""Partitioned == unpartitioned, byte for byte, on real networks cut into small tiles."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import shapely

from quarterhour.engine import tiling
from quarterhour.engine.assessment import Assessment, assess, load_facility_file, load_network
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.origins_io import read_origins
from quarterhour.engine.outputs import write_assessment
from quarterhour.engine.places import Facility
from quarterhour.engine.standards import Standard, load_standard

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
CHENGDU = DATA / "chengdu-osm-2018" / "chengdu.osm"
SAO_PAULO = DATA / "sao-paulo-r5py" / "spo_osm.pbf"
SAO_PAULO_HEX = DATA / "sao-paulo-r5py" / "spo_hexgrid.csv"
FILES = ("facilities.csv", "reach.csv", "summary.csv", "unsnapped.csv", "README.txt")


@pytest.fixture(scope="module")
def standard() -> Standard:
    return load_standard("beijing-2011")


@pytest.fixture(scope="module")
def chengdu(standard: Standard) -> tuple[WalkNetwork, list[Facility]]:
    network, _, _ = load_network(CHENGDU)
    return network, load_facility_file(CHENGDU, standard)


def scattered_facilities(
    network: WalkNetwork, standard: Standard, *, n: int, seed: int
) -> list[Facility]:
    """Seeded facilities anywhere in (and a little beyond) the network's box: on and off streets,
    some beyond the snap limit, some serving several items, a few at one shared spot."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = network.bounds()
    pad = 0.004
    lon = rng.uniform(x0 - pad, x1 + pad, n)
    lat = rng.uniform(y0 - pad, y1 + pad, n)
    lon[-3:] = lon[0]  # three more at the first one's spot: the tie goes to the lower index
    lat[-3:] = lat[0]
    codes = [i.code for i in standard.items]
    out = []
    for k in range(n):
        items = tuple(sorted(set(rng.choice(codes, size=int(rng.integers(1, 3))).tolist())))
        out.append(Facility(f"gen:{k}", f"设施{k}", float(lon[k]), float(lat[k]), items))
    return out


def write(result: Assessment, out: Path) -> dict[str, bytes]:
    write_assessment(result, out, export_network=False)
    return {name: (out / name).read_bytes() for name in FILES}


def test_chengdu_grid_tiles_equal_whole_run(
    tmp_path: Path, standard: Standard, chengdu: tuple[WalkNetwork, list[Facility]]
) -> None:
    network, osm_facilities = chengdu
    facilities = osm_facilities + scattered_facilities(network, standard, n=400, seed=7)
    whole = assess(network, facilities, standard=standard)
    tiled = tiling.assess_partitioned(
        network, facilities, standard=standard, tile_m=1200.0, workers=1
    )
    plan = tiling.grid_plan(
        network,
        whole.result.origins,
        facilities,
        tile_m=1200.0,
        limit_m=whole.limit_m,
    )
    assert plan.n_tiles >= 9  # really cut: every tile's core is smaller than its halo
    a = write(whole, tmp_path / "whole")
    b = write(tiled, tmp_path / "tiled")
    assert a == b
    # the comparison is not vacuous: many origins reach something, some facilities unsnapped
    reach = a["reach.csv"].decode("utf-8-sig").splitlines()
    assert len(reach) == 1 + network.n_nodes * len(standard.items)
    assert sum(1 for r in reach[1:] if r.split(",")[2]) > network.n_nodes
    assert "beyond_snap_limit" in a["unsnapped.csv"].decode("utf-8-sig")


def test_sao_paulo_point_origins_grid_and_boundaries(tmp_path: Path, standard: Standard) -> None:
    network, _, _ = load_network(SAO_PAULO)
    facilities = load_facility_file(SAO_PAULO, standard) + scattered_facilities(
        network, standard, n=300, seed=11
    )
    origins = read_origins(SAO_PAULO_HEX)
    whole = write(assess(network, facilities, origins, standard=standard), tmp_path / "whole")
    grid = tiling.assess_partitioned(
        network, facilities, origins, standard=standard, tile_m=800.0, workers=1
    )
    assert write(grid, tmp_path / "grid") == whole
    # districts: Voronoi cells of seeded points, clipped to the middle of the box, so that many
    # points fall outside every boundary and go to the nearest one
    rng = np.random.default_rng(3)
    x0, y0, x1, y1 = network.bounds()
    seeds = shapely.multipoints(np.column_stack([rng.uniform(x0, x1, 6), rng.uniform(y0, y1, 6)]))
    inner = shapely.box(
        x0 + 0.2 * (x1 - x0), y0 + 0.2 * (y1 - y0), x1 - 0.2 * (x1 - x0), y1 - 0.2 * (y1 - y0)
    )
    cells = [c.intersection(inner) for c in shapely.voronoi_polygons(seeds).geoms]
    cells = [c for c in cells if not c.is_empty]
    assert len(cells) >= 4
    districts = tiling.assess_partitioned(
        network, facilities, origins, standard=standard, boundaries=cells, workers=1
    )
    assert write(districts, tmp_path / "districts") == whole
    text = whole["reach.csv"].decode("utf-8-sig")
    assert "origin_off_network" in text or "beyond_limit" in text


def test_a_halo_too_small_changes_answers(
    tmp_path: Path,
    standard: Standard,
    chengdu: tuple[WalkNetwork, list[Facility]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The equality above depends on the halo: at half the walk it breaks."""
    network, facilities = chengdu
    whole = write(assess(network, facilities, standard=standard), tmp_path / "whole")
    monkeypatch.setattr(tiling, "halo_m", lambda limit_m, max_snap_m: limit_m / 2)
    monkeypatch.setattr(tiling, "points_radius_m", lambda limit_m, max_snap_m: limit_m / 2)
    short = tiling.assess_partitioned(
        network, facilities, standard=standard, tile_m=2000.0, workers=1
    )
    assert write(short, tmp_path / "short")["reach.csv"] != whole["reach.csv"]


def test_halo_radii() -> None:
    assert tiling.halo_m(1000.0, 300.0) == pytest.approx(1600.0 * 1.001 + 1.0)
    assert tiling.points_radius_m(1000.0, 300.0) == pytest.approx(1300.0 * 1.001 + 1.0)


def test_exactly_one_way_to_cut(
    standard: Standard, chengdu: tuple[WalkNetwork, list[Facility]]
) -> None:
    network, _ = chengdu
    with pytest.raises(ValueError, match="exactly one"):
        tiling.assess_partitioned(network, [], standard=standard)


def test_a_street_level_change_recomputes_only_nearby_tiles(
    tmp_path: Path, standard: Standard, chengdu: tuple[WalkNetwork, list[Facility]]
) -> None:
    network, facilities = chengdu
    first = tiling.run_partitioned(network, facilities, standard=standard, tile_m=1200.0)
    assert len(first.recomputed) == first.plan.n_tiles
    # one facility closes, a new pharmacy opens at a street corner
    node = network.n_nodes // 3
    opened = Facility(
        "new:1",
        "新药店",
        float(network.node_lon[node]),
        float(network.node_lat[node]),
        ("shop.pharmacy",),
    )
    changed = [f for i, f in enumerate(facilities) if i != 5] + [opened]
    update = tiling.run_partitioned(
        network, changed, standard=standard, tile_m=1200.0, previous=first
    )
    assert 0 < len(update.recomputed) < update.plan.n_tiles
    whole = assess(network, changed, standard=standard)
    assert write(update.assessment, tmp_path / "update") == write(whole, tmp_path / "whole")
    # the new pharmacy is somebody's nearest
    assert "new:1" in (tmp_path / "update" / "reach.csv").read_text(encoding="utf-8-sig")
    # the answers alone, kept on disk between runs (no merged assessment, no network), do the same
    kept = pickle.loads(pickle.dumps(first.answers()))
    again = tiling.run_partitioned(
        network, changed, standard=standard, tile_m=1200.0, previous=kept
    )
    assert again.recomputed == update.recomputed
    assert write(again.assessment, tmp_path / "again") == write(whole, tmp_path / "whole")
