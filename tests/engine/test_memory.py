"""Fresh arrays for the sweeps: their own mapping, its pages made before they are returned."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from quarterhour.engine._memory import fresh_array


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


def test_small_arrays_are_ordinary_numpy_arrays() -> None:
    a = fresh_array(10, np.int32)
    a[:] = np.arange(10)
    assert a.tolist() == list(range(10))
