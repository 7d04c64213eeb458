"""Facilities grouped by item: the same indices as a plain loop over the facilities, whether
grouped on each call or kept as columns (:class:`IndexedFacilities`)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quarterhour.engine.facility_items import (
    IndexedFacilities,
    facilities_by_item,
    facility_coordinates,
    indexed,
)
from quarterhour.engine.places import Facility

CODES = ["a", "b", "c", "d"]


def plain(facilities: list[Facility], codes: list[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {c: [] for c in codes}
    for i, f in enumerate(facilities):
        for c in dict.fromkeys(f.item_codes):
            if c in out:
                out[c].append(i)
    return out


def fac(i: int, codes: tuple[str, ...]) -> Facility:
    return Facility(f"f{i}", f"设施{i}", 116.0, 39.9, codes)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from([*CODES, "x", "y"]), max_size=4), max_size=40),
    st.lists(st.sampled_from([*CODES, "z"]), min_size=0, max_size=5),
)
def test_same_as_a_plain_loop(per: list[list[str]], asked: list[str]) -> None:
    facilities = [fac(i, tuple(c)) for i, c in enumerate(per)]
    got = facilities_by_item(facilities, asked)
    want = plain(facilities, list(dict.fromkeys(asked)))
    assert set(got) == set(want)
    for code, idx in want.items():
        assert got[code].dtype == np.int64
        assert got[code].tolist() == idx


def test_a_code_listed_twice_counts_once_and_unknown_codes_are_empty() -> None:
    facilities = [fac(0, ("a", "a", "b")), fac(1, ("b",)), fac(2, ())]
    got = facilities_by_item(facilities, ["b", "a", "q"])
    assert got["a"].tolist() == [0]
    assert got["b"].tolist() == [0, 1]
    assert got["q"].tolist() == []
    assert facilities_by_item([], ["a"])["a"].tolist() == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from([*CODES, "x", "y"]), max_size=4), max_size=40),
    st.lists(st.sampled_from([*CODES, "z"]), min_size=0, max_size=5),
    st.lists(st.floats(-180, 180), min_size=40, max_size=40),
)
def test_kept_columns_answer_as_the_objects_do(
    per: list[list[str]], asked: list[str], lons: list[float]
) -> None:
    facilities = [
        Facility(f"f{i}", f"设施{i}", lons[i], lons[i] / 4.0, tuple(c)) for i, c in enumerate(per)
    ]
    kept = indexed(facilities)
    want = facilities_by_item(facilities, asked)
    got = facilities_by_item(kept, asked)
    assert list(got) == list(want)
    for code, idx in want.items():
        assert got[code].dtype == np.int64 and got[code].tolist() == idx.tolist()
    lon, lat = facility_coordinates(kept)
    plain_lon, plain_lat = facility_coordinates(facilities)
    assert lon.tolist() == plain_lon.tolist() == [f.lon for f in facilities]
    assert lat.tolist() == plain_lat.tolist() == [f.lat for f in facilities]


def test_kept_columns_are_a_tuple_of_the_facilities_read_only_and_pickled_whole() -> None:
    facilities = [fac(0, ("a", "a", "b")), fac(1, ("b",)), fac(2, ())]
    kept = indexed(facilities)
    assert kept == tuple(facilities) and isinstance(kept, tuple) and len(kept) == 3
    assert indexed(kept) is kept
    assert kept[1:] == tuple(facilities[1:])
    for column in (kept.lon, kept.lat, kept.by_code["b"]):
        with pytest.raises(ValueError, match="read-only"):
            column[0] = 0
    with pytest.raises(TypeError):
        kept.by_code["q"] = np.empty(0, dtype=np.int64)  # type: ignore[index]
    back = pickle.loads(pickle.dumps(kept))
    assert isinstance(back, IndexedFacilities) and back == kept
    assert back.by_code["b"].tolist() == [0, 1] and back.lon.tolist() == kept.lon.tolist()
    assert indexed([]).by_code == {} and facilities_by_item(indexed([]), ["a"])["a"].size == 0
