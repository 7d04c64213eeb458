"""Background assessments tile by tile: the whole-network answer, a facility change recomputing
only the tiles near it, the kept state, and tiles on a Dask cluster.

The world is the hand-made grid of ``test_assessment`` (2 km × 1 km, nodes every 50 m) with more
facilities, some between nodes (they split their street). The whole city is assessed with
250 m tiles: the grid's cells start at the westmost node (x = 25 m), so the communities fill 16
tiles — a1x and a2x (x < 525 m) 8 of them, a1y 4, b1x 4. The walk limit is 1025 m and the snap
distance 300 m, so a facility changes only the tiles within about 1.33 km of it: one in the
far east corner of b1x (x 1975 m) leaves the 8 western tiles (nearest point x = 525 m) alone.
"""

from __future__ import annotations

import pickle
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from quarterhour.engine import reach
from quarterhour.platform.facilities.services import facility_create, facility_delete
from quarterhour.platform.planning import assessment, tiles
from quarterhour.platform.planning.models import (
    AssessmentRun,
    CircleItemResult,
    CircleResult,
    CommunityItemResult,
    CommunityResult,
)
from quarterhour.platform.planning.services import assessment_request
from quarterhour.platform.planning.worker import work
from tests.platform.helpers import lonlat
from tests.platform.planning.helpers import run_city


def results(run: AssessmentRun) -> dict[str, Any]:
    """Everything stored for the run, by community / circle code and item."""
    return {
        "communities": {
            r.community.code: (r.population, r.n_origins, r.items_met, r.missing, r.note)
            for r in CommunityResult.objects.filter(run=run).select_related("community")
        },
        "community_items": {
            (r.community.code, r.item_code): (r.share, r.median_min, r.p90_min, r.met)
            for r in CommunityItemResult.objects.filter(run=run).select_related("community")
        },
        "circles": {
            r.circle.code: (r.population, r.items_met, r.missing, r.demonstration)
            for r in CircleResult.objects.filter(run=run).select_related("circle")
        },
        "circle_items": {
            (r.circle.code, r.item_code): (r.share, r.median_min, r.p90_min, r.met)
            for r in CircleItemResult.objects.filter(run=run).select_related("circle")
        },
    }


def state_files(settings: Any) -> list[Path]:
    return sorted((Path(settings.DATA_DIR) / "assessment-state").iterdir())


def fresh_full_run(world: Any, settings: Any, tmp_path: Path) -> AssessmentRun:
    """The same inputs assessed with no kept state at all."""
    settings.QH_STATE_DIR = tmp_path / "elsewhere"
    run = run_city(world)
    assert run.tiles_computed == run.tiles_total
    settings.QH_STATE_DIR = None
    return run


def test_tiles_give_the_whole_network_answer(tiled_world: Any, monkeypatch: Any) -> None:
    w = tiled_world
    whole_dist: dict[str, np.ndarray] = {}
    tiled_dist: dict[str, np.ndarray] = {}

    def whole_network(run: Any, network: Any, origins: Any, facilities: Any, **kw: Any) -> Any:
        """The path before tiles: one reach over the whole network."""
        r = reach.reach(
            network,
            origins,
            facilities,
            item_codes=kw["item_codes"],
            limit_m=run.limit_m,
            workers=kw["workers"],
            progress=kw["progress"],
        )
        whole_dist.update({c: r.items[c].distance_m for c in kw["item_codes"]})
        return tiles.TiledReach(dict(whole_dist), tiles_total=0, tiles_computed=0)

    with monkeypatch.context() as m:
        m.setattr(assessment, "tiled_reach", whole_network)
        old = run_city(w)
    real = tiles.tiled_reach

    def spy(*args: Any, **kw: Any) -> Any:
        out = real(*args, **kw)
        tiled_dist.update(out.distance_m)
        return out

    monkeypatch.setattr(assessment, "tiled_reach", spy)
    new = run_city(w)
    assert new.tiles_total == 16 and new.tiles_computed == 16
    assert set(whole_dist) == set(tiled_dist) and len(whole_dist) == 23
    for code, d in whole_dist.items():
        assert np.array_equal(d, tiled_dist[code], equal_nan=True), code
    reachable = sum(int(np.isfinite(d).sum()) for d in whole_dist.values())
    assert reachable > 2000  # the answer is not trivially empty
    assert results(new) == results(old)
    assert results(new)["community_items"][("110102001002", "station.health")][0] == pytest.approx(
        100 / 390
    )  # by frontage, see test_assessment


def test_one_facility_added_recomputes_only_nearby_tiles(
    tiled_world: Any, settings: Any, tmp_path: Path
) -> None:
    w = tiled_world
    first = run_city(w)
    assert (first.tiles_computed, first.tiles_total) == (16, 16)
    [kept] = state_files(settings)
    assert kept.name.startswith("city--network-")
    lon, lat = lonlat(1975, 25)
    facility_create(
        actor=w.users["city"],
        key="test:new-phone",
        name="东华门营业厅",
        lon=lon,
        lat=lat,
        community=w.b1x,
        item_codes=["shop.phone"],
    )
    second = run_city(w)
    assert (second.tiles_computed, second.tiles_total) == (8, 16)
    assert second.tiles_reused == 8
    after = results(second)
    # the new phone shop serves b1x, which had none within reach
    assert results(first)["community_items"][("110101001001", "shop.phone")][0] == 0.0
    assert after["community_items"][("110101001001", "shop.phone")][0] > 0.5
    assert after == results(fresh_full_run(w, settings, tmp_path))
    assert state_files(settings) == [kept]  # rewritten in place, no temporary file left


def test_one_facility_removed_recomputes_only_nearby_tiles(
    tiled_world: Any, settings: Any, tmp_path: Path
) -> None:
    w = tiled_world
    first = run_city(w)
    facility_delete(actor=w.users["city"], facility=w.fB1, reason="停业")
    second = run_city(w)
    # fB1 (1775, 275) is farther than 1.33 km only from the westmost column's 4 tiles
    # (x < 275 m) and from the north-west corner of the next column (1346 m away)
    assert (second.tiles_computed, second.tiles_total) == (11, 16)
    after = results(second)
    assert after != results(first)
    assert after["community_items"][("110102001002", "station.health")][0] == 0.0
    assert after == results(fresh_full_run(w, settings, tmp_path))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other settings", "not ours"])
def test_a_bad_state_file_means_a_full_run(
    tiled_world: Any, settings: Any, tmp_path: Path, damage: str
) -> None:
    w = tiled_world
    first = run_city(w)
    [path] = state_files(settings)
    if damage == "garbage":
        path.write_bytes(b"\x00not a pickle at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "other settings":
        saved = pickle.loads(path.read_bytes())
        path.write_bytes(pickle.dumps(tiles.SavedTiles("0" * 32, saved.answers)))
    else:
        path.write_bytes(pickle.dumps({"outputs": {}}))
    second = run_city(w)
    assert (second.tiles_computed, second.tiles_total) == (16, 16)
    assert results(second) == results(first)
    # and the run left a good file: the next one reuses every tile
    third = run_city(w)
    assert (third.tiles_computed, third.tiles_total) == (0, 16)
    assert results(third) == results(first)


def test_settings_decide_whether_tiles_are_reused(tiled_world: Any, settings: Any) -> None:
    w = tiled_world
    run_city(w)
    [first] = state_files(settings)
    settings.QH_TILE_M = 400.0  # other tiles: nothing to reuse
    other = run_city(w)
    assert other.tiles_computed == other.tiles_total
    [path] = state_files(settings)  # one file per scope: the newest settings
    assert path != first
    again = run_city(w)
    assert again.tiles_computed == 0
    assert path.exists()


def test_the_run_page_says_how_many_tiles_were_recomputed(tiled_world: Any, client: Any) -> None:
    w = tiled_world
    run_city(w)
    lon, lat = lonlat(1975, 25)
    facility_create(
        actor=w.users["city"],
        key="test:new-phone",
        name="东华门营业厅",
        lon=lon,
        lat=lat,
        community=w.b1x,
        item_codes=["shop.phone"],
    )
    run = run_city(w)
    client.force_login(w.users["city"])
    page = client.get(f"/assessments/{run.pk}/").content.decode()
    assert "重算 8/16 个分块" in page and "8 个沿用上次结果" in page
    client.cookies["django_language"] = "en"
    page = client.get(f"/assessments/{run.pk}/").content.decode()
    assert "recomputed 8 of 16 tiles" in page and "8 reused from the previous run" in page
    progress = client.get(f"/assessments/{run.pk}/progress").json()
    assert (progress["tiles_computed"], progress["tiles_total"]) == (8, 16)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_tiles_on_a_dask_cluster_give_the_same_answer(tiled_world: Any, settings: Any) -> None:
    import distributed

    w = tiled_world
    here = results(run_city(w))
    settings.QH_STATE_DIR = Path(settings.DATA_DIR) / "cluster-state"
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        dashboard_address=":0",  # any free port: another cluster may hold 8787
    ) as cluster:
        settings.QH_DASK_SCHEDULER = cluster.scheduler_address
        on_cluster = run_city(w)
    assert (on_cluster.tiles_computed, on_cluster.tiles_total) == (16, 16)
    assert results(on_cluster) == here


def test_a_scheduler_that_does_not_answer_fails_the_run_and_stores_nothing(
    tiled_world: Any, settings: Any
) -> None:
    w = tiled_world
    first = run_city(w)
    [path] = state_files(settings)
    before = path.read_bytes()
    facility_delete(actor=w.users["city"], facility=w.fB1)
    settings.QH_DASK_SCHEDULER = f"tcp://127.0.0.1:{free_port()}"
    settings.QH_DASK_TIMEOUT_S = 1.0
    run = assessment_request(actor=w.users["city"], speed_kmh=4.1)
    assert work(once=True) == 1
    run.refresh_from_db()
    assert run.status == AssessmentRun.Status.FAILED
    assert run.error_code == "scheduler_unreachable"
    assert "无法连接 Dask 调度器" in run.error_message
    assert "did not answer" in run.error_message
    assert not CommunityResult.objects.filter(run=run).exists()
    assert not CommunityItemResult.objects.filter(run=run).exists()
    assert not CircleResult.objects.filter(run=run).exists()
    latest = CommunityResult.objects.filter(is_latest=True).values_list("run_id", flat=True)
    assert set(latest) == {first.pk}
    assert (run.tiles_total, run.tiles_computed) == (0, 0)
    assert [p.name for p in state_files(settings)] == [path.name]
    assert path.read_bytes() == before
