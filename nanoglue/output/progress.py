"""Progress of a run on rank 0: a live bar on a terminal, plain periodic lines in a log.

The schedule's length is the path the volume expansion X travels (sodiation up, desodiation back
down, per cycle), so the fraction done, and the time left from the rate so far, keep growing
through desodiation while X falls. On a terminal (a serial run) a bar that fits the terminal's
width: the status text is cut, never the bar. Anywhere else — a pipe, ``nohup``, a sweep's
run.log, under ``mpirun`` (whose ranks may see a pseudo-terminal) — one plain line every
``PLAIN_EVERY_SECONDS`` (and at the end), no escape codes, at most ``PLAIN_WIDTH`` columns.
``log`` lines (refused steps, stalls, cut-offs) appear either way.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import (BarColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from nanoglue.parallel import COMM, is_root

PLAIN_EVERY_SECONDS = 30.0
PLAIN_WIDTH = 80
LABEL_WIDTH = 16
FIXED_WIDTH = LABEL_WIDTH + 20 + 17 + 16  # label, bar, "X 12.34 % · 15 %", elapsed / left


class _Silent:
    def update(self, *_: object, **__: object) -> None:
        """Ranks other than 0 report nothing."""

    def log(self, _: str) -> None:
        """Ranks other than 0 report nothing."""


class _Travel:
    """The path X has travelled so far along the schedule [%]."""

    def __init__(self, start: float = 0.0):
        self.done, self._last = 0.0, start

    def move(self, expansion: float) -> float:
        self.done += abs(expansion - self._last)
        self._last = expansion
        return self.done


class _Bar:
    def __init__(self, progress: Progress, task: int, width: int):
        self._progress, self._task, self._travel = progress, task, _Travel()
        self._status_width = max(width - FIXED_WIDTH, 0)

    def update(self, expansion: float, status: str = "") -> None:
        """Move the bar to ``expansion`` [%] and show as much of ``status`` as fits."""
        cut = status if len(status) <= self._status_width else (
            status[:max(self._status_width - 1, 0)] + "…" if self._status_width else "")
        self._progress.update(self._task, completed=self._travel.move(expansion),
                              expansion=expansion, status=cut)

    def log(self, message: str) -> None:
        """Print a line above the bar."""
        self._progress.console.print(message, highlight=False, markup=False)


class _Lines:
    """Plain progress lines: every PLAIN_EVERY_SECONDS and once at the end."""

    def __init__(self, label: str, total: float, stream):
        self._label, self._total, self._stream = label[:LABEL_WIDTH], total, stream
        self._travel, self._start = _Travel(), time.monotonic()
        self._next, self._state = self._start + PLAIN_EVERY_SECONDS, None

    def update(self, expansion: float, status: str = "") -> None:
        self._state = (expansion, self._travel.move(expansion), status)
        if time.monotonic() >= self._next:
            self._next = time.monotonic() + PLAIN_EVERY_SECONDS
            self._line()

    def log(self, message: str) -> None:
        print(message, file=self._stream, flush=True)

    def finish(self) -> None:
        if self._state is not None:
            self._line()

    def _line(self) -> None:
        expansion, travelled, status = self._state
        elapsed = time.monotonic() - self._start
        fraction = min(travelled / self._total, 1.0) if self._total > 0 else 1.0
        left = elapsed * (1.0 - fraction) / fraction if fraction > 0 else float("nan")
        head = (f"{self._label}: X {expansion:6.2f} % · {fraction:4.0%} of the schedule · "
                f"{_clock(elapsed)} elapsed, ~{_clock(left)} left")
        room = PLAIN_WIDTH - len(head) - 3
        tail = f" · {status[:room]}" if room > 8 and status else ""
        print(head + tail, file=self._stream, flush=True)


def _clock(seconds: float) -> str:
    if seconds != seconds:  # nan: no rate yet
        return "?"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@contextmanager
def progress_bar(label: str, schedule_length: float, console: Console | None = None
                 ) -> Iterator[object]:
    """Context with ``update(expansion, status)`` and ``log(message)`` (module docstring);
    ``schedule_length`` [% of X travelled]; silent off rank 0."""
    if not is_root():
        yield _Silent()
        return
    console = console or Console()
    if COMM.size > 1 or not console.is_terminal:
        lines = _Lines(label, schedule_length, sys.stdout)
        yield lines
        lines.finish()
        return
    short = label if len(label) <= LABEL_WIDTH else label[:LABEL_WIDTH - 1] + "…"
    columns = (
        TextColumn(f"[bold]{short:<{LABEL_WIDTH}}[/]"), BarColumn(bar_width=20),
        TextColumn("X {task.fields[expansion]:6.2f} % · {task.percentage:3.0f} %"),
        TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=console, transient=False, expand=False) as progress:
        task = progress.add_task(label, total=schedule_length, expansion=0.0, status="")
        yield _Bar(progress, task, console.width)
