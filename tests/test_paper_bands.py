"""The paper's table (nanoglue/paper_table.py, docs/calibration.md) as band checks on the
bundled paper configs, run end to end with ``run_case`` and judged by ``nanoglue report``'s rows.

Default run: the rows the configs reach in a few minutes each, at the configs' own
resolution, each run stopped once its row is decided (bare onset: 5 %; 10 and 40 nm: 56 %, as
shipped). Nothing else is overridden: even the snapshot states are landmarks of the step
sequence, and the 10 nm row reads 0.017 instead of 0.367 with snapshots every 20 % instead of 5 %.
``-m slow``: the whole table from the configs exactly as shipped (about 25 minutes).
A coarser mesh is no cheaper stand-in here: the default mesh is the one that resolves the Na
front and the last bonded patch of the contact (docs/calibration.md; with 2.8 nm interface
elements the S10 particle stays held).

A row this model does not reach is an ``xfail(strict=True)`` whose reason carries the measured
value: it fails the moment the row lands in its band, so the table and the docs get updated.
The coated onset (27.97 %: session 10's rate-independent damage with the energy criterion,
session 13's contact stiffness Kc = K0; 25.32 % with d ≥ 0.99 on the session-6 mesh) sits 3.0
points inside its band (25–55 %, paper 39 %); what is robust about it is checked besides: the
coating delays debonding at least tenfold.

Every run is also held to its energy budget (summary.json ``energy_aJ``, problems/energy.py):
each balance closes within 1 % of its largest term, and each interface has dissipated at least
99 % of Gc on its debonded area (the criterion) and at most Gc on its damaged area, each up to
0.5 % for the two areas' different facet rules (measured 0.9984–1.73 and ≤ 0.999).
"""

import json
from pathlib import Path

import pytest

from nanoglue.case_file import load_case
from nanoglue.paper_table import IN, PAPER_TABLE, evaluate
from nanoglue.simulation import run_case

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
QUICK_ROWS = {  # row → the config's stop for the default run [% expansion]
    "bare-onset": 5.0,
    "surface-complete": None,  # the particle comes off near 30 %, which ends the run
    "coating-10nm": 56.0,
    "coating-40nm": 56.0,
}
OUT_OF_BAND = {  # measured with the configs as shipped (docs/calibration.md)
    "coated-complete": "no complete by 80 % (band 55–85 %): 7.95 of 52.7 nm of arc around the "
                       "axis stay bonded (d = 0 there), pressed down by the coating",
    "coating-5nm": "partial at 56 % (12.0 nm of arc bonded, 0.947 of the area); paper: full",
}

COATING_DELAY = 10.0  # the paper: 39 % / 1.6 % ≈ 24; measured 65 (27.97 % / 0.433 %)
FACET_RULES = 0.005  # the debonded/damaged areas and D are integrated with different facet rules


def _assert_energy_budget(directory: Path) -> None:
    """Both balances close within 1 % outside the steps an interface jumped in, every jump
    releases energy (none is created), and 0.99 Gc·A_debonded ≤ D ≤ Gc·A_damaged per interface."""
    energy = json.loads((directory / "summary.json").read_text(encoding="utf-8"))["energy_aJ"]
    for balance, residual in energy["largest_relative_residual"].items():
        assert residual < 0.01, (directory.name, balance, residual)
    for jump in energy["unstable_jumps"]:  # a jump releases energy into the interface
        assert jump["released_aJ"] > 0.0, (directory.name, jump)
    for name, bounds in energy["toughness_bounds"].items():
        low, high = (bounds["min_dissipated_over_Gc_debonded_area"],
                     bounds["max_dissipated_over_Gc_damaged_area"])
        assert low is None or low >= 0.99 - FACET_RULES, (directory.name, name, low)
        assert high <= 1.0 + FACET_RULES, (directory.name, name, high)


def _row(row_id: str):
    return next(row for row in PAPER_TABLE if row.row_id == row_id)


def _run(config: str, root: Path, stop=None) -> Path:
    overrides = {} if stop is None else {"sodiation.stop_expansion_percent": stop}
    directory = root / config
    run_case(load_case(CONFIGS / f"{config}.yaml", overrides), directory)
    return directory


def _verdict(row_id: str, directories: list[Path]) -> tuple[str, str]:
    found = [r for r in evaluate(directories) if r.row.row_id == row_id]
    assert len(found) == 1
    return found[0].verdict, found[0].measured


def _marks(row_id: str) -> list:
    reason = OUT_OF_BAND.get(row_id)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize("row_id", [pytest.param(row_id, id=row_id, marks=_marks(row_id))
                                    for row_id in QUICK_ROWS])
def test_paper_row_in_band(row_id, tmp_path):
    (config,) = _row(row_id).configs
    directory = _run(config, tmp_path, QUICK_ROWS[row_id])
    _assert_energy_budget(directory)
    verdict, measured = _verdict(row_id, [directory])
    assert verdict == IN, f"{row_id}: {measured}"


@pytest.fixture(scope="module")
def shipped_runs(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("paper-shipped")
    return [_run(config, root) for config in sorted({c for row in PAPER_TABLE for c in row.configs})]


@pytest.mark.slow
@pytest.mark.parametrize("row_id", [pytest.param(row.row_id, id=row.row_id,
                                                 marks=_marks(row.row_id))
                                    for row in PAPER_TABLE])
def test_paper_row_in_band_as_shipped(row_id, shipped_runs):
    verdict, measured = _verdict(row_id, shipped_runs)
    assert verdict == IN, f"{row_id}: {measured}"


@pytest.mark.slow
def test_every_paper_run_keeps_its_energy_budget(shipped_runs):
    """The bare and coated 6 nm runs among them: the acceptance of the energy issue."""
    for directory in shipped_runs:
        _assert_energy_budget(directory)


@pytest.mark.slow
def test_the_coating_delays_the_debonding_onset_tenfold(shipped_runs):
    """Bare 1.6 % against coated 6 nm 39 % in the paper: the coated Sn/CNF onset, at the edge of
    its band in value, is at least ``COATING_DELAY`` times the bare one."""
    onset = {}
    for directory in shipped_runs:
        summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
        onset[directory.name] = summary["debonding"]["onset_expansion_percent"].get(
            "particle_substrate")
    bare, coated = onset["paper-bare-interface"], onset["paper-coated-6nm"]
    assert bare is not None and coated is not None, onset
    assert coated >= COATING_DELAY * bare, onset
