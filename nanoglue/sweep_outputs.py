"""What a sweep writes: sweep.json (its points, first), then sweep.csv, sweep.md and
sweep_debonding.png from the points' directories (``nanoglue sweep`` at its end, ``nanoglue
sweep collect`` any time); and the result of a point read back from its directory."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from nanoglue.case_file import field_unit
from nanoglue.config import Case
from nanoglue.errors import CaseError, ExitCode

SWEPT_INTERFACE = "particle_substrate"  # the Sn/CNF interface, plotted for every point
MANIFEST = "sweep.json"  # the title and the points (slug, settings) of a sweep directory
FINISHED = ("completed", "detached")  # a point's run statuses that need no rerun


@dataclass(frozen=True)
class SweepAxis:
    """One ``--set key=v1,v2,...``: a dotted config key and the values it takes."""

    key: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class SweepPoint:
    """One grid point: its settings (key → value), directory name and validated case (None
    where only its results are read back: ``batch.read_manifest``)."""

    settings: dict[str, Any]
    slug: str
    case: Optional[Case]


@dataclass
class PointResult:
    """What became of one point: run status, the exit code ``nanoglue run`` would have given,
    message, wall time, and its summary.json."""

    point: SweepPoint
    status: str
    code: ExitCode
    message: str
    wall_seconds: float
    summary: Optional[dict] = field(default=None)


def write_manifest(points: Sequence[SweepPoint], out_dir: Path, title: str) -> None:
    """``sweep.json``: what ``sweep status`` and ``sweep collect`` read back."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = [{"slug": point.slug, "settings": point.settings} for point in points]
    text = json.dumps({"title": title, "points": entries}, indent=2)
    (out_dir / MANIFEST).write_text(text + "\n", encoding="utf-8")


def read_manifest(out_dir: Path) -> tuple[str, list[SweepPoint]]:
    """The title and the points of the sweep in ``out_dir`` (their cases are not needed to read
    the results); a CaseError when ``out_dir`` holds no sweep."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        raise CaseError(str(out_dir), f"is not a sweep directory (no {MANIFEST})")
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["title"], [SweepPoint(entry["settings"], entry["slug"], None)
                           for entry in data["points"]]


def run_directories(paths: Sequence[Path]) -> list[Path]:
    """The run directories ``paths`` name: a sweep directory stands for its points' (those
    that exist); a sweep's own files and folders (sweep.csv, slurm/, ... as ``sweep/*``
    expands) are left out; anything else is kept as given (``report`` says what it is not)."""
    directories = []
    for path in map(Path, paths):
        if (path / MANIFEST).is_file():
            _, points = read_manifest(path)
            directories += [path / p.slug for p in points if (path / p.slug).is_dir()]
        elif not ((path.parent / MANIFEST).is_file() and not (path / "summary.json").is_file()
                  and not (path / "case.yaml").is_file()):
            directories.append(path)
    return directories


def read_summary(directory: Path) -> Optional[dict]:
    """The summary.json of the run in ``directory`` (None before the run has written it)."""
    path = Path(directory) / "summary.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def finished_point(point: SweepPoint, out_dir: Path) -> Optional[PointResult]:
    """The result of a point whose run has finished (a summary.json saying completed or
    detached), else None."""
    summary = read_summary(out_dir / point.slug)
    if summary is None or summary.get("status") not in FINISHED:
        return None
    return PointResult(point, summary["status"], ExitCode(summary["exit_code"]),
                       summary.get("message") or "", summary.get("wall_seconds", float("nan")),
                       summary)



def write_sweep_outputs(results: Sequence[PointResult], out_dir: Path, title: str) -> None:
    """sweep.csv, sweep.md and sweep_debonding.png in ``out_dir``."""
    from nanoglue.report_writer import markdown_table, plot_debonded_fraction

    columns, rows = sweep_table(results)
    with open(out_dir / "sweep.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    varying = [key for key in (results[0].point.settings if results else {})
               if len({json.dumps(r.point.settings[key]) for r in results}) > 1]
    curves = {_legend_label(result.point.settings, varying) or result.point.slug:
              out_dir / result.point.slug / "curves.csv" for result in results}
    plot_debonded_fraction(curves, out_dir / "sweep_debonding.png", SWEPT_INTERFACE, title)
    text = (f"# {title}\n\n"
            f"{len(results)} points; onset / complete in % volume expansion, wall time in s.\n\n"
            f"{markdown_table(columns, rows)}\n\n![Sn/CNF debonded area fraction](sweep_debonding.png)\n")
    (out_dir / "sweep.md").write_text(text, encoding="utf-8")


def _legend_label(settings: dict, keys: Sequence[str]) -> str:
    """'thickness = 10 nm, crater_depth = 20 nm': the settings that vary, with their units."""
    parts = []
    for key in keys:
        unit = field_unit(key)
        parts.append(f"{key.rsplit('.', 1)[-1]} = {setting_text(settings[key])}"
                     + (f" {unit}" if unit else ""))
    return ", ".join(parts)


def sweep_table(results: Sequence[PointResult]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of sweep.csv: set values, status, held, the volume expansion the run
    reached (held is a verdict only up to there), onset/complete per interface, wall time,
    message. Empty cells where a value does not exist (not reached, no summary)."""
    keys = list(results[0].point.settings) if results else []
    interfaces = sorted({name for result in results if result.summary
                         for name in result.summary["debonding"]["final"]})
    columns = ["point", *keys, "status", "held", "reached_percent"]
    columns += [f"{kind}_{name}_percent" for name in interfaces for kind in ("onset", "complete")]
    columns += ["wall_seconds", "message"]
    rows = [_row(result, keys, interfaces) for result in results]
    return columns, rows


def _row(result: PointResult, keys: Sequence[str], interfaces: Sequence[str]) -> list[str]:
    debonding = (result.summary or {}).get("debonding", {})
    onset = debonding.get("onset_expansion_percent", {})
    complete = debonding.get("complete_expansion_percent", {})
    settings = (setting_text(result.point.settings[key]) for key in keys)
    reached = (result.summary or {}).get("final", {}).get("expansion_percent")
    row = [result.point.slug, *settings, result.status, _cell(debonding.get("held")),
           _cell(reached)]
    for name in interfaces:
        row += [_cell(onset.get(name)), _cell(complete.get(name))]
    return row + [_cell(result.wall_seconds), result.message]


def setting_text(value: Any) -> str:
    """A --set value as given (``1.0`` stays ``1.0``), strings unquoted."""
    return value if isinstance(value, str) else json.dumps(value)


def _cell(value: Any) -> str:
    """A table cell: '' for missing, 4 significant digits for floats, YAML-like otherwise."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
