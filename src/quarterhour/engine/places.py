"""Places the analysis connects: facilities (what people walk to) and origins (homes).

Coordinates are WGS-84 lon/lat. Registers in GCJ-02 or BD-09 are converted on import
(:mod:`quarterhour.engine.coords`), never stored here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from quarterhour.engine.network import WalkNetwork

FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Facility:
    """One place that serves one or more standard items (一室多用: several).

    ``facility_id`` is stable across runs: ``"osm:node/123"`` for OSM, the register's id column
    or ``"<file-stem>:<row>"`` for registers. ``row`` is the spreadsheet row a register's
    facility was read from (None elsewhere), for messages that name it.
    """

    facility_id: str
    name: str
    lon: float
    lat: float
    item_codes: tuple[str, ...]
    address: str = ""
    source: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    row: int | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Origins:
    """Homes / demand points, columnar. ``weight`` is population (1.0 each when not given).

    ``node`` is set when the origins *are* network nodes (no snapping needed).
    """

    origin_id: tuple[str, ...]
    lon: FloatArray
    lat: FloatArray
    weight: FloatArray
    node: Int64Array | None = None

    def __len__(self) -> int:
        return len(self.origin_id)

    @classmethod
    def from_points(
        cls,
        origin_id: Sequence[str],
        lon: npt.ArrayLike,
        lat: npt.ArrayLike,
        *,
        weight: npt.ArrayLike | None = None,
    ) -> Origins:
        """Origins from parallel sequences (weights default to 1.0)."""
        lon_a = np.ascontiguousarray(lon, dtype=np.float64)
        lat_a = np.ascontiguousarray(lat, dtype=np.float64)
        ids = tuple(str(i) for i in origin_id)
        n = len(ids)
        w = (
            np.ones(n, dtype=np.float64)
            if weight is None
            else np.ascontiguousarray(weight, dtype=np.float64)
        )
        if lon_a.shape != (n,) or lat_a.shape != (n,) or w.shape != (n,):
            raise ValueError("origin ids, lon, lat and weight must have the same length")
        return cls(origin_id=ids, lon=lon_a, lat=lat_a, weight=w)

    @classmethod
    def from_network_nodes(cls, network: WalkNetwork) -> Origins:
        """Every network node as an origin of weight 1.0.

        Ids are ``"osm:node/<id>"`` where the node came from OSM, else ``"node:<index>"``.
        """
        n = network.n_nodes
        osm = network.node_osm_id
        if osm.shape[0] == n:
            ids = tuple(
                f"osm:node/{o}" if o >= 0 else f"node:{i}" for i, o in enumerate(osm.tolist())
            )
        else:
            ids = tuple(f"node:{i}" for i in range(n))
        return cls(
            origin_id=ids,
            lon=network.node_lon,
            lat=network.node_lat,
            weight=np.ones(n, dtype=np.float64),
            node=np.arange(n, dtype=np.int64),
        )
