"""The process's kept worker threads: reused call after call, made anew in a forked child,
shared by callers running at once without changing their answers."""

from __future__ import annotations

import os
import sys
import threading
import warnings
from concurrent.futures import Executor

import numpy as np
import pytest

from quarterhour.engine import _memory, _threads, snapping
from quarterhour.engine import reach as reach_module
from quarterhour.engine._threads import at_once, kept_pool
from quarterhour.engine.hierarchy import build_hierarchy
from quarterhour.engine.places import Origins
from quarterhour.engine.reach import ReachResult, prepare, reach
from quarterhour.engine.snapping import EdgeIndex
from tests.engine.oracle import random_points_near
from tests.engine.test_split_sweeps import grid, item_facilities


def test_kept_threads_serve_call_after_call() -> None:
    pool = kept_pool("test-kept", 1)
    assert kept_pool("test-kept", 1) is pool
    assert kept_pool("test-kept", 2) is not pool  # another size, another pool
    seen: list[tuple[tuple[int, int], int]] = []

    def note(r: tuple[int, int]) -> None:
        seen.append((r, threading.get_ident()))

    at_once(pool, note, [(0, 1), (1, 2)])
    at_once(pool, note, [(0, 1), (1, 2)])
    by_run = {r: [t for rr, t in seen if rr == r] for r in ((0, 1), (1, 2))}
    assert by_run[(0, 1)] == [threading.get_ident()] * 2  # the first run on the caller
    worker = by_run[(1, 2)]
    assert len(set(worker)) == 1 and worker[0] != threading.get_ident()  # one kept thread


def test_a_forked_child_makes_its_own_workers() -> None:
    """The parent's workers do not exist in a forked child: without making its own, a task
    given to a kept pool there would wait for ever (the child then exits 3 after 10 s)."""
    pool = kept_pool("test-fork", 1)
    assert pool.submit(threading.get_ident).result(timeout=10) != threading.get_ident()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # forking a threaded process
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            answer = kept_pool("test-fork", 1).submit(lambda: 42).result(timeout=10)
            os._exit(0 if answer == 42 else 2)
        except BaseException:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert _threads.kept_pool("test-fork", 1) is pool  # the parent's pool is untouched


def test_callers_at_once_share_the_kept_threads_and_answer_as_alone() -> None:
    """Two runs at once on two threads (homes enough that the snap cuts them among threads,
    two passes of lanes, results made ahead) answer bit for bit as each run alone."""
    rng = np.random.default_rng(3)
    net = grid(rng, 30)
    codes = [f"i{j}" for j in range(20)]  # two passes
    facilities = item_facilities(rng, net, codes, 150)
    lon, lat = random_points_near(net, 25_000, seed=4)
    homes = Origins.from_points([f"h{i}" for i in range(lon.shape[0])], lon, lat)
    h = build_hierarchy(net, bound_m=700.0, parts=2)

    def run(origins: Origins) -> ReachResult:
        prep = prepare(net, origins, facilities, hierarchy=h)
        return reach(
            net, origins, facilities, item_codes=codes, limit_m=600.0, workers=2, prepared=prep
        )

    kinds = (Origins.from_network_nodes(net), homes)
    alone = [run(o) for o in kinds]
    together: list[ReachResult | BaseException | None] = [None, None]

    def run_into(k: int) -> None:
        try:
            together[k] = run(kinds[k])
        except BaseException as exc:  # reported below
            together[k] = exc

    callers = [threading.Thread(target=run_into, args=(k,)) for k in (0, 1)]
    for t in callers:
        t.start()
    for t in callers:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in callers)
    for want, got in zip(alone, together, strict=True):
        assert isinstance(got, ReachResult), got
        for c in codes:
            assert np.array_equal(got.items[c].distance_m, want.items[c].distance_m, equal_nan=True)
            assert np.array_equal(got.items[c].facility, want.items[c].facility)
    assert np.isfinite(alone[1].items["i0"].distance_m).mean() > 0.3


def test_points_cut_among_threads_snap_as_in_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each snapping thread projects and orders its own run of the points: the answers are
    those of one run over all of them, bit for bit (points far off and not finite too)."""
    rng = np.random.default_rng(8)
    net = grid(rng, 30)
    lon, lat = random_points_near(net, 3_000, seed=6, spread_deg=0.004)
    lon[::97] += 0.05  # far from every edge: no snap
    lat[::89] = np.nan
    index = EdgeIndex(net)
    monkeypatch.setattr(snapping, "_POINTS_PER_THREAD", 10**9)
    one = index.snap(lon, lat, max_snap_m=150.0)
    monkeypatch.setattr(snapping, "_POINTS_PER_THREAD", 50)
    monkeypatch.setattr(os, "cpu_count", lambda: 7)
    assert len(snapping._chunks(lon.shape[0])) == 8  # seven runs
    cut = index.snap(lon, lat, max_snap_m=150.0)
    for a, b in ((one.edge, cut.edge), (one.t, cut.t), (one.offset_m, cut.offset_m)):
        assert np.array_equal(a, b, equal_nan=True)
    assert np.array_equal(one.along_m, cut.along_m, equal_nan=True)
    assert 0.5 < (one.edge >= 0).mean() < 0.99


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value")
def test_background_threads_run_at_the_lowest_priority() -> None:
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    pool = kept_pool("test-background", 1, background=True)
    theirs = pool.submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    assert theirs.result(timeout=10) == 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine  # not the caller's


def test_a_run_neither_waits_for_its_results_pages_nor_keeps_them_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pages of results made ahead are a hint to a background thread. With that thread held
    up for the whole test (a busy machine), the run ends all the same, with the same answers
    (its own writes make the pages); and once its answers are dropped, their memory comes
    back at once: the queued page tasks keep none of it."""
    rng = np.random.default_rng(12)
    net = grid(rng, 30)
    codes = [f"i{j}" for j in range(20)]  # two passes: results made ahead
    facilities = item_facilities(rng, net, codes, 150)
    origins = Origins.from_network_nodes(net)
    h = build_hierarchy(net, bound_m=700.0, parts=2)

    def run() -> ReachResult:
        prep = prepare(net, origins, facilities, hierarchy=h)
        return reach(
            net, origins, facilities, item_codes=codes, limit_m=600.0, workers=2, prepared=prep
        )

    want = run()
    kept = _memory._Dropped(1 << 30)
    monkeypatch.setattr(_memory, "_DROPPED", kept)
    monkeypatch.setattr(_memory, "_PLAIN_MIN_BYTES", 0)  # results in mappings of their own
    asked: list[int] = []
    real = reach_module.make_resident_later

    def asking(pool: Executor, *arrays: np.ndarray) -> None:
        asked.append(len(arrays))
        real(pool, *arrays)

    monkeypatch.setattr(reach_module, "make_resident_later", asking)
    pager = kept_pool("pages", 1, background=True)
    release = threading.Event()
    pager.submit(release.wait, 60)  # everything asked of it waits behind this
    try:
        got: list[ReachResult] = []
        caller = threading.Thread(target=lambda: got.append(run()))
        caller.start()
        caller.join(timeout=30)
        assert not caller.is_alive() and got
        assert asked  # the pages were asked for
        for c in codes:
            a, b = got[0].items[c], want.items[c]
            assert np.array_equal(a.distance_m, b.distance_m, equal_nan=True)
            assert np.array_equal(a.facility, b.facility)
        n_bytes = sum(
            got[0].items[c].distance_m.nbytes + got[0].items[c].facility.nbytes for c in codes
        )
        got.clear()
        del a, b
        assert kept.held_bytes() == n_bytes  # all given back while its page tasks still wait
    finally:
        release.set()
    pager.submit(lambda: None).result(timeout=60)
