"""The paper's table (nanoglue/paper_table.py, docs/calibration.md) as band checks on the
bundled paper configs, run end to end with ``run_case`` and judged by ``nanoglue report``'s rows.

Default run: every config at a coarse resolution (particle 16 nm, far field 80 nm, 2 elements
through the coating; the interface sizing stays the case's own l_cz/3). ``-m slow``: the configs
as shipped. A row this model does not reach is an ``xfail(strict=True)`` whose reason carries the
measured value (docs/calibration.md says why): it fails the moment the row lands in its band, so
the table and the docs get updated.
"""

from pathlib import Path

import pytest

from nanoglue.case_file import load_case
from nanoglue.paper_table import IN, PAPER_TABLE, evaluate
from nanoglue.simulation import run_case

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
COARSE = {"geometry.mesh.particle_size": 16.0, "geometry.mesh.far_size": 80.0,
          "geometry.mesh.coating_elements": 2, "output.snapshot_every_percent": 20.0}
SHIPPED = {}

# Rows out of band, per resolution: the measured value (see docs/calibration.md).
OUT_OF_BAND = {
    "coarse": {
        "coated-onset": "measured 12–14 % (band 25–55 %): the Sn/CNF contact opens in mode I "
                        "under the core–shell tension; no single Sn/CNF strength also keeps the "
                        "bare onset in band",
        "coated-complete": "the Sn/CNF interface is gone at ~20 % (band 55–85 %)",
        "coating-40nm": "0.6–0.9 debonded at 56 % (band ≤ 0.01)",
    },
    "shipped": {
        "bare-complete": "held past 70 % (complete at 81–99 % on this mesh; not mesh-converged)",
        "coated-onset": "measured 12.7 % (band 25–55 %)",
        "coated-complete": "measured 20.0 %, held (band 55–85 %)",
        "coating-40nm": "measured 0.877 at 56 % (band ≤ 0.01)",
    },
}


def _run_all(root: Path, overrides: dict) -> list[Path]:
    """Every paper config run into root/<config>/ with ``overrides``."""
    directories = []
    for config in sorted({name for row in PAPER_TABLE for name in row.configs}):
        directory = root / config
        run_case(load_case(CONFIGS / f"{config}.yaml", overrides), directory)
        directories.append(directory)
    return directories


@pytest.fixture(scope="module")
def coarse_verdicts(tmp_path_factory):
    return _verdicts(_run_all(tmp_path_factory.mktemp("paper-coarse"), COARSE))


@pytest.fixture(scope="module")
def shipped_verdicts(tmp_path_factory):
    return _verdicts(_run_all(tmp_path_factory.mktemp("paper-shipped"), SHIPPED))


def _verdicts(directories: list[Path]) -> dict[str, tuple[str, str]]:
    return {result.row.row_id: (result.verdict, result.measured)
            for result in evaluate(directories)}


def _rows(resolution: str, *marks) -> list:
    known = OUT_OF_BAND[resolution]
    return [pytest.param(row.row_id, id=row.row_id, marks=[
        *marks, *([pytest.mark.xfail(strict=True, reason=known[row.row_id])]
                  if row.row_id in known else [])]) for row in PAPER_TABLE]


@pytest.mark.parametrize("row_id", _rows("coarse"))
def test_paper_row_in_band_at_coarse_resolution(row_id, coarse_verdicts):
    verdict, measured = coarse_verdicts[row_id]
    assert verdict == IN, f"{row_id}: {measured}"


@pytest.mark.parametrize("row_id", _rows("shipped", pytest.mark.slow))
def test_paper_row_in_band_as_shipped(row_id, shipped_verdicts):
    verdict, measured = shipped_verdicts[row_id]
    assert verdict == IN, f"{row_id}: {measured}"
