"""Many cities (or one city's tiles) on a Dask cluster: a job file, resumption, per-city errors.

A *job file* (TOML) lists cities::

    out = "results"                 # where each city's folder goes (relative to the job file)

    [defaults]                      # optional: any city key, for every city
    standard = "beijing-2011"
    max_snap_m = 300

    [[city]]
    name = "chengdu"                # folder name: letters, digits, - _ . only
    network = "data/chengdu.osm.pbf"          # path (relative to the job file) or fsspec URL
    facilities = ["data/shops.csv"]           # optional; default: the network file, if OSM
    origins = "data/homes.csv"                # optional; default: every network node
    # standard, minutes, speed_kmh, elderly, crs, encoding, max_snap_m, all_components,
    # tile_m (cut the city into tiles of this size inside its task), threads,
    # reach_csv (false: leave out reach.csv, the per-origin table; keep summary.csv and the rest)
    communities = "data/communities.csv"     # optional: community list with population (as
                                              # `quarterhour report --communities`): coverage per
                                              # community and circle, verdicts, gaps
    # circles (false: no circles drawn; default true when communities are given)

With ``communities`` a city is planned by the same pipeline as ``quarterhour report``
(:func:`quarterhour.engine.planning.plan`): residents spread over each community's nodes by
street frontage, circles drawn, coverage per community / circle / item written next to the
assessment's files (``community_coverage.csv`` … ``circles.csv``, ``gaps.csv``).

Each city runs as one Dask task (a worker reads the inputs itself: they must be reachable from
every worker — a shared path or an fsspec URL such as ``s3://…``). A city's results are written by
the worker into ``<out>/<name>/`` through a temporary folder renamed into place when complete,
with ``job.json`` holding a hash of the inputs' contents and the options. A rerun skips a city
whose ``job.json`` hash matches; a failed city gets ``<out>/<name>.error.txt`` and a row in
``<out>/batch-status.csv`` and never stops the others. Dask reruns a task whose worker died.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import math
import re
import shutil
import tempfile
import time
import tomllib
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from quarterhour import __version__
from quarterhour.engine._errors import InputError, InputErrors, Problem, QuarterhourError
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.engine.progress import Progress, no_progress
from quarterhour.engine.schema_reader import TableReader
from quarterhour.engine.standard_loader import DEFAULT_STANDARD

#: keys a city (or [defaults]) may have, with their types
CITY_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "network": str,
    "facilities": (list, str),
    "origins": str,
    "standard": str,
    "minutes": (int, float),
    "speed_kmh": (int, float),
    "elderly": bool,
    "crs": str,
    "encoding": str,
    "max_snap_m": (int, float),
    "all_components": bool,
    "tile_m": (int, float),
    "threads": int,
    "reach_csv": bool,
    "communities": str,
    "circles": bool,
}
#: the schema reader's kinds of problem as job-file problem codes
_JOB_CODES = {
    "missing": "job_key_missing",
    "unknown": "job_key_unknown",
    "type": "job_key_type",
    "value": "job_key_value",
}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
STATUS_FILE = "batch-status.csv"
MARKER_FILE = "job.json"


@dataclass(frozen=True, slots=True)
class CityJob:
    """One city of a job: where its inputs are and how to assess it."""

    name: str
    network: str
    facilities: tuple[str, ...] = ()
    origins: str | None = None
    standard: str = DEFAULT_STANDARD
    minutes: float | None = None
    speed_kmh: float | None = None
    elderly: bool = False
    crs: str = "wgs84"
    encoding: str | None = None
    max_snap_m: float = DEFAULT_MAX_SNAP_M
    all_components: bool = False
    tile_m: float | None = None
    threads: int = 1
    reach_csv: bool = True
    communities: str | None = None
    circles: bool = True

    def inputs(self) -> list[tuple[str, str]]:
        """(role, location) of every input file."""
        out = [("network", self.network)]
        out += [("facilities", f) for f in self.facilities]
        if self.origins:
            out.append(("origins", self.origins))
        if self.communities:
            out.append(("communities", self.communities))
        if _is_local(self.standard) and self.standard.endswith(".toml"):
            out.append(("standard", self.standard))
        return out


@dataclass(frozen=True, slots=True)
class Job:
    path: str
    out: str
    cities: tuple[CityJob, ...]


@dataclass(frozen=True, slots=True)
class CityOutcome:
    """What became of one city: ``done``, ``skipped`` (unchanged since the last run) or
    ``failed`` (with the error)."""

    name: str
    status: str
    out: str
    seconds: float = 0.0
    error: str = ""
    origins: int = 0
    facilities: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------------------------
# reading the job file


def _is_local(location: str) -> bool:
    return "://" not in location


def _resolve(location: str, base: Path) -> str:
    if not _is_local(location):
        return location
    p = Path(location).expanduser()
    return str(p if p.is_absolute() else (base / p))


def read_job(path: str | Path) -> Job:
    """Read and check a job file; every problem is reported at once (file, city, key)."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            Problem(
                "job_unreadable",
                f"无法读取任务文件：{exc.strerror or exc}",
                f"cannot read the job file: {exc.strerror or exc}",
                file=str(p),
            )
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            Problem(
                "job_malformed",
                f"任务文件不是有效的 TOML：{exc}",
                f"the job file is not valid TOML: {exc}",
                file=str(p),
            )
        ) from exc
    base = p.resolve().parent
    problems: list[Problem] = []

    def bad(code: str, zh: str, en: str, column: str | None = None) -> None:
        problems.append(Problem(code, zh, en, file=str(p), column=column))

    reader = TableReader()  # the schema reader of the standard files: types, missing, unknown
    reader.unknown(data, {"out", "defaults", "city"}, "")
    defaults = reader.table(data, "defaults", "", required=False) or {}
    raw_cities = reader.list_of(data, "city", "", "table", required=False)
    if not isinstance(data.get("city"), list) or not data["city"]:
        bad("job_no_city", "任务文件中没有 [[city]]", "the job file lists no [[city]]", "city")
    out = reader.string(data, "out", "", required=False) or "results"
    cities: list[CityJob] = []
    seen: set[str] = set()
    for k, raw in raw_cities:
        where = f"city[{k}]"
        entry = {**defaults, **raw}
        before = len(reader.problems)
        reader.unknown(entry, set(CITY_KEYS), where)
        for key, want in CITY_KEYS.items():
            if want is str:
                reader.string(entry, key, where, required=key in ("name", "network"))
            elif want is bool:
                reader.boolean(entry, key, where, default=False)
            elif want is int:
                reader.integer(entry, key, where)
            elif key == "facilities":
                if not isinstance(entry.get(key), str):
                    reader.strings(entry, key, where)
            else:
                reader.number(entry, key, where, required=False)
        if len(reader.problems) > before:
            continue
        name = entry["name"]
        if not _NAME_RE.match(name):
            bad(
                "job_city_name",
                f"{where} 的名称 {name!r} 只能含字母、数字和 - _ .",
                f"{where}: name {name!r} may hold only letters, digits, - _ .",
                "name",
            )
            continue
        if name in seen:
            bad(
                "job_city_duplicate",
                f"城市名称重复：{name}",
                f"duplicate city name: {name}",
                "name",
            )
            continue
        seen.add(name)
        facs = entry.get("facilities", [])
        facs = [facs] if isinstance(facs, str) else facs
        network = _resolve(entry["network"], base)
        if not facs and _looks_osm(network):
            facs = [entry["network"]]
        cities.append(
            CityJob(
                name=name,
                network=network,
                facilities=tuple(_resolve(f, base) for f in facs),
                origins=_resolve(entry["origins"], base) if "origins" in entry else None,
                communities=(
                    _resolve(entry["communities"], base) if "communities" in entry else None
                ),
                circles=bool(entry.get("circles", True)),
                standard=(
                    _resolve(entry["standard"], base)
                    if str(entry.get("standard", "")).endswith(".toml")
                    else entry.get("standard", DEFAULT_STANDARD)
                ),
                minutes=_opt_float(entry.get("minutes")),
                speed_kmh=_opt_float(entry.get("speed_kmh")),
                elderly=bool(entry.get("elderly", False)),
                crs=entry.get("crs", "wgs84"),
                encoding=entry.get("encoding"),
                max_snap_m=float(entry.get("max_snap_m", DEFAULT_MAX_SNAP_M)),
                all_components=bool(entry.get("all_components", False)),
                tile_m=_opt_float(entry.get("tile_m")),
                threads=int(entry.get("threads", 1)),
                reach_csv=bool(entry.get("reach_csv", True)),
            )
        )
    problems[:0] = [
        Problem(
            _JOB_CODES[q.kind],
            f"{q.key}：{q.reason_zh}",
            f"{q.key}: {q.reason_en}",
            file=str(p),
            column=q.key.rsplit(".", 1)[-1],
        )
        for q in reader.problems
    ]
    if problems:
        raise InputErrors(problems)
    return Job(path=str(p), out=_resolve(out, base), cities=tuple(cities))


def _opt_float(v: object) -> float | None:
    return None if v is None else float(v)  # type: ignore[arg-type]


def _looks_osm(location: str) -> bool:
    return location.lower().endswith((".osm", ".pbf", ".osm.bz2", ".osm.gz"))


# --------------------------------------------------------------------------------------------
# inputs: hashing (resumption) and fetching (on the worker)


ROLE_ZH = {
    "network": "路网",
    "facilities": "设施",
    "origins": "居住点",
    "standard": "标准",
    "communities": "社区名录",
}


def _missing(role: str, location: str, reason: str) -> InputError:
    return InputError(
        Problem(
            "batch_input_unreadable",
            f"无法读取{ROLE_ZH.get(role, '')}输入文件：{reason}",
            f"cannot read the {role or 'input'} file: {reason}",
            file=location,
            column=role,
        )
    )


def input_digest(city: CityJob) -> str:
    """Hash of every input's contents (local files) or identity (URLs: fsspec's ``ukey``),
    the options and the program version. Raises :class:`InputError` for an unreadable input."""
    h = hashlib.sha256()
    options = asdict(city)
    # the defaults: hashes (and so finished results) as before the options
    for key, default in (("reach_csv", True), ("communities", None), ("circles", True)):
        if options[key] == default:
            del options[key]
    h.update(json.dumps({"version": __version__, "options": options}, sort_keys=True).encode())
    for role, location in city.inputs():
        h.update(f"\n{role}:{location}\n".encode())
        if _is_local(location):
            try:
                with open(location, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
            except OSError as exc:
                raise _missing(role, location, exc.strerror or str(exc)) from exc
        else:
            import fsspec

            try:
                fs, path = fsspec.core.url_to_fs(location)
                h.update(str(fs.ukey(path)).encode())
            except (OSError, ValueError, ImportError) as exc:
                raise _missing(role, location, str(exc)) from exc
    return h.hexdigest()


@contextlib.contextmanager
def fetched(city: CityJob) -> Iterator[CityJob]:
    """The city with every URL input copied to a local temporary file (suffix kept)."""
    remote = [loc for _, loc in city.inputs() if not _is_local(loc)]
    if not remote:
        yield city
        return
    import fsspec

    tmp = Path(tempfile.mkdtemp(prefix="quarterhour-inputs-"))
    try:
        local: dict[str, str] = {}
        for k, loc in enumerate(remote):
            fs, path = fsspec.core.url_to_fs(loc)
            dest = tmp / f"{k}-{Path(path).name}"
            try:
                fs.get(path, str(dest))
            except (OSError, ValueError) as exc:
                raise _missing("", loc, str(exc)) from exc
            local[loc] = str(dest)
        yield replace(
            city,
            network=local.get(city.network, city.network),
            facilities=tuple(local.get(f, f) for f in city.facilities),
            origins=None if city.origins is None else local.get(city.origins, city.origins),
            standard=local.get(city.standard, city.standard),
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def finished(out_root: str | Path, name: str, digest: str) -> bool:
    """Whether ``<out>/<name>`` holds a complete result for exactly these inputs."""
    marker = Path(out_root) / name / MARKER_FILE
    try:
        return bool(json.loads(marker.read_text(encoding="utf-8")).get("digest") == digest)
    except (OSError, ValueError):
        return False


# --------------------------------------------------------------------------------------------
# one city (runs on a worker)


def run_city(city: CityJob, out_root: str, digest: str) -> CityOutcome:
    """Assess one city and write its folder; errors come back as a ``failed`` outcome."""
    t0 = time.perf_counter()
    out = str(Path(out_root) / city.name)
    try:
        origins, facilities, warnings = _assess_city(city, Path(out), digest)
    except (QuarterhourError, OSError, ValueError, MemoryError) as exc:
        return CityOutcome(city.name, "failed", out, time.perf_counter() - t0, error=_describe(exc))
    return CityOutcome(
        city.name,
        "done",
        out,
        time.perf_counter() - t0,
        origins=origins,
        facilities=facilities,
        warnings=tuple(warnings),
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, QuarterhourError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _assess_city(city: CityJob, out: Path, digest: str) -> tuple[int, int, list[str]]:
    # the CLI's writer and placement checks, so that a batch city's files equal `assess`'s
    from quarterhour.engine.assessment import (
        assess,
        load_facility_file,
        load_network,
        placement_warnings,
    )
    from quarterhour.engine.coords import parse_crs
    from quarterhour.engine.outputs import atomic_output_dir, write_assessment
    from quarterhour.engine.snapping import EdgeIndex
    from quarterhour.engine.standards import load_standard

    with fetched(city) as c:
        standard = load_standard(c.standard)
        speed = c.speed_kmh or (
            standard.walking.elderly_speed_kmh if c.elderly else standard.walking.speed_kmh
        )
        network, net_report, osm_derived = load_network(
            Path(c.network), keep_largest_component=not c.all_components
        )
        index = EdgeIndex(network)
        facilities = []
        warnings: list[str] = []
        for path in c.facilities:
            found = load_facility_file(Path(path), standard, crs=c.crs, encoding=c.encoding)
            warnings += placement_warnings(
                network, index, found, source=path, crs=c.crs, max_snap_m=c.max_snap_m
            )
            facilities.extend(found)
        if not facilities:
            raise InputError(
                Problem(
                    "batch_no_facilities",
                    "该城市没有任何标准设施（检查 facilities 文件或 OSM 范围）",
                    "the city has no standard facility (check its facility files or OSM extract)",
                    file=", ".join(c.facilities) or c.network,
                    column="facilities",
                )
            )
        origins = None
        weighted = False
        if c.origins is not None:
            from quarterhour.engine.origins_io import read_origins_counted

            origins, weighted = read_origins_counted(
                c.origins, crs=parse_crs(c.crs), encoding=c.encoding
            )
        residents = None
        if c.communities is not None:
            comms, areas, residents = _city_residents(c, network, origins, weighted)
            origins = residents.origins
        options: dict[str, Any] = dict(
            standard=standard,
            minutes=c.minutes,
            speed_kmh=speed,
            max_snap_m=c.max_snap_m,
            workers=c.threads,
            osm_derived=osm_derived,
            network_report=net_report,
        )
        if c.tile_m:
            from quarterhour.engine.tiling import assess_partitioned

            result = assess_partitioned(network, facilities, origins, tile_m=c.tile_m, **options)
        else:
            result = assess(network, facilities, origins, edge_index=index, **options)
        del index
        planned = None
        if residents is not None:
            planned = _plan_city(c, network, standard, facilities, comms, areas, residents, result)
    # write into a temporary folder first: a folder with job.json is a complete result
    staging = out.with_name(f".{out.name}.staging-{uuid.uuid4().hex[:12]}")
    write_assessment(
        result,
        staging,
        export_network=False,
        reach_csv=city.reach_csv,
        counted=residents.counted
        if residents is not None
        else ("residents" if weighted else "network_points"),
    )
    if planned is not None:
        _write_plan(planned, comms, staging)
        warnings += list(planned.notes)
    (staging / MARKER_FILE).write_text(
        json.dumps(
            {"digest": digest, "city": asdict(city), "version": __version__},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    with atomic_output_dir(out) as tmp:
        for f in staging.iterdir():
            f.rename(tmp / f.name)
    shutil.rmtree(staging, ignore_errors=True)
    return len(result.result.origins), len(result.result.facilities), warnings


def _city_residents(c: CityJob, network: Any, origins: Any, weighted: bool) -> tuple[Any, ...]:
    """The city's communities, their areas and residents — as ``quarterhour report`` reads a
    ``--communities`` list (polygons when every row has one, else areas derived from centres)."""
    import numpy as np

    from quarterhour.engine.coords import parse_crs
    from quarterhour.engine.planning import Residents
    from quarterhour.engine.population import (
        areas_from_polygons,
        derived_areas,
        origins_from_areas,
        read_communities,
        zone_of_points,
    )

    comms = read_communities(c.communities or "", crs=parse_crs(c.crs), encoding=c.encoding)
    if comms.polygon and all(p is not None for p in comms.polygon):
        areas = areas_from_polygons(network, comms.polygon, source=c.communities or "")
    else:
        areas = derived_areas(network, comms.lon, comms.lat, max_snap_m=c.max_snap_m)
    if origins is not None:
        zone = zone_of_points(network, areas, origins.lon, origins.lat, max_snap_m=c.max_snap_m)
        residents = Residents(
            origins=origins,
            zone=np.asarray(zone, dtype=np.int64),
            zone_ids=tuple(comms.code),
            counted="residents" if weighted else "network_points",
        )
    else:
        co = origins_from_areas(network, comms, areas)
        residents = Residents(
            origins=co.origins, zone=co.zone, zone_ids=tuple(comms.code), groups=dict(co.groups)
        )
    return comms, areas, residents


def _plan_city(
    c: CityJob,
    network: Any,
    standard: Any,
    facilities: Sequence[Any],
    comms: Any,
    areas: Any,
    residents: Any,
    assessed: Any,
) -> Any:
    """The planning pipeline on the city's reach (already computed, whole or tiled)."""
    import numpy as np

    from quarterhour.engine.planning import (
        CircleOptions,
        PlanInputs,
        PlanOptions,
        Reached,
        plan,
    )

    r = assessed.result

    def reached(**_: Any) -> Reached:
        return Reached(
            {code: item.distance_m for code, item in r.items.items()},
            placed=int(np.count_nonzero(r.facility_snap.ok)),
        )

    return plan(
        inputs=PlanInputs(
            network=network,
            standard=standard,
            facilities=tuple(facilities),
            residents=residents,
            communities=comms,
            areas=areas,
        ),
        options=PlanOptions(
            minutes=assessed.minutes,
            speed_kmh=assessed.speed_kmh,
            max_snap_m=c.max_snap_m,
            circles=CircleOptions() if c.circles else None,
        ),
        reach=reached,
    )


def _write_plan(planned: Any, comms: Any, out: Path) -> None:
    """Coverage per community (and circle), gaps and the circles, as ``report`` writes them."""
    from quarterhour.engine import exports as ex

    names = dict(zip(comms.code, comms.name, strict=True))
    sheets = [
        ex.zone_summary_sheet(
            planned.community_table, name="community_coverage", title_zh="社区达标",
            title_en="community compliance", labels=names,
        ),
        ex.zone_items_sheet(
            planned.community_table, name="community_items", title_zh="社区各项目",
            title_en="community coverage by item",
        ),
    ]  # fmt: skip
    if planned.circle_table is not None and planned.layout is not None:
        sheets += [
            ex.circles_sheet(planned.layout),
            ex.circle_parts_sheet(planned.layout, comms),
            ex.zone_summary_sheet(
                planned.circle_table, name="circle_coverage", title_zh="服务圈达标",
                title_en="circle compliance",
            ),
            ex.zone_items_sheet(
                planned.circle_table, name="circle_items", title_zh="服务圈各项目",
                title_en="circle coverage by item",
            ),
        ]  # fmt: skip
    if planned.roll_up:
        sheets.append(ex.targets_sheet(planned.roll_up))
    sheets.append(ex.gaps_sheet(planned.gaps))
    if planned.counted == "network_points":
        sheets = [ex.counting_points(sh) for sh in sheets]
    for sh in sheets:
        ex.write_csv(out / f"{sh.name}.csv", sh)


# --------------------------------------------------------------------------------------------
# the whole job


def _distributed() -> Any:
    """Dask distributed, imported only when a cluster is used (it is the ``cluster`` extra)."""
    try:
        return importlib.import_module("distributed")
    except ImportError as exc:
        raise QuarterhourError(
            "未安装 Dask（pip install 'quarterhour[cluster]'）",
            "Dask is not installed (pip install 'quarterhour[cluster]')",
            code="dask_missing",
        ) from exc


class SchedulerUnreachable(QuarterhourError):
    code = "scheduler_unreachable"


@contextlib.contextmanager
def dask_client(
    scheduler: str | None = None, *, workers: int = 0, timeout_s: float = 10.0
) -> Iterator[Any]:
    """A Dask client: to ``scheduler`` (``tcp://host:port``), or to a local cluster of
    ``workers`` processes (one thread each), or ``None`` when neither is asked for."""
    if not scheduler and workers <= 0:
        yield None
        return
    dist = _distributed()
    Client, LocalCluster = dist.Client, dist.LocalCluster
    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{timeout_s}s")
        except (OSError, TimeoutError) as exc:
            raise SchedulerUnreachable(
                f"无法连接 Dask 调度器 {scheduler}（{timeout_s:g} 秒内无应答）：{exc}",
                f"the Dask scheduler {scheduler} did not answer within {timeout_s:g} s: {exc}",
            ) from exc
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_job(
    job: Job,
    *,
    client: Any = None,
    force: bool = False,
    progress: Progress = no_progress,
    on_outcome: Callable[[CityOutcome], None] | None = None,
) -> list[CityOutcome]:
    """Assess every city of ``job`` (on ``client``'s cluster, or here one after another).

    Returns one outcome per city, in job order; writes ``<out>/batch-status.csv``.
    """
    out_root = Path(job.out)
    out_root.mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, CityOutcome] = {}
    todo: list[tuple[CityJob, str]] = []
    total = len(job.cities)

    def record(o: CityOutcome) -> None:
        outcomes[o.name] = o
        err = out_root / f"{o.name}.error.txt"
        if o.status == "failed":
            err.write_text(o.error + "\n", encoding="utf-8")
        else:
            err.unlink(missing_ok=True)
        progress("cities", len(outcomes), total)
        if on_outcome is not None:
            on_outcome(o)

    progress("cities", 0, total)
    for city in job.cities:
        try:
            digest = input_digest(city)
        except QuarterhourError as exc:
            record(CityOutcome(city.name, "failed", str(out_root / city.name), error=str(exc)))
            continue
        if not force and finished(out_root, city.name, digest):
            record(CityOutcome(city.name, "skipped", str(out_root / city.name)))
            continue
        todo.append((city, digest))
    if client is None:
        for city, digest in todo:
            record(run_city(city, str(out_root), digest))
    else:
        _run_on_cluster(client, todo, str(out_root), record)
    result = [outcomes[c.name] for c in job.cities]
    for city, _ in todo:  # a worker killed while writing leaves its temporary folders behind
        for left in out_root.glob(f".{city.name}.*"):
            if left.is_dir() and (".staging-" in left.name or ".partial-" in left.name):
                shutil.rmtree(left, ignore_errors=True)
    write_status(out_root / STATUS_FILE, result)
    return result


def _run_on_cluster(
    client: Any,
    todo: Sequence[tuple[CityJob, str]],
    out_root: str,
    record: Callable[[CityOutcome], None],
) -> None:
    as_completed = _distributed().as_completed
    futures = {
        client.submit(
            run_city, city, out_root, digest, key=f"city-{city.name}-{digest[:12]}", pure=False
        ): city
        for city, digest in todo
    }
    for fut in as_completed(list(futures)):
        city = futures[fut]
        try:
            outcome = fut.result()
        except Exception as exc:  # a lost worker (KilledWorker) or a crash outside the engine
            lost = type(exc).__name__ == "KilledWorker"
            outcome = CityOutcome(
                city.name,
                "failed",
                str(Path(out_root) / city.name),
                error=(
                    f"[worker_lost] 计算节点多次中断 / workers died running this city: {exc}"
                    if lost
                    else f"[city_crashed] 计算出错 / the city's task crashed: {_describe(exc)}"
                ),
            )
        record(outcome)


def write_status(path: Path, outcomes: Iterable[CityOutcome]) -> None:
    from quarterhour.engine.table_writer import write_rows_csv

    write_rows_csv(
        path,
        ["city", "status", "seconds", "origins", "facilities", "error", "folder"],
        [
            [
                o.name,
                o.status,
                "" if o.status == "skipped" else f"{o.seconds:.1f}",
                o.origins or "",
                o.facilities or "",
                o.error,
                o.out,
            ]
            for o in outcomes
        ],
    )


# --------------------------------------------------------------------------------------------
# one city's tiles on a cluster


def dask_tile_runner(client: Any, *, attempts: int = 3) -> Callable[..., Iterator[Any]]:
    """A ``run_tiles`` for :func:`quarterhour.engine.tiling.assess_partitioned` on Dask: each
    tile is sent to the cluster as it is cut and runs as one task.

    A tile's data lives on the worker it was sent to; if that worker is lost, the tile is sent
    again (up to ``attempts`` times) rather than failing the city.
    """
    dist = _distributed()

    def run(tiles: Iterable[Any], assess_one: Callable[[Any], Any]) -> Iterator[Any]:
        pending = dist.as_completed()
        sent: dict[Any, tuple[Any, int]] = {}

        def send(tile: Any, attempt: int) -> None:
            for k in range(attempts):
                try:
                    [data] = client.scatter([tile], hash=False)  # no tokenizing of the tile
                    break
                except OSError:  # the worker chosen for the data just died
                    if k == attempts - 1:
                        raise
                    time.sleep(0.5)
            fut = client.submit(assess_one, data, pure=False)
            sent[fut] = (tile, attempt)
            pending.add(fut)

        for tile in tiles:
            send(tile, 1)
        for fut in pending:
            tile, attempt = sent.pop(fut)
            try:
                result = fut.result()
            except Exception:  # the worker holding the tile was lost, or the tile failed
                if attempt >= attempts:
                    raise
                send(tile, attempt + 1)
                continue
            yield result

    return run


def cluster_assess(
    scheduler: str | None = None,
    *,
    local_workers: int = 0,
    tile_m: float | None = None,
    timeout_s: float = 10.0,
) -> Callable[..., Any]:
    """``assess`` itself, or — with a scheduler, local workers or a tile size — a drop-in that
    cuts the region into tiles and runs them as Dask tasks (or here, one after another).

    The answer is the same either way (:mod:`quarterhour.engine.tiling`).
    """
    from quarterhour.engine.assessment import assess

    if not scheduler and local_workers <= 0 and not tile_m:
        return assess

    def run(network: Any, facilities: Any, origins: Any = None, **options: Any) -> Any:
        from quarterhour.engine.tiling import assess_partitioned

        options.pop("edge_index", None)
        size = tile_m or default_tile_m(network.n_nodes)
        with dask_client(scheduler, workers=local_workers, timeout_s=timeout_s) as client:
            runner = None if client is None else dask_tile_runner(client)
            return assess_partitioned(
                network, facilities, origins, tile_m=size, run_tiles=runner, **options
            )

    return run


def default_tile_m(n_nodes: int) -> float:
    """A tile size for a cluster run: about 200k network nodes per tile, at least 5 km."""
    return max(5000.0, 20_000.0 * math.sqrt(max(n_nodes, 1) / 1_000_000))
