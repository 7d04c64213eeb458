"""Which facilities serve each item: the facilities' indices grouped by item code, and their
coordinates as columns.

One pass over the facilities' ``item_codes`` in C-level iterators (attribute getter, ``len``,
``chain``, dict lookups through ``map``) and one stable sort, instead of a Python loop that
appends index by index: at 1M nodes (323k facilities, 30 items) 77-102 ms -> see
:func:`facilities_by_item`'s figures in the README (note 15).

Where a register is read once and walked many times (a planning run, a worker answering one
what-if after another, the benchmarks), :class:`IndexedFacilities` does that pass once: the
facilities as a tuple, with their coordinates and every code's group kept beside them, so a run
reads columns instead of walking tens of thousands of objects (README note 19).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from operator import attrgetter
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from quarterhour.engine.places import Facility

Int64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_codes_of = attrgetter("item_codes")
_lon_of = attrgetter("lon")
_lat_of = attrgetter("lat")
_NONE: Int64Array = np.empty(0, dtype=np.int64)
_NONE.flags.writeable = False


class IndexedFacilities(tuple[Facility, ...]):
    """Facilities, with the columns a run reads made once: ``lon`` and ``lat`` (float64, one per
    facility) and ``by_code`` (every item code any of them serves -> the indices, increasing, of
    the facilities serving it). A tuple of the same facilities in every other respect (equal to
    it, accepted wherever a sequence of facilities is); the columns are read-only and cannot go
    stale, the facilities being frozen. Made with :func:`indexed`."""

    lon: FloatArray
    lat: FloatArray
    by_code: Mapping[str, Int64Array]

    def __new__(cls, facilities: Iterable[Facility] = ()) -> IndexedFacilities:
        self = super().__new__(cls, facilities)
        n = len(self)
        self.lon = _frozen(np.fromiter(map(_lon_of, self), dtype=np.float64, count=n))
        self.lat = _frozen(np.fromiter(map(_lat_of, self), dtype=np.float64, count=n))
        codes = dict.fromkeys(chain.from_iterable(map(_codes_of, self)))
        groups = _group(self, list(codes))
        self.by_code = MappingProxyType({c: _frozen(g) for c, g in groups.items()})
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as its facilities; columns made again
        return (IndexedFacilities, (tuple(self),))


def indexed(facilities: Iterable[Facility]) -> IndexedFacilities:
    """``facilities`` with their columns (the same object when they already have them)."""
    if isinstance(facilities, IndexedFacilities):
        return facilities
    return IndexedFacilities(facilities)


def facility_coordinates(facilities: Sequence[Facility]) -> tuple[FloatArray, FloatArray]:
    """The facilities' longitudes and latitudes as arrays (read-only when kept columns)."""
    if isinstance(facilities, IndexedFacilities):
        return facilities.lon, facilities.lat
    n = len(facilities)
    return (
        np.fromiter(map(_lon_of, facilities), dtype=np.float64, count=n),
        np.fromiter(map(_lat_of, facilities), dtype=np.float64, count=n),
    )


def _frozen(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a.flags.writeable = False
    return a


def facilities_by_item(
    facilities: Sequence[Facility], item_codes: Sequence[str]
) -> dict[str, Int64Array]:
    """For every code of ``item_codes``, the indices (increasing) of the facilities that serve
    it; a facility listing a code twice is listed once. Codes not asked for are ignored.
    Kept columns (:class:`IndexedFacilities`) are read, not made again (read-only arrays)."""
    if isinstance(facilities, IndexedFacilities):
        return {c: facilities.by_code.get(c, _NONE) for c in dict.fromkeys(item_codes)}
    return _group(facilities, list(dict.fromkeys(item_codes)))


def _group(facilities: Sequence[Facility], wanted: list[str]) -> dict[str, Int64Array]:
    n = len(facilities)
    per = list(map(_codes_of, facilities))
    counts = np.fromiter(map(len, per), dtype=np.int64, count=n)
    flat = list(chain.from_iterable(per))
    number = dict.fromkeys(set(flat), -1)  # every code seen; those not asked for stay -1
    number.update((c, k) for k, c in enumerate(wanted) if c in number)
    code_no = np.fromiter(map(number.__getitem__, flat), dtype=np.int64, count=len(flat))
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    keep = code_no >= 0
    code_no, owner = code_no[keep], owner[keep]
    order = np.argsort(code_no, kind="stable")  # by code, each code's owners still increasing
    code_no, owner = code_no[order], owner[order]
    cuts = np.searchsorted(code_no, np.arange(len(wanted) + 1))
    out: dict[str, Int64Array] = {}
    for k, code in enumerate(wanted):
        idx = owner[cuts[k] : cuts[k + 1]]
        if idx.size > 1 and (idx[1:] == idx[:-1]).any():  # a code listed twice by one facility
            idx = np.unique(idx)
        out[code] = idx
    return out
