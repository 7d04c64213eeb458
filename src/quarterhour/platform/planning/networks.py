"""Keep engine walk networks as ``.npz`` files in the data directory, registered in the DB."""

from __future__ import annotations

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
def _load(path: str, mtime: float) -> WalkNetwork:
    with np.load(path, allow_pickle=False) as data:
        return WalkNetwork(
            node_lon=data["node_lon"],
            node_lat=data["node_lat"],
            edge_u=data["edge_u"],
            edge_v=data["edge_v"],
            edge_length_m=data["edge_length_m"],
            node_osm_id=data["node_osm_id"],
            source=str(data["source"]),
        )


def load_network(record: WalkNetworkFile) -> WalkNetwork:
    path = Path(settings.DATA_DIR) / record.path
    return _load(str(path), path.stat().st_mtime)


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
