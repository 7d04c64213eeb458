"""The snapping index kept with a network (and in a file beside it), node origin ids on demand."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from quarterhour.engine.network import build_network
from quarterhour.engine.places import NodeOriginIds, Origins
from quarterhour.engine.reach import prepare, reach
from quarterhour.engine.snapping import EdgeIndex, kept_edge_index
from tests.engine.randomnets import random_facility, random_network


def _points(rng: np.random.Generator, net, n: int) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    x0, y0, x1, y1 = net.bounds()
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


def test_a_saved_index_snaps_exactly_as_a_new_one(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    net = random_network(rng, integer_lengths=False)
    lon, lat = _points(rng, net, 400)
    fresh = EdgeIndex(net).snap(lon, lat, max_snap_m=300.0)
    EdgeIndex(net).save(tmp_path / "edges.npz")
    back = EdgeIndex.load(tmp_path / "edges.npz", net)
    assert back.mapped and not EdgeIndex(net).mapped  # mapped from the file, not read whole
    got = back.snap(lon, lat, max_snap_m=300.0)
    assert int(np.sum(fresh.ok)) > 0 and int(np.sum(~fresh.ok)) >= 0
    for name in ("edge", "t", "offset_m", "along_m"):
        np.testing.assert_array_equal(getattr(got, name), getattr(fresh, name))
    back.release_pages()  # the pages handed back: the next snap maps them again
    again = back.snap(lon, lat, max_snap_m=300.0)
    np.testing.assert_array_equal(again.edge, fresh.edge)
    np.testing.assert_array_equal(again.along_m, fresh.along_m)
    other = replace(net, edge_length_m=net.edge_length_m * 1.01)
    with pytest.raises(ValueError, match="another network"):
        EdgeIndex.load(tmp_path / "edges.npz", other)


def test_the_kept_index_is_built_once_and_used_by_prepare(tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    net = random_network(rng, integer_lengths=False)
    facs = [random_facility(rng, net, f"f{i}") for i in range(12)]
    codes = sorted({c for f in facs for c in f.item_codes})
    origins = Origins.from_network_nodes(net)
    before = reach(net, origins, facs, item_codes=codes, limit_m=800.0)
    path = tmp_path / "net.edges.npz"
    index = kept_edge_index(net, path=path)
    assert path.exists() and kept_edge_index(net, path=path) is index
    assert prepare(net, origins, facs).routed is not None
    after = reach(net, origins, facs, item_codes=codes, limit_m=800.0)
    for c in codes:
        np.testing.assert_array_equal(after.items[c].distance_m, before.items[c].distance_m)
        np.testing.assert_array_equal(after.items[c].facility, before.items[c].facility)
    sent = pickle.loads(pickle.dumps(net))  # to another process: without the kept index
    assert sent.kept == {} and net.kept["edge_index"] is index
    np.testing.assert_array_equal(sent.edge_u, net.edge_u)
    assert sent.source == net.source
    # another process: the same network read again takes the index from the file
    again = replace(net)
    assert "edge_index" not in again.kept
    loaded = kept_edge_index(again, path=path)
    assert loaded is not index and loaded.mapped
    # a stale file (another network) is rebuilt, not used
    other = replace(net, edge_length_m=net.edge_length_m * 1.01)
    rebuilt = kept_edge_index(other, path=path)
    assert not rebuilt.mapped
    assert EdgeIndex.load(path, other).network is other


def test_node_origin_ids_are_formatted_when_read() -> None:
    net = build_network(
        [116.0, 116.001, 116.002], [39.9, 39.9, 39.9], [0, 1], [1, 2], node_osm_id=[10, -1, 30]
    )
    ids = Origins.from_network_nodes(net).origin_id
    assert isinstance(ids, NodeOriginIds)
    want = ("osm:node/10", "node:1", "osm:node/30")
    assert ids == want and ids == list(want) and tuple(ids) == want
    assert ids[-1] == "osm:node/30" and ids[1:] == ("node:1", "osm:node/30")
    assert len(ids) == 3 and "node:1" in ids and ids != ("node:0",)
    with pytest.raises(IndexError):
        ids[3]
    assert pickle.loads(pickle.dumps(ids)) == tuple(ids)
    plain = build_network([116.0, 116.001], [39.9, 39.9], [0], [1])
    assert Origins.from_network_nodes(plain).origin_id == ("node:0", "node:1")


def test_the_index_file_is_replaced_whole_never_rewritten_in_place(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    net = random_network(rng, integer_lengths=False)
    lon, lat = _points(rng, net, 300)
    want = EdgeIndex(net).snap(lon, lat, max_snap_m=300.0)
    path = tmp_path / "net.edges.npz"
    EdgeIndex(net).save(path)
    mapped = EdgeIndex.load(path, net)
    inode = path.stat().st_ino
    EdgeIndex(net).save(path)  # another process saving the same index meanwhile
    assert path.stat().st_ino != inode  # a new file renamed into place
    # the first one's mapping still reads its own (unlinked) file, unchanged
    np.testing.assert_array_equal(mapped.snap(lon, lat, max_snap_m=300.0).edge, want.edge)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.edges.npz"]  # no temporary left


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_an_unreadable_index_file_is_built_again(tmp_path: Path, damage: str) -> None:
    rng = np.random.default_rng(8)
    net = random_network(rng, integer_lengths=False)
    lon, lat = _points(rng, net, 300)
    want = EdgeIndex(net).snap(lon, lat, max_snap_m=300.0)
    path = tmp_path / "net.edges.npz"
    EdgeIndex(net).save(path)
    data = path.read_bytes()
    bad = {"truncated": data[: len(data) // 2], "garbage": b"PK\x03\x04" + b"x" * 100, "empty": b""}
    path.write_bytes(bad[damage])
    index = kept_edge_index(replace(net), path=path)
    assert not index.mapped  # built, and written back whole
    np.testing.assert_array_equal(index.snap(lon, lat, max_snap_m=300.0).edge, want.edge)
    assert EdgeIndex.load(path, net).mapped


def test_a_network_that_says_where_to_keep_its_index_snaps_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quarterhour.engine import npzfiles, snapping
    from quarterhour.engine.reach import distance_matrix

    rng = np.random.default_rng(9)
    net = random_network(rng, integer_lengths=False)
    lon, lat = _points(rng, net, 200)
    want = snapping.snap_points(net, lon, lat)
    origins = Origins.from_network_nodes(net)
    matrix = distance_matrix(net, lon[:20], lat[:20], origins, limit_m=600.0)
    path = tmp_path / "net.edges.npz"
    stored = replace(net)
    stored.kept["edge_index_path"] = path
    got = snapping.snap_points(stored, lon, lat)  # built on the first snap, written beside
    assert path.exists() and isinstance(stored.kept["edge_index"], EdgeIndex)
    np.testing.assert_array_equal(got.edge, want.edge)
    np.testing.assert_array_equal(got.along_m, want.along_m)
    again = replace(net)  # another process: read from the file, never built
    again.kept["edge_index_path"] = path

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("the edge index was built again")

    monkeypatch.setattr(snapping.EdgeIndex, "__init__", no_build)
    np.testing.assert_array_equal(snapping.snap_points(again, lon, lat).edge, want.edge)
    assert snapping.kept_index(again) is again.kept["edge_index"]
    assert (distance_matrix(again, lon[:20], lat[:20], origins, limit_m=600.0) != matrix).nnz == 0
    monkeypatch.undo()
    # a folder that cannot be written: kept in memory only, nothing left behind
    ro = replace(net)
    ro.kept["edge_index_path"] = tmp_path / "ro" / "net.edges.npz"
    (tmp_path / "ro").mkdir()

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError("read-only")

    monkeypatch.setattr(npzfiles.tempfile, "mkstemp", refuse)
    index = snapping.kept_index(ro)
    assert index is not None and not index.mapped and list((tmp_path / "ro").iterdir()) == []
    np.testing.assert_array_equal(snapping.snap_points(ro, lon, lat).edge, want.edge)
