"""A live progress bar on rank 0: volume expansion reached, step size, solver effort."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from nanoglue.parallel import is_root


class _Silent:
    def update(self, *_: object, **__: object) -> None:
        """Ranks other than 0 report nothing."""

    def log(self, _: str) -> None:
        """Ranks other than 0 report nothing."""


class _Bar:
    def __init__(self, progress: Progress, task: int):
        self._progress, self._task = progress, task

    def update(self, expansion: float, status: str = "") -> None:
        """Move the bar to ``expansion`` [%] and show ``status`` beside it."""
        self._progress.update(self._task, completed=expansion, status=status)

    def log(self, message: str) -> None:
        """Print a line above the bar (kept in logs without a terminal too)."""
        self._progress.console.print(message)


@contextmanager
def progress_bar(label: str, stop_expansion: float) -> Iterator[object]:
    """Context with ``update(expansion, status)`` and ``log(message)``; silent off rank 0."""
    if not is_root():
        yield _Silent()
        return
    columns = (
        TextColumn(f"[bold]{label}[/]"),
        BarColumn(),
        TextColumn("{task.completed:6.2f} / {task.total:g} % expansion"),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(label, total=stop_expansion, status="")
        yield _Bar(progress, task)
