"""Terminal helpers shared by the commands: progress bars and error display (rich)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from quarterhour.engine.progress import Progress as ProgressCallback

console = Console(stderr=True, highlight=False)

STAGES = {
    "read_network": "读取路网 / reading network",
    "read_osm": "读取 OSM / reading OSM",
    "build_network": "构建路网 / building network",
    "read_facilities": "读取设施 / reading facilities",
    "snap": "吸附到路网 / snapping to network",
    "reach": "计算步行可达 / computing walking reach",
    "write": "写出结果 / writing outputs",
}


@contextmanager
def progress_bar() -> Iterator[ProgressCallback]:
    """A progress callback for the engine that draws one bar per stage."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bars:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = int(bars.add_task(STAGES.get(stage, stage), total=total or None))
            bars.update(tasks[stage], completed=done, total=total or None)  # type: ignore[arg-type]

        yield update


def error(message: str) -> None:
    """An error, unwrapped (the terminal wraps it; a path or a row stays whole to copy)."""
    console.print(f"[bold red]错误 / error:[/] {escape(message)}", soft_wrap=True)


def warn(message: str) -> None:
    console.print(f"[yellow]注意 / warning:[/] {escape(message)}", soft_wrap=True)
