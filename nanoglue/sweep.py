"""``nanoglue sweep``: one case over a grid of config values, each point in its own worker process.

``--set geometry.coating.thickness=5,10,40`` gives three points; several ``--set`` options give
their Cartesian product. Every point is validated by the same machinery as a case file
(:func:`nanoglue.case_file.load_case` with overrides) before anything is written, so a bad key or
value is one :class:`CaseError` naming the field. Each point runs ``simulation.run_case`` into
``OUT/<slug>/`` in a spawned worker (its console output goes to ``OUT/<slug>/run.log``); then
``sweep.csv``, ``sweep.md`` and ``sweep_debonding.png`` combine them.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import re
import signal
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import yaml
from pydantic import BaseModel

from nanoglue.case_file import load_case
from nanoglue.config import Case
from nanoglue.errors import CaseError, ExitCode, exit_code, most_severe
from nanoglue.interrupt import SIGNALS, received, stop_on_signals
from nanoglue.sweep_outputs import (PointResult, SweepAxis, SweepPoint, finished_point, setting_text,
                                    read_summary, write_manifest, write_sweep_outputs)

POLL_SECONDS = 1.0  # how often the sweep looks for a signal while its points run


# ------------------------------------------------------------------------------ parsing
def parse_set(spec: str) -> SweepAxis:
    """``"a.b=1,2.5,null"`` → SweepAxis("a.b", (1, 2.5, None)); values are read as YAML scalars
    (a value with commas can be bracketed: ``[1,2],[3,4]``)."""
    key, sep, text = spec.partition("=")
    key = key.strip()
    if not sep or not key or not text.strip():
        raise CaseError("--set", f"expected key=value1,value2,... (got {spec!r})")
    try:
        values = yaml.safe_load(f"[{text}]")
    except (yaml.YAMLError, RecursionError):
        raise CaseError(key, f"cannot read the values {text!r} (--set {spec})") from None
    if text.strip().startswith(",") or text.strip().endswith(","):
        raise CaseError(key, f"empty value in --set {spec}")
    if len(set(map(_value_text, values))) != len(values):
        raise CaseError(key, f"a value is given twice in --set {spec}")
    return SweepAxis(key, tuple(values))


def parse_sets(specs: Sequence[str]) -> list[SweepAxis]:
    """All ``--set`` options; a key may appear only once."""
    axes = [parse_set(spec) for spec in specs]
    keys = [axis.key for axis in axes]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise CaseError(repeated[0], "given in more than one --set (put all values in one)")
    if not axes:
        raise CaseError("--set", "give at least one --set key=value1,value2,...")
    return axes


def parse_overrides(specs: Sequence[str]) -> dict[str, Any]:
    """``--set key=value`` options of a single run → {key: value}; several values are an error
    (that is a sweep)."""
    axes = parse_sets(specs) if specs else []
    several = [axis.key for axis in axes if len(axis.values) != 1]
    if several:
        raise CaseError(several[0], "one value per --set for a single run (nanoglue sweep takes "
                        "several)")
    return {axis.key: axis.values[0] for axis in axes}


# ------------------------------------------------------------------------------ the grid
def expand_grid(case_path: Path, axes: Sequence[SweepAxis]) -> list[SweepPoint]:
    """Every combination of the axes' values as a validated case named ``<case>-<slug>``."""
    base = load_case(case_path)
    for axis in axes:
        _check_short_key(axis.key)
    labels = _axis_labels([axis.key for axis in axes])
    points = []
    for values in itertools.product(*(axis.values for axis in axes)):
        settings = {axis.key: value for axis, value in zip(axes, values)}
        slug = "_".join(f"{labels[key]}={_value_text(value)}" for key, value in settings.items())
        case = _point_case(case_path, settings, f"{base.name}-{slug}")
        points.append(SweepPoint(settings, slug, case))
    return points


def _point_case(case_path: Path, settings: dict[str, Any], name: str) -> Case:
    """The case file with ``settings`` applied; a CaseError names the field and the point."""
    try:
        case = load_case(case_path, settings)
    except CaseError as err:
        if err.path == str(case_path):
            raise
        point = ", ".join(f"{key}={value!r}" for key, value in settings.items())
        raise CaseError(err.path, f"{err.reason} (sweep point {point})") from None
    return case.model_copy(update={"name": name})


def _axis_labels(keys: Sequence[str]) -> dict[str, str]:
    """Short labels for directory names: the last part of each key, or the whole key when two
    keys share their last part."""
    leaves = [key.rsplit(".", 1)[-1] for key in keys]
    return {key: leaf if leaves.count(leaf) == 1 else key for key, leaf in zip(keys, leaves)}


def _value_text(value: Any) -> str:
    """A value as it appears in a directory name (only letters, digits and ``._+-``)."""
    return re.sub(r"[^A-Za-z0-9._+-]+", "-", setting_text(value)) or "empty"


def _check_short_key(key: str) -> None:
    """A CaseError for a key that is the tail of exactly one full path (``coating.thickness``
    → did you mean ``geometry.coating.thickness``); other unknown keys are left to validation."""
    fields = list(_dotted_fields(Case))
    matches = [path for path in fields if path.endswith("." + key)]
    if key not in fields and len(matches) == 1:
        raise CaseError(key, f"unknown key (did you mean '{matches[0]}'?)")


def _dotted_fields(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every dotted field path of a pydantic model, nested sections included."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        yield path
        for candidate in (info.annotation, *getattr(info.annotation, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                yield from _dotted_fields(candidate, path + ".")


# ------------------------------------------------------------------------------ running
def default_workers(points: int) -> int:
    """One worker per point, at most one per core."""
    return max(1, min(points, os.cpu_count() or 1))


def run_sweep(points: Sequence[SweepPoint], out_dir: Path, workers: int, title: str,
              on_done: Callable[[PointResult], None] = lambda _: None,
              resume: bool = False) -> list[PointResult]:
    """Run every point into ``out_dir/<slug>/`` with ``workers`` spawned processes; write the
    combined table and plot under ``title``. A failing point is a row with its error, not the
    end of the sweep. ``resume``: a point whose run finished (completed or detached) is kept as
    it is, one with a checkpoint goes on from it, any other runs again from the start.

    A SIGINT / SIGTERM / SIGUSR1 to the sweep starts no further point and is passed on to the
    workers, whose runs stop cleanly at their last accepted step ("interrupted"); the points
    not started are rows too ("not started"), and the table is written as usual. The signal is passed on again
    every POLL_SECONDS until the running points have ended: a worker ignores signals between
    points and only catches them once its run has installed its handlers."""
    write_manifest(points, out_dir, title)
    context = multiprocessing.get_context("spawn")
    results: dict[str, PointResult] = {}
    waiting, running = list(points), {}
    with stop_on_signals(), ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                initializer=_ignore_signals) as pool:
        while waiting or running:
            signum = received()
            if signum:
                _pass_on(signum)
            while waiting and not signum and len(running) < workers:
                point = waiting.pop(0)
                kept = finished_point(point, out_dir) if resume else None
                if kept is not None:
                    results[point.slug] = kept
                    on_done(kept)
                    continue
                running[pool.submit(run_point, point.case, str(out_dir / point.slug),
                                    resume)] = point
            if not running:
                break
            finished, _ = wait(running, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:
                result = _collect(running.pop(future), future, out_dir)
                results[result.point.slug] = result
                on_done(result)
    for point in waiting:  # only after a signal
        results[point.slug] = PointResult(point, "not started", exit_code("interrupted", signum),
                                          f"the sweep was interrupted by "
                                          f"{signal.Signals(signum).name}", float("nan"))
    ordered = [results[point.slug] for point in points]
    write_sweep_outputs(ordered, out_dir, title)
    return ordered


def _ignore_signals() -> None:
    """Worker initializer: stop signals (``interrupt.SIGNALS``) do not kill an idle worker
    (which would break the pool); the run of a point catches them itself (``simulation.run_case``). The run's modules
    are imported first: importing gmsh (4.8) resets SIGINT to its default."""
    import nanoglue.simulation  # noqa: F401

    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _pass_on(signum: int) -> None:
    """Send ``signum`` to every worker process still alive."""
    for child in multiprocessing.active_children():
        try:
            os.kill(child.pid, signum)
        except ProcessLookupError:  # ended in between
            pass


def failed(results: Sequence[PointResult]) -> list[PointResult]:
    """The points that did not complete: stopped, interrupted, refused, raised, crashed or not
    started."""
    return [result for result in results if result.code != ExitCode.COMPLETED]


def exit_code_of(results: Sequence[PointResult]) -> ExitCode:
    """The sweep's exit code: the most severe of its points' (README, "Exit codes")."""
    return most_severe(result.code for result in results)


def run_point(case: Case, directory: str, resume: bool = False) -> tuple[str, int, str, float]:
    """Worker: run one case into ``directory`` (console output into its run.log). ``resume``:
    go on from its checkpoint if it has one (run.log continued), else start afresh.

    Returns (status, exit code, message, wall seconds including meshing and form compilation):
    the exit code ``nanoglue run`` would have given.
    """
    from nanoglue.coupling.checkpoint import find
    from nanoglue.run_directory import clear_previous_run
    from nanoglue.simulation import run_case

    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    go_on = resume and find(path) is not None
    if resume and not go_on:
        clear_previous_run(path, None)
    with _console_to(path / "run.log", append=go_on):
        try:
            summary = run_case(case, path, go_on)
        except CaseError as err:
            return "invalid", ExitCode.BAD_INPUT, str(err), time.perf_counter() - start
        except Exception as err:  # noqa: BLE001 - a failed point becomes a row of the table
            traceback.print_exc()  # into run.log
            return ("failed", ExitCode.INTERNAL_ERROR, f"{type(err).__name__}: {err}",
                    time.perf_counter() - start)
    return (summary["status"], summary["exit_code"], summary.get("message") or "",
            time.perf_counter() - start)


@contextmanager
def _console_to(log_path: Path, append: bool = False) -> Iterator[None]:
    """Send this process's stdout and stderr (Python and C level) to ``log_path``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log_path, "a" if append else "w", encoding="utf-8") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for descriptor, copy in zip((1, 2), saved):
                os.dup2(copy, descriptor)
                os.close(copy)


def _collect(point: SweepPoint, future: Future, out_dir: Path) -> PointResult:
    """The worker's answer plus the point's summary.json (if the run got that far)."""
    try:
        status, code, message, wall = future.result()
    except Exception as err:  # noqa: BLE001 - e.g. a worker killed by the OS
        status, code, message, wall = ("crashed", ExitCode.INTERNAL_ERROR,
                                       f"{type(err).__name__}: {err}", float("nan"))
    return PointResult(point, status, ExitCode(code), message, wall,
                       read_summary(out_dir / point.slug))
