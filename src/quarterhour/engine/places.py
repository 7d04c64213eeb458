"""Places the analysis connects: facilities (what people walk to) and origins (homes).

Coordinates are WGS-84 lon/lat. Registers in GCJ-02 or BD-09 are converted on import
(:mod:`quarterhour.engine.coords`), never stored here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

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


class NodeOriginIds(Sequence[str]):
    """The ids of network nodes as origins, formatted when read: ``"osm:node/<id>"`` where the
    node came from OSM, else ``"node:<index>"``. Holds only the network's OSM ids (no copy),
    not a million strings (~60 MiB at 1M nodes). Equal to the tuple of the same strings."""

    __slots__ = ("_n", "_osm")

    def __init__(self, osm: Int64Array, n: int) -> None:
        self._osm = osm if osm.shape[0] == n else None
        self._n = n

    def __len__(self) -> int:
        return self._n

    def _one(self, i: int) -> str:
        o = -1 if self._osm is None else int(self._osm[i])
        return f"osm:node/{o}" if o >= 0 else f"node:{i}"

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[str, ...]: ...
    def __getitem__(self, i: int | slice) -> str | tuple[str, ...]:
        if isinstance(i, slice):
            return tuple(self._one(k) for k in range(*i.indices(self._n)))
        k = int(i)
        if k < 0:
            k += self._n
        if not 0 <= k < self._n:
            raise IndexError("origin index out of range")
        return self._one(k)

    def __iter__(self) -> Iterator[str]:
        return (self._one(k) for k in range(self._n))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NodeOriginIds):
            return self._n == other._n and tuple(self) == tuple(other)
        if isinstance(other, (tuple, list)):
            return len(other) == self._n and tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[NodeOriginIds], tuple[Int64Array | None, int]]:
        osm = self._osm if self._osm is not None else np.empty(0, dtype=np.int64)
        return (NodeOriginIds, (osm, self._n))

    def __repr__(self) -> str:
        return f"NodeOriginIds({self._n} nodes)"


@dataclass(frozen=True, slots=True, eq=False)
class Origins:
    """Homes / demand points, columnar. ``weight`` is population (1.0 each when not given).

    ``node`` is set when the origins *are* network nodes (no snapping needed).
    """

    origin_id: tuple[str, ...] | NodeOriginIds
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

        Ids are ``"osm:node/<id>"`` where the node came from OSM, else ``"node:<index>"``,
        formatted when read (:class:`NodeOriginIds`).
        """
        n = network.n_nodes
        return cls(
            origin_id=NodeOriginIds(np.asarray(network.node_osm_id), n),
            lon=network.node_lon,
            lat=network.node_lat,
            weight=np.ones(n, dtype=np.float64),
            node=np.arange(n, dtype=np.int64),
        )
