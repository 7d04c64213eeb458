"""Keep engine walk networks as ``.npz`` files in the data directory, registered in the DB."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from pathlib import Path

import numpy as np
from django.conf import settings

from quarterhour.engine.network import WalkNetwork
from quarterhour.platform.planning.models import WalkNetworkFile


def network_dir() -> Path:
    path = Path(settings.QH_NETWORK_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_network(
    network: WalkNetwork,
    *,
    name: str,
    source: str = "",
    attribution: str = "",
    data_date: dt.date | None = None,
) -> WalkNetworkFile:
    """Write ``network`` to the data directory and register it."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    target = network_dir() / f"network-{stamp}.npz"
    np.savez_compressed(
        target,
        node_lon=network.node_lon,
        node_lat=network.node_lat,
        edge_u=network.edge_u,
        edge_v=network.edge_v,
        edge_length_m=network.edge_length_m,
        node_osm_id=network.node_osm_id,
        source=np.array(network.source),
    )
    min_lon, min_lat, max_lon, max_lat = network.bounds()
    return WalkNetworkFile.objects.create(
        name=name,
        path=str(target.relative_to(Path(settings.DATA_DIR))),
        source=source or network.source,
        attribution=attribution,
        data_date=data_date,
        n_nodes=network.n_nodes,
        n_edges=network.n_edges,
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
    )


@functools.lru_cache(maxsize=2)
def _load(path: str, stamp: tuple[int, int]) -> WalkNetwork:
    with np.load(path, allow_pickle=False) as data:
        network = WalkNetwork(
            node_lon=data["node_lon"],
            node_lat=data["node_lat"],
            edge_u=data["edge_u"],
            edge_v=data["edge_v"],
            edge_length_m=data["edge_length_m"],
            node_osm_id=data["node_osm_id"],
            source=str(data["source"]),
        )
    # the snapping index is kept beside the network's file (built on the first snap, then
    # read back as a memory map by every process): the engine's whole-network snaps use it
    network.kept["edge_index_path"] = edge_index_path(Path(path), stamp)
    return network


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns)


def edge_index_path(path: Path, stamp: tuple[int, int]) -> Path:
    """Where the snapping index of the network file ``path`` is kept: beside it, named by the
    file's size and modification time, so that a changed network file never reads the index
    of its former content (the stale ones are removed)."""
    size, mtime_ns = stamp
    kept = path.with_name(f"{path.stem}.edges-{size}-{mtime_ns}.npz")
    for old in path.parent.glob(f"{path.stem}.edges-*.npz"):
        if old != kept:
            with contextlib.suppress(OSError):  # another process did, or a read-only folder
                old.unlink()
    return kept


def load_network(record: WalkNetworkFile) -> WalkNetwork:
    """The stored network of ``record``, read once per process while its file is unchanged;
    snaps onto it use its kept edge index
    (:func:`~quarterhour.engine.snapping.kept_edge_index`)."""
    path = Path(settings.DATA_DIR) / record.path
    return _load(str(path), _stamp(path))


def network_at(lon: float, lat: float) -> WalkNetwork | None:
    """The newest stored walk network whose extent holds (lon, lat), or None (also when its file
    is missing)."""
    record = (
        WalkNetworkFile.objects.filter(
            min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if record is None:
        return None
    try:
        return load_network(record)
    except OSError:
        return None
