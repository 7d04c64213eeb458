"""The same stage of two revisions, interleaved: before, after, before, after, …

    python benchmarks/compare_revisions.py --before /path/to/old-tree [--after .] \
        [--rounds 5] [--stages siting,circles,report,platform] [--platform-nodes 100000]

Each run is a fresh subprocess with ``PYTHONPATH`` pointing at that tree's ``src`` (and its own
``benchmarks`` script), so both revisions see the same machine at nearly the same moment; on a
shared, noisy machine this makes the ratio fair where two back-to-back series would not be.
Printed: the median of each measured figure per revision and the ratio after / before; besides
wall-clock figures, each process's CPU seconds (user + system), which other jobs on the machine
disturb less than wall clock.

Stages:

- ``siting``: ``bench_siting.py`` on its medium instance (4,000 homes × 1,000 candidates, k = 10,
  6 existing, no peer): HiGHS, lazy greedy and the distance matrices.
- ``circles``: ``bench_circles.py`` (3,000 communities on a 58k-node grid): derived areas and
  circles.
- ``report``: ``quarterhour report`` end to end on the Chengdu OSM extract
  (``shared/data/chengdu-osm-2018``: network and facilities), 80 generated communities (seeded,
  the same file for both), k = 3 for the 2 worst items, 5 item maps; wall clock of the process and
  the command's own time per stage (``Run.timings``, which its ``用时 / time per stage`` line
  shows rounded; the former per-item siting stages summed as ``siting``).
- ``report-cpu``: the same, each stage timed in the process's CPU seconds (its stage timers read
  ``time.process_time``; all threads counted): what other jobs on a shared machine disturb least.
- ``platform``: the platform's background assessment (``planning.assessment.execute``, a full run
  with no kept tile state) of the generated city (``benchmarks.gen``, ``--platform-nodes``), on
  SQLite; the world is built once per tree in its own data directory (not timed), each round runs
  one assessment in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
CHENGDU = HERE.parent / "shared" / "data" / "chengdu-osm-2018" / "chengdu.osm"

COMMUNITIES = r"""
import sys
import numpy as np
from quarterhour.engine.osm_network import read_osm_network
net, _ = read_osm_network(sys.argv[1])
rng = np.random.default_rng(80)
nodes = rng.choice(net.n_nodes, 80, replace=False)
pop = rng.integers(3_000, 9_000, 80)
with open(sys.argv[2], "w", encoding="utf-8") as fh:
    fh.write("社区代码,社区名称,常住人口,老年人,街道,经度,纬度\n")
    for i, n in enumerate(nodes.tolist()):
        fh.write(f"C{i:02d},第{i}社区,{pop[i]},{pop[i] // 5},S{i // 10},"
                 f"{net.node_lon[n]:.7f},{net.node_lat[n]:.7f}\n")
"""

# ``quarterhour report`` as typed, and its own time per stage at full precision (the console
# line rounds to 0.1 s)
REPORT = r"""
import json, os, sys, time
if os.environ.get("QH_STAGE_CPU"):  # every stage timer reads this process's CPU seconds
    time.perf_counter = time.process_time
import quarterhour.cli.plan as plan
finish = plan._finish
def timed_finish(run, out):
    print("QH_TIMINGS " + json.dumps(run.timings), flush=True)
    finish(run, out)
plan._finish = timed_finish
from quarterhour.cli import main
raise SystemExit(main(sys.argv[1:]))
"""

# the platform's world, built once per tree: the benchmark city of bench_platform_tiles.py
# (``benchmarks/platform_city.py`` of this tree, loaded by its path so that an older tree
# without it builds the same city; the network and facilities from that tree's benchmarks.gen)
PLATFORM_SETUP = r"""
import importlib.util, json, sys
from quarterhour.platform.bootstrap import setup
setup("quarterhour.platform.settings.base")
from django.core.management import call_command
call_command("migrate", verbosity=0)
from quarterhour.platform.geography.models import Community
from quarterhour.platform.core.standard import walk_items
sys.path.insert(0, sys.argv[2])
from benchmarks.gen import facilities_at_nodes, grid_network
spec = importlib.util.spec_from_file_location("platform_city", sys.argv[3])
platform_city = importlib.util.module_from_spec(spec)
sys.modules["platform_city"] = platform_city
spec.loader.exec_module(platform_city)
network = grid_network(int(sys.argv[1]))
found = facilities_at_nodes(network, [i.code for i in walk_items()])
platform_city.build_city(network, found, name=f"grid:{sys.argv[1]}", skip_outside=True)
print(json.dumps({"nodes": network.n_nodes, "communities": Community.objects.count()}))
"""

PLATFORM_RUN = r"""
import json, shutil, time
from quarterhour.platform.bootstrap import setup
setup("quarterhour.platform.settings.base")
from quarterhour.platform.accounts.models import User
from quarterhour.platform.geography.models import District
from quarterhour.platform.planning.assessment import execute
from quarterhour.platform.planning.models import AssessmentRun, WalkNetworkFile
from quarterhour.platform.planning.services import assessment_request
from quarterhour.platform.planning.tiles import state_dir
shutil.rmtree(state_dir(), ignore_errors=True)
city = User.objects.get(username="bench-city")
run = assessment_request(actor=city, district=District.objects.get(),
                         network=WalkNetworkFile.objects.get())
AssessmentRun.objects.filter(pk=run.pk).update(status="running")
t = time.perf_counter()
execute(run)
s = time.perf_counter() - t
run.refresh_from_db()
assert run.status == "done", run.error_message
print(json.dumps({"execute": s}))
"""


def _env(tree: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "QUARTERHOUR_DASK_SCHEDULER")
    }
    env["PYTHONPATH"] = str(tree / "src")
    env["COLUMNS"] = "1000"  # the CLI's console must not wrap its timing line
    env["LOG_LEVEL"] = "WARNING"
    env.update(extra)
    return env


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


LAST_CPU = [0.0]


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    """Run to the end: (wall seconds, stdout + stderr); the child's CPU seconds in LAST_CPU."""
    t, c = time.perf_counter(), _children_cpu()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    LAST_CPU[0] = _children_cpu() - c
    if proc.returncode != 0:
        raise SystemExit(
            f"failed ({proc.returncode}): {' '.join(argv)}\n{proc.stdout}{proc.stderr}"
        )
    return wall, proc.stdout + proc.stderr  # the CLI's console writes to stderr


def _seconds(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    if m is None:
        raise SystemExit(f"not found: {pattern!r} in\n{text}")
    return float(m.group(1))


class Stage:
    """prepare(tree) once per tree (untimed), then run(tree) → {figure: seconds} per round."""

    def __init__(self, work: Path) -> None:
        self.work = work

    def prepare(self, tree: Path) -> None:
        return None

    def run(self, tree: Path) -> dict[str, float]:
        raise NotImplementedError


class Siting(Stage):
    def run(self, tree: Path) -> dict[str, float]:
        argv = [sys.executable, str(tree / "benchmarks" / "bench_siting.py"), "--no-peer"]
        argv += ["--runs", "1", "--demand", "4000", "--candidates", "1000", "--size", "4500"]
        argv += ["--existing", "6", "--k", "10"]
        wall, out = _run(argv, _env(tree), tree)
        return {
            "HiGHS": _seconds(r"ours HiGHS : median\s+([\d.]+) s", out),
            "greedy": _seconds(r"ours greedy: median\s+([\d.]+) s", out),
            "distance matrices": _seconds(r"distance matrices ([\d.]+) s", out),
            "process wall": wall,
            "process CPU": LAST_CPU[0],
        }


class Circles(Stage):
    def run(self, tree: Path) -> dict[str, float]:
        argv = [sys.executable, str(tree / "benchmarks" / "bench_circles.py"), "--runs", "1"]
        wall, out = _run(argv, _env(tree), tree)
        return {
            "derived areas": _seconds(r"derived areas : median\s+([\d.]+) s", out),
            "circles": _seconds(r"circles       : median\s+([\d.]+) s", out),
            "process wall": wall,
            "process CPU": LAST_CPU[0],
        }


class Report(Stage):
    def __init__(self, work: Path, *, cpu: bool = False) -> None:
        super().__init__(work)
        self.cpu = cpu

    def prepare(self, tree: Path) -> None:
        path = self.work / "communities.csv"
        if not path.exists():  # one file for both revisions, written by the first tree
            _run([sys.executable, "-c", COMMUNITIES, str(CHENGDU), str(path)], _env(tree), tree)

    def run(self, tree: Path) -> dict[str, float]:
        out_dir = Path(tempfile.mkdtemp(prefix="report-", dir=self.work)) / "out"
        argv = [sys.executable, "-c", REPORT, "report", "--network", str(CHENGDU)]
        argv += ["--facilities", str(CHENGDU), "--communities", str(self.work / "communities.csv")]
        argv += ["--k", "3", "--max-items", "2", "--time-limit", "10", "--max-item-maps", "5"]
        argv += ["--out", str(out_dir)]
        env = _env(tree, QH_STAGE_CPU="1") if self.cpu else _env(tree)
        wall, out = _run(argv, env, tree)
        line = next(s for s in out.splitlines() if s.startswith("QH_TIMINGS "))
        stages: dict[str, float] = {}
        for name, sec in json.loads(line.split(" ", 1)[1]).items():
            key = "siting" if name.startswith("siting") else name  # before: one per item
            key = f"CPU {key}" if self.cpu else key
            stages[key] = stages.get(key, 0.0) + float(sec)
        stages["process wall"] = wall
        stages["process CPU"] = LAST_CPU[0]
        return stages


class Platform(Stage):
    def __init__(self, work: Path, nodes: int) -> None:
        super().__init__(work)
        self.nodes = nodes

    def _data(self, tree: Path) -> Path:
        return self.work / f"platform-{tree.name}"

    def prepare(self, tree: Path) -> None:
        data = self._data(tree)
        data.mkdir(exist_ok=True)
        env = _env(tree, QUARTERHOUR_DATA_DIR=str(data))
        t = time.perf_counter()
        city = HERE / "benchmarks" / "platform_city.py"
        argv = [sys.executable, "-c", PLATFORM_SETUP, str(self.nodes), str(tree), str(city)]
        _, out = _run(argv, env, tree)
        print(f"  platform world for {tree}: {out.strip()} ({time.perf_counter() - t:.0f} s)")

    def run(self, tree: Path) -> dict[str, float]:
        env = _env(tree, QUARTERHOUR_DATA_DIR=str(self._data(tree)))
        wall, out = _run([sys.executable, "-c", PLATFORM_RUN], env, tree)
        return {
            "execute": json.loads(out.strip().splitlines()[-1])["execute"],
            "process wall": wall,
            "process CPU": LAST_CPU[0],
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", required=True, type=Path, help="the older tree (its src)")
    ap.add_argument("--after", type=Path, default=HERE, help="the newer tree (default: this one)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--stages", default="siting,circles,report,platform")
    ap.add_argument("--platform-nodes", type=int, default=100_000)
    ap.add_argument("--json", type=Path, help="also write every round's figures here")
    args = ap.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    for tree in trees.values():  # each process must import the tree's own code
        _, where = _run(
            [sys.executable, "-c", "import quarterhour; print(quarterhour.__file__)"],
            _env(tree),
            tree,
        )
        if not Path(where.strip()).is_relative_to(tree):
            raise SystemExit(f"{tree}: quarterhour imported from {where.strip()}")
    all_rounds: dict[str, dict[str, list[dict[str, float]]]] = {}
    with tempfile.TemporaryDirectory(prefix="qh-compare-") as tmp:
        work = Path(tmp)
        makers: dict[str, Callable[[], Stage]] = {
            "siting": lambda: Siting(work),
            "circles": lambda: Circles(work),
            "report": lambda: Report(work),
            "report-cpu": lambda: Report(work, cpu=True),
            "platform": lambda: Platform(work, args.platform_nodes),
        }
        for name in args.stages.split(","):
            stage = makers[name]()
            print(f"== {name}", flush=True)
            for tree in trees.values():
                stage.prepare(tree)
            rounds: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
            for i in range(args.rounds):
                for label, tree in trees.items():
                    figures = stage.run(tree)
                    rounds[label].append(figures)
                    shown = ", ".join(f"{k} {v:.2f}" for k, v in figures.items())
                    print(f"  round {i + 1} {label:6}: {shown}", flush=True)
            all_rounds[name] = rounds
            _summary(name, rounds)
    if args.json:
        args.json.write_text(json.dumps(all_rounds, indent=1), encoding="utf-8")
    return 0


def _summary(name: str, rounds: dict[str, list[dict[str, float]]]) -> None:
    keys = [
        k for k in rounds["after"][0] if all(k in r for r in rounds["before"] + rounds["after"])
    ]
    print(f"  {name}: medians of {len(rounds['after'])} interleaved rounds (s)")
    print(f"  {'figure':24} {'before':>9} {'after':>9} {'after/before':>13}")
    for k in keys:
        b = statistics.median(r[k] for r in rounds["before"])
        a = statistics.median(r[k] for r in rounds["after"])
        ratio = f"{a / b:.2f}" if b > 0 else "—"
        print(f"  {k:24} {b:9.2f} {a:9.2f} {ratio:>13}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
