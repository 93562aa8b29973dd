"""Compare runs of one case on one mesh across DOLFINx (or Gmsh) versions: issue #16's
"cross-version agreement" check.

    python bench/cross_version.py LABEL=RUN_DIR LABEL=RUN_DIR [...] [--rtol 1e-6] [--points 0.05]
    python bench/cross_version.py 0.5=out/bare-0.5 0.9=out/bare-0.9 0.11=out/bare-0.11

Every pair of runs is compared (first against second, ...):

* curves.csv up to the first debonding event — the earliest debonding onset of any interface
  in either run's summary.json (the whole run when none debonds). The second run's columns are
  interpolated linearly onto the first run's volume expansions (``expansion_percent``) below
  that event; when both runs took the same steps the interpolation is the identity (reported
  as "same steps"). Per column the relative difference max|a − b| / max(|a|, |b|), both maxima
  over the compared points, is reported — every column, the step bookkeeping (step size, Newton
  iterations) included, which agrees only when the steps do. Relative to the column's scale,
  not point by point: a quantity that leaves zero by round-off (the coated case's plastic
  strain is 3e-19 on DOLFINx 0.5.2 and exactly 0 on 0.9 at 0.5 % expansion, before the
  particle yields) would make a pointwise ratio 1 without meaning anything.
* the onset and completion of every interface (summary.json, % volume expansion): the
  difference in points, or which run lacks it.

Prints one Markdown table per pair and a verdict against ``--rtol`` (every column) and
``--points`` (onset / complete); exits 1 if any pair misses either. Needs numpy only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

from compare_curves import read

EXPANSION = "expansion_percent"


def load(run: Path) -> tuple[dict[str, np.ndarray], dict]:
    """The run's curves.csv as column → values, and its summary.json."""
    columns, rows = read(str(run / "curves.csv"))
    table = np.array(rows, dtype=float).reshape(len(rows), len(columns))
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    return {name: table[:, k] for k, name in enumerate(columns)}, summary


def events(summary: dict) -> dict[str, dict[str, float | None]]:
    """'onset' / 'complete' → interface → % volume expansion (None: did not happen)."""
    debonding = summary["debonding"]
    return {"onset": debonding["onset_expansion_percent"],
            "complete": debonding["complete_expansion_percent"]}


def first_event(*summaries: dict) -> float:
    """The earliest debonding onset in any of the runs [%] (inf: none debonds)."""
    onsets = [v for s in summaries for v in events(s)["onset"].values() if v is not None]
    return min(onsets, default=float("inf"))


def relative(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b| over the points / max(|a|, |b|) over the points (0 for two zero columns)."""
    scale = float(np.max(np.maximum(np.abs(a), np.abs(b)), initial=0.0))
    return float(np.max(np.abs(a - b), initial=0.0)) / scale if scale > 0 else 0.0


def compare(first: Path, second: Path) -> dict:
    """Column differences before the first debonding event and over the whole run, and the
    event differences."""
    a, summary_a = load(first)
    b, summary_b = load(second)
    for run, curves in ((first, a), (second, b)):
        if np.any(np.diff(curves[EXPANSION]) <= 0):
            raise SystemExit(f"{run}: volume expansion does not increase step by step "
                             "(desodiation?): this comparison is for sodiation runs")
    limit = first_event(summary_a, summary_b)
    before = {name: relative(*values) for name, values in _on_common(a, b, limit).items()}
    whole = {name: relative(*values) for name, values in _on_common(a, b, np.inf).items()}
    count_a, count_b = (int(np.sum(c[EXPANSION] < limit)) for c in (a, b))
    same_steps = count_a == count_b and relative(a[EXPANSION][:count_a],
                                                 b[EXPANSION][:count_b]) < 1e-9
    deltas = {}
    for kind, by_interface in events(summary_a).items():
        other = events(summary_b)[kind]
        for interface in sorted(set(by_interface) | set(other)):
            u, v = by_interface.get(interface), other.get(interface)
            deltas[f"{kind} {interface}"] = (u, v, None if u is None or v is None else v - u)
    return {"limit": limit, "points": count_a, "same_steps": same_steps,
            "columns": before, "whole": whole, "events": deltas,
            "only_in": sorted(set(a) ^ set(b))}


def _on_common(a: dict[str, np.ndarray], b: dict[str, np.ndarray], limit: float
               ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Column → (a, b) at a's volume expansions below ``limit`` that b's rows span (b
    interpolated linearly; no extrapolation)."""
    xa, xb = a[EXPANSION], b[EXPANSION]
    x = xa[(xa < limit) & (xa >= xb.min()) & (xa <= xb.max())]
    return {name: (np.interp(x, xa, a[name]), np.interp(x, xb, b[name]))
            for name in a if name in b}


def report(label_a: str, label_b: str, result: dict, rtol: float, points: float) -> bool:
    """Print the pair's tables; True when it meets both targets."""
    worst = max(result["columns"].items(), key=lambda item: item[1])
    print(f"\n### {label_a} vs {label_b}\n")
    limit = result["limit"]
    print(f"{result['points']} common expansions below the first debonding event "
          f"({limit:.4g} %), {'same steps' if result['same_steps'] else 'steps differ: interpolated'}"
          + (f"; columns in one run only: {', '.join(result['only_in'])}" if result["only_in"] else ""))
    print("\n| column | max relative difference before the first event | over the whole run |"
          "\n|---|---|---|")
    for name, value in result["columns"].items():
        print(f"| {name} | {value:.2e} | {result['whole'][name]:.2e} |")
    print(f"\n| event | {label_a} [%] | {label_b} [%] | difference [points] |\n|---|---|---|---|")
    events_ok = True
    for name, (u, v, delta) in result["events"].items():
        shown = lambda value: "–" if value is None else f"{value:.4f}"  # noqa: E731
        print(f"| {name} | {shown(u)} | {shown(v)} | {'–' if delta is None else f'{delta:+.4f}'} |")
        if (u is None) != (v is None) or (delta is not None and abs(delta) > points):
            events_ok = False
    columns_ok = worst[1] <= rtol
    print(f"\nlargest: {worst[0]} {worst[1]:.2e} ({'within' if columns_ok else 'beyond'} {rtol:g}); "
          f"events {'within' if events_ok else 'beyond'} {points:g} points")
    return columns_ok and events_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="LABEL=RUN_DIR (at least two)")
    parser.add_argument("--rtol", type=float, default=1e-6, help="target per column [-]")
    parser.add_argument("--points", type=float, default=0.05, help="target onset/complete [points]")
    args = parser.parse_args()
    runs = [tuple(spec.split("=", 1)) if "=" in spec else (spec, spec) for spec in args.runs]
    if len(runs) < 2:
        parser.error("give at least two runs")
    verdicts = [report(la, lb, compare(Path(da), Path(db)), args.rtol, args.points)
                for (la, da), (lb, db) in itertools.combinations(runs, 2)]
    print(f"\n{sum(verdicts)} of {len(verdicts)} pairs meet both targets")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
