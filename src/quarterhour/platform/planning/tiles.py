"""The background assessment's reach, tile by tile: the engine's partitioned runner, the tiles'
answers kept between runs, and (optionally) a Dask cluster to run the tiles on.

Every run cuts the network into square tiles of ``QH_TILE_M`` metres
(:func:`quarterhour.engine.tiling.run_partitioned`); the distances are exactly those of one
whole-network reach. The tiles' answers are kept in ``QH_STATE_DIR`` (default
``<data dir>/assessment-state``) — one file per scope (city, district, street), named by the walk
network and a digest of the settings — so the next run of the same scope with the same network,
residents and settings recomputes only the tiles a changed facility can affect (those within the
walk limit plus the snap distance of it) and reuses the rest. The file is ours (pickled by the
worker), written atomically; a missing, unreadable, corrupt or mismatched file only means a full
run. With ``QH_DASK_SCHEDULER`` the tiles run as tasks on that cluster (the CLI's runner,
:func:`quarterhour.engine.batch.dask_tile_runner`); a scheduler that does not answer fails the
run before anything is stored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from django.conf import settings

from quarterhour import __version__
from quarterhour.engine import places
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.npzfiles import write_atomically
from quarterhour.engine.progress import Progress
from quarterhour.engine.tiling import TileAnswers, run_partitioned
from quarterhour.platform.core.standard import engine_standard
from quarterhour.platform.planning.models import AssessmentRun

log = logging.getLogger("quarterhour.platform.assessment")

#: bumped when what the state file holds changes meaning
STATE_FORMAT = 1


@dataclass(frozen=True, slots=True, eq=False)
class SavedTiles:
    """What a state file holds: the settings digest it was made for and the tiles' answers."""

    key: str
    answers: TileAnswers


@dataclass(frozen=True, slots=True, eq=False)
class TiledReach:
    """Distances per item (one per origin) and how many tiles were computed this time."""

    distance_m: dict[str, npt.NDArray[np.float64]]
    tiles_total: int
    tiles_computed: int
    answers: TileAnswers | None = None  # to keep for the next run (:func:`keep_answers`)
    state: StateFile | None = None
    placed: int | None = None  # facilities placed on the network (within the snap distance)


@dataclass(frozen=True, slots=True)
class StateFile:
    path: Path
    key: str

    def load(self) -> TileAnswers | None:
        """The previous run's answers, or ``None`` (no file, unreadable, other settings)."""
        try:
            with self.path.open("rb") as fh:
                saved = pickle.load(fh)  # our own file, written by save() below
        except FileNotFoundError:
            return None
        except Exception as exc:  # a corrupt or foreign file only means a full run
            log.warning("tile state unreadable: full run", extra={"path": str(self.path)})
            log.debug("tile state error: %r", exc)
            return None
        if (
            not isinstance(saved, SavedTiles)
            or saved.key != self.key
            or not isinstance(saved.answers, TileAnswers)
        ):
            log.warning("tile state does not match: full run", extra={"path": str(self.path)})
            return None
        return saved.answers

    def save(self, answers: TileAnswers) -> None:
        """Write atomically (temporary file renamed into place); drop this scope's older files."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        saved = SavedTiles(self.key, answers)
        write_atomically(
            self.path,
            lambda fh: pickle.dump(saved, fh, protocol=pickle.HIGHEST_PROTOCOL),
            durable=True,
        )
        scope = self.path.name.split("--", 1)[0]
        for old in folder.glob(f"{scope}--*.pickle"):
            if old != self.path:
                with contextlib.suppress(OSError):
                    old.unlink()


def scope_label(run: AssessmentRun) -> str:
    if run.street_id is not None:
        return f"street-{run.street_id}"
    if run.district_id is not None:
        return f"district-{run.district_id}"
    return "city"


def state_file(run: AssessmentRun, *, tile_m: float, item_codes: Sequence[str]) -> StateFile:
    """Where ``run``'s scope keeps its tiles' answers, and the digest of what they depend on."""
    net = run.network
    described = {
        "format": STATE_FORMAT,
        "version": __version__,
        "network": None if net is None else [net.pk, net.path, net.created_at.isoformat()],
        "scope": scope_label(run),
        "standard": run.standard,
        "items": list(item_codes),
        "walk_minutes": run.walk_minutes,
        "speed_kmh": run.speed_kmh,
        "limit_m": run.limit_m,
        "tile_m": tile_m,
        "max_snap_m": DEFAULT_MAX_SNAP_M,
    }
    key = hashlib.blake2b(
        json.dumps(described, sort_keys=True).encode(), digest_size=16
    ).hexdigest()
    net_id = "none" if net is None else str(net.pk)
    name = f"{scope_label(run)}--network-{net_id}-{key[:16]}.pickle"
    return StateFile(state_dir() / name, key)


def state_dir() -> Path:
    configured = getattr(settings, "QH_STATE_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "assessment-state"


def keeps_order(old: Sequence[places.Facility], new: Sequence[places.Facility]) -> bool:
    """Whether the facilities in both lists come in the same relative order (the engine reuses
    tiles only then). ``engine_facilities`` lists the register's facilities by primary key, then
    the shared ones by primary key, so this holds; checked anyway, a full run being the safe
    answer."""
    old_set, new_set = set(old), set(new)
    return [f for f in old if f in new_set] == [f for f in new if f in old_set]


def tiled_reach(
    run: AssessmentRun,
    network: WalkNetwork,
    origins: places.Origins,
    facilities: Sequence[places.Facility],
    *,
    item_codes: Sequence[str],
    workers: int = 1,
    progress: Progress,
) -> TiledReach:
    """Distances from every origin to the nearest facility of every item, tile by tile, reusing
    the previous run's tiles where no facility changed near them."""
    from quarterhour.engine.batch import dask_client, dask_tile_runner

    tile_m = float(settings.QH_TILE_M)
    state = state_file(run, tile_m=tile_m, item_codes=item_codes)
    previous = state.load()
    if previous is not None and not keeps_order(previous.facilities, facilities):
        log.warning("facility order changed since the kept run: full run", extra={"run": run.pk})
        previous = None
    std = engine_standard(run.standard)
    wanted = set(item_codes)
    std = dataclasses.replace(std, items=tuple(i for i in std.items if i.code in wanted))
    scheduler = str(getattr(settings, "QH_DASK_SCHEDULER", "") or "")
    timeout_s = float(getattr(settings, "QH_DASK_TIMEOUT_S", 10.0))
    with dask_client(scheduler or None, timeout_s=timeout_s) as client:
        runner = None if client is None else dask_tile_runner(client)
        done = run_partitioned(
            network,
            facilities,
            origins,
            tile_m=tile_m,
            standard=std,
            minutes=run.walk_minutes,
            speed_kmh=run.speed_kmh,
            max_snap_m=DEFAULT_MAX_SNAP_M,
            workers=workers,
            run_tiles=runner,
            progress=progress,
            previous=previous,
        )
    result = done.assessment.result
    if result.limit_m != run.limit_m:
        raise ValueError(
            f"walk limit {result.limit_m!r} m differs from the run's {run.limit_m!r} m"
        )
    return TiledReach(
        distance_m={code: result.items[code].distance_m for code in item_codes},
        tiles_total=done.plan.n_tiles,
        tiles_computed=len(done.recomputed),
        answers=done.answers(),
        state=state,
        placed=int(np.count_nonzero(result.facility_snap.ok)),
    )


def keep_answers(reach: TiledReach) -> None:
    """Keep the tiles' answers for the next run (after the results are stored). A failure to
    write is logged, never fatal: the next run is then a full one."""
    if reach.answers is None or reach.state is None:
        return
    try:
        reach.state.save(reach.answers)
    except OSError:
        log.exception("could not keep the tiles' answers", extra={"path": str(reach.state.path)})
