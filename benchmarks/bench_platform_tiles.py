"""Platform background assessment, tile by tile: a full run vs. the run after one facility is
added (only the tiles near it recomputed, the rest reused from the kept state).

    python benchmarks/bench_platform_tiles.py [--network PATH|grid:N] [--tiles 5000,2500] [--runs 3]

The world: an OSM extract (default Chengdu, ``shared/data/chengdu-osm-2018``; facilities are its
objects classified by the standard's OSM rules) or a generated city (``grid:N``, about N nodes,
facilities at random nodes: ``benchmarks.gen``) as the walk network, in the platform benchmark
city (``benchmarks.platform_city``: 500 m grid cells with at least 15 network nodes as
communities, one district, streets of 2 km × 2 km blocks, 12 residents per node, like the demo);
the facilities placed in their communities. Everything runs in one
fresh subprocess on SQLite in a temporary data directory (setup not timed).

For each tile size: a full run of the whole district (no kept state), then ``--runs`` times: add
one pharmacy at the network node nearest the centre through the facilities service and rerun
(timed: the incremental run), then delete it and rerun (timed too). The incremental run's
stored results are checked against a fresh full run of the same inputs (state cleared): every
community and circle row must be identical. Times are ``execute`` wall-clock (loading the
register, origins, tiles, coverage, storing every community's rows) and, apart, its reach stage
(``planning.tiles.tiled_reach`` and ``keep_answers``: kept state read, tiles cut and assessed,
merged, state written); medians of the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHENGDU = ROOT.parent / "shared" / "data" / "chengdu-osm-2018" / "chengdu.osm"

CHILD = r"""
import json, math, shutil, statistics, sys, time
from pathlib import Path
import numpy as np
from quarterhour.platform.bootstrap import setup
setup("quarterhour.platform.settings.base")
from django.conf import settings
from django.core.management import call_command
call_command("migrate", verbosity=0)
from quarterhour.engine.osm_network import read_osm_network
from quarterhour.platform.facilities.imports import read_osm
from quarterhour.platform.facilities.services import facility_create, facility_delete
from quarterhour.platform.planning.assessment import execute
from quarterhour.platform.planning.models import (
    AssessmentRun, CircleItemResult, CommunityItemResult)
from quarterhour.platform.planning.services import assessment_request
from quarterhour.platform.planning.tiles import state_dir

spec, tile_sizes, runs = sys.argv[1], [float(t) for t in sys.argv[2].split(",")], int(sys.argv[3])
sys.path.insert(0, sys.argv[4])
from benchmarks.platform_city import build_city
if spec.startswith("grid:"):
    from benchmarks.gen import facilities_at_nodes, grid_network
    from quarterhour.platform.core.standard import walk_items
    network = grid_network(int(spec[5:]))
    found = facilities_at_nodes(network, [i.code for i in walk_items()])
else:
    network, _ = read_osm_network(Path(spec))
    found = read_osm(Path(spec))
world = build_city(network, found, name=spec)
record, district, city = world.record, world.district, world.user
placed, col, row = world.communities, world.col, world.row
lon, lat = network.node_lon, network.node_lat
# the new pharmacy: the network node nearest the centre, in its community
mid_lon, mid_lat = float(np.median(lon)), float(np.median(lat))
node = int(np.argmin((lon - mid_lon) ** 2 + (lat - mid_lat) ** 2))
home = placed.get((int(col[node]), int(row[node])))
assert home is not None, "no community at the centre"

import quarterhour.platform.planning.assessment as assessment_module
_tiled_reach = assessment_module.tiled_reach
reach_times = []

def timed_reach(*args, **kw):
    t = time.perf_counter()
    out = _tiled_reach(*args, **kw)
    reach_times.append(time.perf_counter() - t)
    return out

_keep_answers = assessment_module.keep_answers

def timed_keep(reach):
    t = time.perf_counter()
    _keep_answers(reach)
    reach_times[-1] += time.perf_counter() - t

assessment_module.tiled_reach = timed_reach
assessment_module.keep_answers = timed_keep

def run_once():
    run = assessment_request(actor=city, district=district, network=record)
    AssessmentRun.objects.filter(pk=run.pk).update(status="running")
    t = time.perf_counter()
    execute(run)
    s = time.perf_counter() - t
    run.refresh_from_db()
    assert run.status == "done", run.error_message
    return run, s, reach_times[-1]

def rows(run):
    a = sorted(CommunityItemResult.objects.filter(run=run).values_list(
        "community__code", "item_code", "share", "median_min", "p90_min", "met"))
    b = sorted(CircleItemResult.objects.filter(run=run).values_list(
        "circle__code", "item_code", "share", "median_min", "p90_min", "met"))
    return a, b

out = {"network": spec, "nodes": network.n_nodes, "edges": network.n_edges,
       "communities": len(placed), "facilities_in_register": None, "by_tile_m": {}}
for tile_m in tile_sizes:
    settings.QH_TILE_M = tile_m
    shutil.rmtree(state_dir(), ignore_errors=True)
    full_run, full_s, full_r = run_once()
    out["facilities_in_register"] = full_run.n_facilities
    adds, removes, computed_add, computed_remove, identical = [], [], [], [], True
    add_r, remove_r = [], []
    for k in range(runs):
        f = facility_create(actor=city, key=f"bench:new-{tile_m:g}-{k}", name="新药店",
                            lon=float(lon[node]), lat=float(lat[node]), community=home,
                            item_codes=["shop.pharmacy"])
        inc, s, r = run_once()
        adds.append(s)
        add_r.append(r)
        computed_add.append(inc.tiles_computed)
        if k == 0:  # the incremental answer == a fresh full run's
            kept = state_dir().with_name("kept-state")
            shutil.rmtree(kept, ignore_errors=True)
            shutil.move(state_dir(), kept)
            fresh, fresh_s, fresh_r = run_once()
            identical = identical and rows(inc) == rows(fresh)
            full_s, full_r = min(full_s, fresh_s), min(full_r, fresh_r)
            shutil.rmtree(state_dir(), ignore_errors=True)
            shutil.move(kept, state_dir())
        facility_delete(actor=city, facility=f)
        dec, s, r = run_once()
        removes.append(s)
        remove_r.append(r)
        computed_remove.append(dec.tiles_computed)
    add, add_reach = statistics.median(adds), statistics.median(add_r)
    out["by_tile_m"][f"{tile_m:g}"] = {
        "tiles": full_run.tiles_total,
        "full_s": round(full_s, 3),
        "full_reach_s": round(full_r, 3),
        "add_one_s": round(add, 3),
        "add_one_reach_s": round(add_reach, 3),
        "add_one_tiles_computed": computed_add,
        "remove_one_s": round(statistics.median(removes), 3),
        "remove_one_reach_s": round(statistics.median(remove_r), 3),
        "remove_one_tiles_computed": computed_remove,
        "full_over_add_one": round(full_s / add, 2),
        "full_over_add_one_reach": round(full_r / add_reach, 2),
        "identical_to_full_run": identical,
    }
print(json.dumps(out))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--network",
        default=str(CHENGDU),
        help="an OSM extract, or grid:N for a generated city of about N nodes (benchmarks.gen)",
    )
    ap.add_argument("--tiles", default="5000,2500", help="tile sizes in metres, comma-separated")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="qh-bench-tiles-") as tmp:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "QUARTERHOUR_DASK_SCHEDULER")
        }
        env["QUARTERHOUR_DATA_DIR"] = tmp
        env["LOG_LEVEL"] = "WARNING"
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, args.network, args.tiles, str(args.runs), str(ROOT)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(proc.stdout + proc.stderr, file=sys.stderr)
            return proc.returncode
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
