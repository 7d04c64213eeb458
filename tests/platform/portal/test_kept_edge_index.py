"""The snapping index kept beside a stored network: built on the first "near me" after a start,
read back (never built again) by the next process, built again when the file is unreadable or
the network file changed; the answers are those of an index built in the request."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from quarterhour.engine import snapping
from quarterhour.platform.planning import networks
from quarterhour.platform.planning.models import WalkNetworkFile
from quarterhour.platform.portal import walking
from tests.platform.portal.helpers import hits, near

#: near-me from (275, 25) on the grid: the answer of an index built in the request
WANT = [("长安药房", 250.0), ("日间照料室", 550.0)]


def _new_process() -> None:
    """Forget what this process loaded (as a new gunicorn worker starts)."""
    networks._load.cache_clear()
    walking._walk.clear()
    walking._snaps.clear()
    walking._for_version.clear()
    walking._bounds.clear()


def _network_file() -> Path:
    record = WalkNetworkFile.objects.get()
    return Path(settings.DATA_DIR) / record.path


def _kept_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.stem}.edges-*.npz"))


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the edge index was built again")

    monkeypatch.setattr(snapping.EdgeIndex, "__init__", fail)


@pytest.fixture
def fresh(hsds_world):  # type: ignore[no-untyped-def]
    _new_process()
    yield hsds_world
    _new_process()


def test_the_first_near_me_keeps_the_index_and_the_next_process_reads_it(
    client, fresh, monkeypatch
):  # type: ignore[no-untyped-def]
    path = _network_file()
    assert _kept_files(path) == []
    assert hits(near(client, 275, 25)) == WANT
    (kept,) = _kept_files(path)
    st = path.stat()
    assert kept.name == f"{path.stem}.edges-{st.st_size}-{st.st_mtime_ns}.npz"
    assert not walking.walk_data().index.mapped  # built in this process
    _new_process()
    _no_build(monkeypatch)
    assert hits(near(client, 275, 25)) == WANT
    assert walking.walk_data().index.mapped  # read from the file, never built
    assert _kept_files(path) == [kept]


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_an_unreadable_index_file_is_built_again_not_an_error(client, fresh, damage):  # type: ignore[no-untyped-def]
    near(client, 275, 25)
    (kept,) = _kept_files(_network_file())
    data = kept.read_bytes()
    kept.write_bytes(data[: len(data) // 3] if damage == "truncated" else b"not an index")
    _new_process()
    assert hits(near(client, 275, 25)) == WANT
    index = walking.walk_data().index
    assert not index.mapped
    assert snapping.EdgeIndex.load(kept, index.network).mapped  # written back whole


def test_a_changed_network_file_never_reads_the_former_index(client, fresh, monkeypatch):  # type: ignore[no-untyped-def]
    path = _network_file()
    near(client, 275, 25)
    (old,) = _kept_files(path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    _new_process()
    built = []
    init = snapping.EdgeIndex.__init__

    def counted(self, network, **kw):  # type: ignore[no-untyped-def]
        built.append(network.n_edges)
        init(self, network, **kw)

    monkeypatch.setattr(snapping.EdgeIndex, "__init__", counted)
    assert hits(near(client, 275, 25)) == WANT
    assert len(built) == 1
    (new,) = _kept_files(path)  # the stale one removed
    assert new != old and not old.exists()


def test_a_read_only_data_folder_keeps_the_index_in_memory(client, fresh, monkeypatch):  # type: ignore[no-untyped-def]
    from quarterhour.engine import npzfiles

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError("read-only")

    monkeypatch.setattr(npzfiles.tempfile, "mkstemp", refuse)
    assert hits(near(client, 275, 25)) == WANT
    assert _kept_files(_network_file()) == []
    index = walking.walk_data().index
    _no_build(monkeypatch)
    assert hits(near(client, 300, 25)) and walking.walk_data().index is index
