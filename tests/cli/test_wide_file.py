"""The audit's hostile spreadsheet on the command line: a ~1 MB XLSX whose 200,000 rows reach
column XFD is refused with exit code 2 and a clear message, in seconds, the process staying
under 300 MiB (measured in a subprocess of its own: its peak resident memory, ``VmHWM`` of
``/proc/self/status`` — ``getrusage``'s ``ru_maxrss`` would count the forking test process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.wide_xlsx import write_wide_xlsx

FIXTURE_NETWORK = Path(__file__).resolve().parents[1] / "fixtures" / "osm" / "policy.osm"
MAX_RSS_MIB = 300
#: the command's run, its lazy imports included (Python's own start left out); the refusal
#: itself takes well under a second (tests/engine/test_table_limits.py), the rest is imports
#: on a machine shared with others
MAX_SECONDS = 30.0

#: run the command line in this process and report its peak memory and its time
WRAPPER = """
import sys, time
from quarterhour.cli import main
t0 = time.perf_counter()
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
seconds = time.perf_counter() - t0
with open("/proc/self/status") as fh:
    rss = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
print(f"MEASURED rss_kib={rss} seconds={seconds:.2f}", file=sys.stderr)
sys.exit(code)
"""


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_wide_xlsx(tmp_path_factory.mktemp("wide") / "台账.xlsx", declare=False)


def run_measured(args: list[str], tmp: Path) -> tuple[int, str, float, float]:
    env = {
        **os.environ,
        "QUARTERHOUR_DATA_DIR": str(tmp / "data"),
        "DATABASE_URL": f"sqlite:///{tmp / 'never-opened.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MEASURED"))
    fields = dict(part.split("=") for part in line.split()[1:])
    return done.returncode, done.stderr, int(fields["rss_kib"]) / 1024, float(fields["seconds"])


def test_assess_refuses_the_wide_register(wide: Path, tmp_path: Path) -> None:
    code, err, rss_mib, seconds = run_measured(
        ["assess", "--network", str(FIXTURE_NETWORK), "--facilities", str(wide),
         "--out", str(tmp_path / "out")],
        tmp_path,
    )  # fmt: skip
    assert code == 2, err
    assert "第 XFD 列" in err and "256 列" in err
    assert rss_mib < MAX_RSS_MIB and seconds < MAX_SECONDS, (rss_mib, seconds)
    assert not (tmp_path / "out").exists()


def test_import_facilities_refuses_the_wide_register(wide: Path, tmp_path: Path) -> None:
    code, err, rss_mib, seconds = run_measured(
        ["manage", "import_facilities", str(wide), "--for", "city"], tmp_path
    )
    assert code == 2, err
    assert "台账.xlsx 第 1 行：工作表「台账」第 1 行有单元格" in err and "第 XFD 列" in err
    assert "Traceback" not in err
    assert rss_mib < MAX_RSS_MIB and seconds < MAX_SECONDS, (rss_mib, seconds)
