"""Facilities grouped by item: the same indices as a plain loop over the facilities."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from quarterhour.engine.facility_items import facilities_by_item
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
