"""The paper's simulation results (Han et al. 2014, Fig 5, S8–S11) as band checks on run directories.

Each :class:`PaperRow` names the case(s) it reads (by the ``case`` name in summary.json, else the
``name`` in case.yaml), the paper's value, the band a run must fall in, and a check that measures
the run. :func:`evaluate` loads run directories and returns one :class:`RowResult` per row and run
(``no run`` where no run of that case was given). Onset, complete and held are defined in
docs/model.md ("Cohesive interfaces"): onset when the debonded arc reaches
``interfaces.onset_arc_length``, complete when less than that arc is still bonded (the front has
reached the axis), held when a non-debonded path still connects the particle to the substrate.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
import yaml

from nanoglue.errors import CaseError
from nanoglue.output.curves import read_curves
from nanoglue.run_directory import resolved_case

SN_CNF = "particle_substrate"
S11_EXPANSION = 56.0  # % volume expansion of the coating-thickness comparison (Fig S11)
PROFILE_FILE = Path("profiles") / "coating_von_mises_56.csv"
PROFILE_COLUMNS = ("through_thickness_nm", "von_mises_GPa")
IN, OUT, NO_RUN, NOT_EVALUATED = "in", "out", "no run", "not evaluated"
ON_PURPOSE = ("completed", "interrupted")  # a run that ended where it was told to (or was stopped)


# ------------------------------------------------------------------------------ run data
@dataclass(frozen=True)
class CoatingProfile:
    """Coating von Mises stress through its thickness, at s = depth/thickness ∈ [0, 1]."""

    thickness_nm: float
    s: np.ndarray
    von_mises_GPa: np.ndarray


@dataclass(frozen=True)
class RunData:
    """One run directory as written by ``nanoglue run``: its summary, resolved case and curves."""

    directory: Path
    name: str
    summary: dict
    case: dict

    @property
    def kinematics(self) -> str:
        """The run's mechanics.kinematics (small when its case.yaml does not say)."""
        return (self.case.get("mechanics") or {}).get("kinematics", "small")

    def curves(self) -> dict[str, list[float]]:
        """curves.csv as column → values ({} if the run wrote none)."""
        path = self.directory / "curves.csv"
        return read_curves(path) if path.exists() else {}

    @property
    def coating_thickness(self) -> Optional[float]:
        """geometry.coating.thickness [nm] of the case, None for a bare particle."""
        coating = self.case.get("geometry", {}).get("coating")
        return float(coating["thickness"]) if coating else None

    def coating_profile(self) -> Optional[CoatingProfile]:
        """profiles/coating_von_mises_56.csv sorted by s, or None if the run has none."""
        path = self.directory / PROFILE_FILE
        thickness = self.coating_thickness
        if thickness is None or not path.exists():
            return None
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        if not rows or any(column not in rows[0] for column in PROFILE_COLUMNS):
            raise CaseError(str(path), f"expected the columns {','.join(PROFILE_COLUMNS)}")
        depth = np.array([float(row[PROFILE_COLUMNS[0]]) for row in rows])
        stress = np.array([float(row[PROFILE_COLUMNS[1]]) for row in rows])
        order = np.argsort(depth)
        return CoatingProfile(thickness, depth[order] / thickness, stress[order])


def load_run(directory: Path) -> RunData:
    """Read a run directory; a CaseError if it has neither summary.json nor case.yaml."""
    directory = Path(directory)
    summary_path, case_path = directory / "summary.json", resolved_case(directory)
    if not summary_path.exists() and not case_path.exists():
        raise CaseError(str(directory), "no summary.json or case.yaml: not a nanoglue run directory")
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    case = yaml.safe_load(case_path.read_text(encoding="utf-8")) if case_path.exists() else {}
    name = summary.get("case") or case.get("name") or directory.name
    return RunData(directory, name, summary, case or {})


# ------------------------------------------------------------------------------ rows
@dataclass(frozen=True)
class Measurement:
    """What a check found: a short text and whether it is in band (None: cannot tell)."""

    text: str
    in_band: Optional[bool]


Check = Callable[[Sequence[RunData]], Measurement]


@dataclass(frozen=True)
class PaperRow:
    """One row of the paper's table; a single-case row is checked per run, a multi-case row
    (S11d) once over all its runs."""

    row_id: str
    configs: tuple[str, ...]
    quantity: str
    paper: str
    band: str
    check: Check


@dataclass(frozen=True)
class RowResult:
    """A row evaluated on the runs it read: measured text and verdict (in / out / no run)."""

    row: PaperRow
    runs: tuple[Path, ...]
    measured: str
    verdict: str


def _percent(value: float) -> str:
    return f"{value:.3g} %"


def _debonding(run: RunData, kind: str) -> Optional[float]:
    """Onset or complete [% expansion] of the Sn/CNF interface from summary.json."""
    return run.summary.get("debonding", {}).get(f"{kind}_expansion_percent", {}).get(SN_CNF)


def _final_expansion(run: RunData) -> str:
    final = run.summary.get("final", {}).get("expansion_percent")
    return "no summary.json" if final is None else f"run ended at {_percent(final)}"


def ended_before(run: RunData, expansion: float) -> bool:
    """Whether ``run`` ended on purpose (its schedule's end, or a signal) before reaching
    ``expansion`` %: a row about that state cannot be evaluated on it — neither in nor out."""
    final = run.summary.get("final", {}).get("expansion_percent")
    return (run.summary.get("status") in ON_PURPOSE and final is not None
            and final < expansion - 1e-9)


def _unreached(run: RunData, missing: str, expansion: float) -> Measurement:
    """``run`` has no value for a row whose state lies up to ``expansion`` %: out of band
    (``missing``), unless the run ended on purpose before it (then not evaluated)."""
    if ended_before(run, expansion):
        return Measurement(f"not evaluated: the run ended before {expansion:g} % "
                           f"({_final_expansion(run)}, {run.summary['status']})", None)
    return Measurement(f"{missing} ({_final_expansion(run)})", False)


def step_at(curves: dict[str, list[float]], expansion: float) -> Optional[float]:
    """Size [%] of the sodiation step that crossed ``expansion`` (None if none did)."""
    x = curves.get("expansion_percent", [])
    for previous, current in zip([0.0, *x], x):
        if previous < expansion <= current:
            return current - previous
    return None


def value_at(curves: dict[str, list[float]], column: str, expansion: float) -> Optional[float]:
    """``column`` linearly interpolated at the first time the run reached ``expansion``."""
    x, y = curves.get("expansion_percent", []), curves.get(column, [])
    for i, current in enumerate(x):
        if current >= expansion - 1e-9:
            if i == 0 or current <= expansion:
                return y[i]
            weight = (expansion - x[i - 1]) / (current - x[i - 1])
            return y[i - 1] + weight * (y[i] - y[i - 1])
    return None


def onset_check(high: float, max_step: float) -> Check:
    """Sn/CNF onset ≤ ``high`` %, reached in a step no larger than ``max_step`` %."""

    def check(runs: Sequence[RunData]) -> Measurement:
        onset = _debonding(runs[0], "onset")
        if onset is None:
            return _unreached(runs[0], "no onset", high)
        step = step_at(runs[0].curves(), onset)
        step_text = "step unknown" if step is None else f"step {step:.3g} %"
        resolved = step is not None and step <= max_step + 1e-9
        return Measurement(f"{_percent(onset)} ({step_text})", onset <= high and resolved)

    return check


def range_check(kind: str, low: float, high: float, held: bool = False) -> Check:
    """Sn/CNF onset or complete in [low, high] %; with ``held``, the particle must be held."""

    def check(runs: Sequence[RunData]) -> Measurement:
        value = _debonding(runs[0], kind)
        if value is None:  # a run that got into the band without the event is out of it
            return _unreached(runs[0], f"no {kind}", low)
        in_band = low <= value <= high
        text = _percent(value)
        if held:
            is_held = runs[0].summary.get("debonding", {}).get("held") is True
            text += ", held" if is_held else ", not held"
            in_band = in_band and is_held
        return Measurement(text, in_band)

    return check


def debond_state_at(onset: Optional[float], complete: Optional[float], expansion: float) -> str:
    """'full' if the Sn/CNF debonding was complete by ``expansion`` %, 'none' if it had not
    started (no onset by then), else 'partial' — the onset / complete definitions of every run."""
    if complete is not None and complete <= expansion:
        return "full"
    if onset is None or onset > expansion:
        return "none"
    return "partial"


def debond_state_check(expected: str) -> Check:
    """The Sn/CNF debonding at 56 % expansion is ``expected`` ('full', 'partial' or 'none');
    the area fraction and the bonded arc then are reported alongside."""

    def check(runs: Sequence[RunData]) -> Measurement:
        curves = runs[0].curves()
        fraction = value_at(curves, f"{SN_CNF}_debonded_area_fraction", S11_EXPANSION)
        if fraction is None:
            return _unreached(runs[0], "56 % not reached", S11_EXPANSION)
        bonded = value_at(curves, f"{SN_CNF}_bonded_arc_nm", S11_EXPANSION)
        state = debond_state_at(_debonding(runs[0], "onset"), _debonding(runs[0], "complete"),
                                S11_EXPANSION)
        text = f"{state} at 56 % (area fraction {fraction:.3g}, {bonded:.3g} nm of arc bonded)"
        return Measurement(text, state == expected)

    return check


def held_at_end_check(runs: Sequence[RunData]) -> Measurement:
    """Held at the end of a run that ended desodiating."""
    debonding = runs[0].summary.get("debonding")
    if debonding is None:
        return Measurement("no summary.json", False)
    directions = runs[0].curves().get("direction", [])
    desodiated = bool(directions) and directions[-1] < 0
    if not desodiated and runs[0].summary.get("status") in ON_PURPOSE:
        return Measurement(f"not evaluated: the run ended before desodiating "
                           f"({_final_expansion(runs[0])}, {runs[0].summary['status']})", None)
    text = ("held" if debonding.get("held") else "not held") + (
        " after desodiation" if desodiated else " (run did not end desodiating)")
    return Measurement(text, bool(debonding.get("held")) and desodiated)


def thinner_is_higher(thin: CoatingProfile, thick: CoatingProfile) -> Optional[float]:
    """None if the thinner coating's von Mises is higher at every s both profiles cover; else
    the first s where it is not (where the linearly interpolated profiles meet)."""
    low, high = max(thin.s[0], thick.s[0]), min(thin.s[-1], thick.s[-1])
    grid = np.union1d(thin.s, thick.s)
    grid = grid[(grid >= low) & (grid <= high)]  # the difference is linear between these points
    margin = np.interp(grid, thin.s, thin.von_mises_GPa) - np.interp(grid, thick.s, thick.von_mises_GPa)
    failing = np.flatnonzero(margin <= 0.0)
    if not failing.size:
        return None
    i = failing[0]
    if i == 0:
        return float(grid[0])
    return float(grid[i - 1] + margin[i - 1] / (margin[i - 1] - margin[i]) * (grid[i] - grid[i - 1]))


def s11d_check(runs: Sequence[RunData]) -> Measurement:
    """Every thinner coating carries a higher von Mises stress than every thicker one at every
    normalised through-thickness position (needs profiles from at least two thicknesses)."""
    found = [(run, run.coating_profile()) for run in runs]
    profiles = sorted((p for _, p in found if p is not None), key=lambda p: p.thickness_nm)
    missing = [str(run.directory) for run, profile in found if profile is None]
    note = f"; no coating profile in {', '.join(missing)}" if missing else ""
    if len({p.thickness_nm for p in profiles}) < 2:
        return Measurement(f"fewer than two thicknesses with a profile{note}", None)
    failures = []
    for i, thin in enumerate(profiles):
        for thick in (p for p in profiles[i + 1:] if p.thickness_nm > thin.thickness_nm):
            where = thinner_is_higher(thin, thick)
            if where is not None:
                failures.append(f"σ({thin.thickness_nm:g} nm) ≤ σ({thick.thickness_nm:g} nm) "
                                f"at s = {where:.2f}")
    order = " > ".join(f"σ({p.thickness_nm:g} nm)" for p in profiles)
    text = "; ".join(failures) if failures else f"{order} at every s"
    return Measurement(text + note, not failures)


COATING_CONFIGS = ("paper-coating-5nm", "paper-coating-10nm", "paper-coating-40nm")

PAPER_TABLE: tuple[PaperRow, ...] = (
    PaperRow("bare-onset", ("paper-bare-interface",), "Sn/CNF onset, Na via the interface",
             "1.6 %", "≤ 5 %, resolved by steps ≤ 0.2 %", onset_check(5.0, 0.2)),
    PaperRow("bare-complete", ("paper-bare-interface",), "Sn/CNF complete, Na via the interface",
             "61 %", "45–80 %", range_check("complete", 45.0, 80.0)),
    PaperRow("coated-onset", ("paper-coated-6nm",), "Sn/CNF onset, coated 6 nm",
             "39 %", "25–55 %", range_check("onset", 25.0, 55.0)),
    PaperRow("coated-complete", ("paper-coated-6nm",), "Sn/CNF complete, particle still held",
             "67 %", "55–85 %, held", range_check("complete", 55.0, 85.0, held=True)),
    PaperRow("surface-complete", ("paper-bare-surface",), "Sn/CNF complete, Na via whole surface",
             "33.85 %", "20–50 %", range_check("complete", 20.0, 50.0)),
    PaperRow("coating-5nm", ("paper-coating-5nm",), "Sn/CNF debonding at 56 %, 5 nm coating",
             "full", "complete by 56 %", debond_state_check("full")),
    PaperRow("coating-10nm", ("paper-coating-10nm",), "Sn/CNF debonding at 56 %, 10 nm coating",
             "partial", "onset, not complete by 56 %", debond_state_check("partial")),
    PaperRow("coating-40nm", ("paper-coating-40nm",), "Sn/CNF debonding at 56 %, 40 nm coating",
             "none", "no onset by 56 %", debond_state_check("none")),
    PaperRow("s11d", COATING_CONFIGS, "coating von Mises through its thickness at 56 % (S11d)",
             "higher for thinner", "higher for thinner at every through-thickness position",
             s11d_check),
    PaperRow("desodiate-held", ("paper-coated-6nm-desodiate",), "coated, sodiate then desodiate (S9)",
             "stays anchored", "held at the end", held_at_end_check),
)


# ------------------------------------------------------------------------------ evaluation
def evaluate(run_dirs: Sequence[Path]) -> list[RowResult]:
    """Load ``run_dirs`` and evaluate every row of the paper's table on them."""
    return evaluate_runs([load_run(Path(directory)) for directory in run_dirs])


def evaluate_runs(runs: Sequence[RunData]) -> list[RowResult]:
    """One result per row and matching run (one per multi-case row), ``no run`` where none."""
    results = []
    for row in PAPER_TABLE:
        matching = [run for run in runs if run.name in row.configs]
        if not matching:
            results.append(RowResult(row, (), "", NO_RUN))
            continue
        groups = [matching] if len(row.configs) > 1 else [[run] for run in matching]
        results.extend(_evaluate_row(row, group) for group in groups)
    return results


def _evaluate_row(row: PaperRow, runs: Sequence[RunData]) -> RowResult:
    measured = row.check(runs)
    verdict = NOT_EVALUATED if measured.in_band is None else IN if measured.in_band else OUT
    return RowResult(row, tuple(run.directory for run in runs), measured.text, verdict)
