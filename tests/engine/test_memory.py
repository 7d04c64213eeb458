"""Arrays for the sweeps: fresh ones in their own mapping, pages made before they are returned;
results in the memory of dropped ones."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from quarterhour.engine import _memory
from quarterhour.engine._memory import _Dropped, fresh_array, make_resident, reused_array
from quarterhour.engine.hierarchy import build_hierarchy
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.reach import ReachResult, prepare, reach
from tests.engine.oracle import random_points_near
from tests.engine.test_reach_oracle import random_planar_network


def _resident_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_a_fresh_array_is_resident_when_returned() -> None:
    before = _resident_bytes()
    a = fresh_array((4, 1 << 20), np.float64)  # 32 MiB, never written
    grown = _resident_bytes() - before
    assert a.shape == (4, 1 << 20) and a.dtype == np.float64 and a.flags.writeable
    assert grown >= 0.95 * a.nbytes
    a[:] = 1.5
    assert float(a.sum()) == 1.5 * a.size


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_pages_left_to_later_are_made_by_make_resident_without_changing_a_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_memory, "_DROPPED", _Dropped(1 << 30))
    before = _resident_bytes()
    a = reused_array((4, 1 << 20), np.float64, resident=False)  # 32 MiB
    assert _resident_bytes() - before < 0.1 * a.nbytes  # no pages yet
    a[0] = 2.5  # a quarter written first: those pages are made by the writes
    make_resident(a)
    assert _resident_bytes() - before >= 0.95 * a.nbytes
    assert (a[0] == 2.5).all() and not a[1:].any()  # the written kept, the rest zero
    small = np.arange(10.0)[1:]  # not on a page of its own: left alone
    make_resident(small)
    assert small.tolist() == list(range(1, 10))


def test_small_arrays_are_ordinary_numpy_arrays() -> None:
    a = fresh_array(10, np.int32)
    a[:] = np.arange(10)
    assert a.tolist() == list(range(10))


def _homes(net: WalkNetwork) -> Origins:
    lon, lat = random_points_near(net, 300, seed=9)
    return Origins.from_points([f"h{i}" for i in range(300)], lon, lat)


def _address(a: np.ndarray) -> int:
    return int(a.__array_interface__["data"][0])


def test_a_dropped_result_lends_its_memory_to_the_next_of_its_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = _Dropped(3 * 8000)
    monkeypatch.setattr(_memory, "_DROPPED", kept)
    monkeypatch.setattr(_memory, "_PLAIN_MIN_BYTES", 0)
    a = reused_array((2, 500), np.float64)
    at_a = _address(a)
    row = a[1]  # a row outlives the array it came from: nothing is lent while it lives
    del a
    assert kept.held_bytes() == 0
    b = reused_array((2, 500), np.float64)
    at_b = _address(b)
    assert at_b != at_a
    row[:] = 4.0
    del b
    assert kept.held_bytes() == 8000
    del row
    assert kept.held_bytes() == 2 * 8000
    c = reused_array((2, 500), np.float64)  # the last one given back first
    assert _address(c) == at_a and kept.held_bytes() == 8000
    d = reused_array((2, 500), np.float64)
    assert _address(d) == at_b and kept.held_bytes() == 0
    del c, d
    assert kept.held_bytes() == 2 * 8000
    # another type, though as large: none kept, so the kept ones are given back, a fresh one made
    ints = reused_array((2, 500), np.int64)
    at_ints = _address(ints)
    assert kept.held_bytes() == 0
    del ints
    again = reused_array((2, 500), np.int64)
    assert _address(again) == at_ints and kept.held_bytes() == 0
    del again
    # at most max_bytes: the oldest go first
    four = [reused_array((2, 500), np.float64) for _ in range(4)]  # the int64 one given back
    at_four = [_address(x) for x in four]
    assert kept.held_bytes() == 0
    while four:  # dropped in the order made: the first (the oldest given back) goes
        four.pop(0)
    assert kept.held_bytes() == 3 * 8000
    newest = reused_array((2, 500), np.float64)
    assert _address(newest) == at_four[3] and kept.held_bytes() == 2 * 8000
    assert _address(reused_array((2, 500), np.float64)) == at_four[2]  # and given back at once
    del newest
    assert kept.held_bytes() == 3 * 8000
    big = reused_array((4, 1000), np.float64)  # larger than all that may be kept: not kept
    assert kept.held_bytes() == 0
    del big
    assert kept.held_bytes() == 0


def test_an_array_given_back_while_the_lock_is_held_does_not_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A lease can end in a garbage collection inside ``take`` (the lock held by this thread):
    the array is kept once the lock is free, and nothing waits."""
    kept = _Dropped(3 * 8000)
    monkeypatch.setattr(_memory, "_DROPPED", kept)
    monkeypatch.setattr(_memory, "_PLAIN_MIN_BYTES", 0)
    held = [reused_array((2, 500), np.float64)]
    at_a = _address(held[0])

    def drop_inside() -> None:
        with kept._lock:
            held.clear()  # the lease ends here; giving back must not wait for the lock

    t = threading.Thread(target=drop_inside, daemon=True)
    t.start()
    t.join(timeout=10)
    assert not t.is_alive()
    assert kept.held_bytes() == 8000
    assert _address(reused_array((2, 500), np.float64)) == at_a


def test_reach_answers_the_same_in_reused_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run's results made in a dropped run's memory (poisoned first) equal fresh ones."""
    monkeypatch.setattr(_memory, "_DROPPED", _Dropped(1 << 30))
    monkeypatch.setattr(_memory, "_PLAIN_MIN_BYTES", 0)
    net = random_planar_network(5)
    flon, flat = random_points_near(net, 40, seed=2)
    facilities = [
        Facility(f"f{i}", f"f{i}", float(x), float(y), ("a", "b") if i % 3 else ("c",))
        for i, (x, y) in enumerate(zip(flon, flat, strict=True))
    ]
    h = build_hierarchy(net, bound_m=1200.0)
    codes = ["a", "b", "c"]
    for origins in (Origins.from_network_nodes(net), _homes(net)):
        for workers in (1, 2):

            def run() -> ReachResult:
                prep = prepare(net, origins, facilities, hierarchy=h)  # noqa: B023
                return reach(
                    net,
                    origins,  # noqa: B023
                    facilities,
                    item_codes=codes,
                    limit_m=1000.0,
                    workers=workers,  # noqa: B023
                    prepared=prep,
                )

            first = run()
            want = {
                c: (first.items[c].distance_m.copy(), first.items[c].facility.copy()) for c in codes
            }
            used = {_address(first.items[c].distance_m) for c in codes}
            meanwhile = run()  # while the first run's answers are held, none of their memory
            assert not {_address(meanwhile.items[c].distance_m) for c in codes} & used
            for c in codes:
                np.testing.assert_array_equal(first.items[c].distance_m, want[c][0])
            del meanwhile
            for c in codes:  # poison what the next run will be lent
                first.items[c].distance_m[:] = -7.0
                first.items[c].facility[:] = 123456
            del first
            second = run()
            assert {_address(second.items[c].distance_m) for c in codes} <= used
            for c in codes:
                np.testing.assert_array_equal(second.items[c].distance_m, want[c][0])
                np.testing.assert_array_equal(second.items[c].facility, want[c][1])
            assert np.isfinite(want["a"][0]).sum() > 0.5 * len(origins)
