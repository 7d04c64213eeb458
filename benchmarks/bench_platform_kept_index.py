"""The snapping index kept beside a stored network, on the platform: with and without.

    python benchmarks/bench_platform_kept_index.py [--nodes 100000] [--rounds 3]
                                                   [--stages assessment,near-me,index]

The platform benchmark city (``benchmarks/platform_city.py`` on ``benchmarks.gen``'s grid of
``--nodes`` nodes: the world of ``compare_revisions.py --stages platform``), on SQLite in a
temporary data directory (setup not timed). Each measurement is a fresh process (as a new
gunicorn worker or background-task process starts), interleaved ``without, with`` per round:

- ``assessment``: ``planning.assessment.execute`` of the district, a full run (no kept tiles);
- ``near-me``: the first ``GET /near/`` after the process start, through Django's test client
  (loads the network, its edge index, routing arrays and the facilities' snaps);
- ``index``: that edge index alone (built, or read from the file) and the register's facilities
  snapped with it (what the first near-me does with it).

``without``: the network is loaded without a place to keep its index (as before: every process
builds the index of the whole network in memory); ``with``: the index file beside the network
(written once, by the first process, timed apart as ``first ever``), read back as a memory map.
Figures: the stage's CPU seconds inside the process (``time.process_time``), its wall clock, the
whole process's CPU (user + system, with Django's start), how many edge indexes of the whole
network the process built, the 1-minute load average before the run; medians of the rounds.
The answers of both must be identical (each community × item row of the assessment; the
near-me page's facilities and metres).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SETUP = r"""
import json, sys
from quarterhour.platform.bootstrap import setup
setup("quarterhour.platform.settings.base")
from django.core.management import call_command
call_command("migrate", verbosity=0)
sys.path.insert(0, sys.argv[2])
from benchmarks.gen import facilities_at_nodes, grid_network
from benchmarks.platform_city import build_city
from quarterhour.platform.core.standard import walk_items
from quarterhour.platform.geography.models import Community
network = grid_network(int(sys.argv[1]))
found = facilities_at_nodes(network, [i.code for i in walk_items()])
build_city(network, found, name=f"grid:{sys.argv[1]}")
print(json.dumps({"nodes": network.n_nodes, "edges": network.n_edges,
                  "communities": Community.objects.count(), "facilities": len(found)}))
"""

# one measurement in a fresh process: argv = stage, mode ("without" / "with"), label
MEASURE = r"""
import hashlib, json, shutil, sys, time
from quarterhour.platform.bootstrap import setup
setup("quarterhour.platform.settings.base")
from quarterhour.engine import snapping
from quarterhour.platform.planning import networks
stage, mode = sys.argv[1], sys.argv[2]
if mode == "without":  # as before: no place to keep the index, built in memory by each process
    load = networks._load
    def plain(path, stamp):
        network = load(path, stamp)
        network.kept.pop("edge_index_path", None)
        return network
    networks._load = plain
whole = []
init = snapping.EdgeIndex.__init__
def counted(self, network, **kw):
    if kw.get("projection") is None:  # the whole network's (the tiles' come with their own)
        whole.append(network.n_edges)
    init(self, network, **kw)
snapping.EdgeIndex.__init__ = counted
if stage == "assessment":
    from quarterhour.platform.accounts.models import User
    from quarterhour.platform.geography.models import District
    from quarterhour.platform.planning.assessment import execute
    from quarterhour.platform.planning.models import (
        AssessmentRun, CommunityItemResult, WalkNetworkFile)
    from quarterhour.platform.planning.services import assessment_request
    from quarterhour.platform.planning.tiles import state_dir
    shutil.rmtree(state_dir(), ignore_errors=True)
    run = assessment_request(actor=User.objects.get(username="bench-city"),
                             district=District.objects.get(),
                             network=WalkNetworkFile.objects.get())
    AssessmentRun.objects.filter(pk=run.pk).update(status="running")
    c, t = time.process_time(), time.perf_counter()
    execute(run)
    cpu, wall = time.process_time() - c, time.perf_counter() - t
    run.refresh_from_db()
    assert run.status == "done", run.error_message
    rows = sorted(CommunityItemResult.objects.filter(run=run).values_list(
        "community__code", "item_code", "share", "median_min", "p90_min", "met"))
    answer = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
elif stage == "index":  # the edge index alone, then the register's facilities snapped with it
    import numpy as np
    from quarterhour.platform.facilities.models import Facility
    from quarterhour.platform.planning.models import WalkNetworkFile
    network = networks.load_network(WalkNetworkFile.objects.get())
    pts = np.array(list(Facility.objects.values_list("lon", "lat")), dtype=np.float64)
    c, t = time.process_time(), time.perf_counter()
    index = snapping.kept_index(network) or snapping.EdgeIndex(network)
    snap = index.snap(pts[:, 0], pts[:, 1], max_snap_m=300.0)
    cpu, wall = time.process_time() - c, time.perf_counter() - t
    answer = hashlib.sha256(snap.edge.tobytes() + snap.along_m.tobytes()).hexdigest()[:16]
    assert index.mapped == (sys.argv[3] == "with"), (sys.argv[3], index.mapped)
else:
    import numpy as np
    from django.test import Client
    from quarterhour.platform.planning.models import WalkNetworkFile
    from quarterhour.platform.portal import walking
    rec = WalkNetworkFile.objects.get()
    lon = (rec.min_lon + rec.max_lon) / 2 + 0.0001
    lat = (rec.min_lat + rec.max_lat) / 2 + 0.0001
    client = Client()
    c, t = time.process_time(), time.perf_counter()
    resp = client.get("/near/", {"lon": lon, "lat": lat})
    cpu, wall = time.process_time() - c, time.perf_counter() - t
    assert resp.status_code == 200, resp.status_code
    data = walking.walk_data()
    reach = walking.reach_from(data, lon, lat, limit_m=1000.0)
    answer = hashlib.sha256(repr(sorted(reach.facility_m.items())).encode()).hexdigest()[:16]
    assert data.index.mapped == (sys.argv[3] == "with"), (sys.argv[3], data.index.mapped)
print(json.dumps({"cpu": cpu, "wall": wall, "whole_index_builds": len(whole), "answer": answer}))
"""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _run(argv: list[str], env: dict[str, str]) -> tuple[dict[str, object], float]:
    c = _children_cpu()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv[:3])}\n{proc.stdout}{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), _children_cpu() - c


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--stages", default="assessment,near-me,index")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="qh-bench-kept-") as tmp:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "QUARTERHOUR_DASK_SCHEDULER")
        }
        env.update(QUARTERHOUR_DATA_DIR=tmp, LOG_LEVEL="WARNING", ALLOWED_HOSTS="testserver")
        t = time.perf_counter()
        world, _ = _run([sys.executable, "-c", SETUP, str(args.nodes), str(ROOT)], env)
        print(f"world {world} ({time.perf_counter() - t:.0f} s, not timed)", flush=True)
        rows: dict[tuple[str, str], list[dict[str, float]]] = {}
        answers: dict[str, set[object]] = {"assessment": set(), "near-me": set(), "index": set()}

        def measure(stage: str, mode: str, label: str) -> None:
            load1 = os.getloadavg()[0]
            out, process_cpu = _run([sys.executable, "-c", MEASURE, stage, mode, label], env)
            answers[stage].add(out["answer"])
            fig = {
                "cpu": float(out["cpu"]),  # type: ignore[arg-type]
                "wall": float(out["wall"]),  # type: ignore[arg-type]
                "process_cpu": process_cpu,
                "builds": float(out["whole_index_builds"]),  # type: ignore[arg-type]
                "load1": load1,
            }
            rows.setdefault((stage, label), []).append(fig)
            shown = ", ".join(f"{k} {v:.2f}" for k, v in fig.items()) + f", answer {out['answer']}"
            print(f"  {stage:10} {label:10}: {shown}", flush=True)

        measure("near-me", "with", "first ever")  # writes the index file beside the network
        for i in range(args.rounds):
            print(f"round {i + 1}", flush=True)
            for stage in args.stages.split(","):
                for mode in ("without", "with"):
                    measure(stage, mode, mode)
    print(f"\nmedians ({args.rounds} rounds; 'first ever' once), seconds")
    print(f"{'stage':10} {'mode':10} {'CPU':>7} {'wall':>7} {'proc CPU':>9} {'builds':>6} load1")
    for (stage, label), figs in rows.items():
        med = {k: statistics.median(f[k] for f in figs) for k in figs[0]}
        loads = [f["load1"] for f in figs]
        print(
            f"{stage:10} {label:10} {med['cpu']:7.3f} {med['wall']:7.3f} "
            f"{med['process_cpu']:9.3f} {med['builds']:6.0f} "
            f"{min(loads):.1f}–{max(loads):.1f}"
        )
    same = all(len(a) <= 1 for a in answers.values())  # one answer per stage measured
    print(f"answers identical with and without: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
