"""The default damage update runs through a stall (interfaces.damage_viscosity null): where the
rate-independent update cannot follow the path (a refused step cut below
solver.min_step_percent), the viscous law takes over until d has caught up with d(κ).

The case is the one issue #17 found stalling: a bare particle with Na through its whole surface,
R 120 nm, crater 20 nm, nothing tuned (measured on the default mesh: rate-independent, stopped at
19.89 % after 9 refused steps, no onset; default, detached at 26.0 %: onset 19.91 %, complete
25.79 %, one stall relieved by one viscous step)."""

import pytest

from nanoglue.case_file import case_from_mapping
from nanoglue.coupling.coupled import CoupledProblem
from nanoglue.coupling.run import run_steps
from nanoglue.fem.mesh import build_mesh
from tests.recording import Recording

ISSUE_CASE = {"geometry": {"particle_radius": 120.0, "crater_depth": 20.0},
              "sodiation": {"route": "whole-surface", "stop_expansion_percent": 50.0}}


def _run(mapping: dict):
    """(RunRecord, curves.csv rows) of a run of ``mapping``."""
    case = case_from_mapping(mapping)
    record = Recording()
    return run_steps(CoupledProblem(case, build_mesh(case)), case, record, record), record.rows


def _assert_detached_cleanly(result, toughness: float = 0.5):
    """The particle comes off (onset, then the whole contact), and the energy the interface
    dissipated covers Gc over its debonded area: the event was traversed, not skipped."""
    assert result.status == "detached", result.message
    onset, complete = result.onset["particle_substrate"], result.complete["particle_substrate"]
    assert 0.0 < onset < complete < 50.0
    assert result.toughness_bounds["particle_substrate"][0] >= 0.99


def test_a_coarse_stall_is_passed_by_the_viscous_relief_and_nowhere_else():
    """Coarse mesh, the smallest step raised to 0.05 % so that its hardest event is a stall
    (~38 s for both runs): the rate-independent update (damage_viscosity 0) stops there; the
    default follows the very same path up to the stall, relieves it and comes off (measured:
    25 of 83 steps viscous)."""
    coarse = {**ISSUE_CASE, "geometry": {**ISSUE_CASE["geometry"], "mesh": {
        "particle_size": 15.0, "far_size": 80.0}}, "solver": {"min_step_percent": 0.05}}
    stalled, before = _run({**coarse, "interfaces": {"damage_viscosity": 0.0}})
    assert stalled.status == "stopped" and stalled.stalls_relieved == 0
    relieved, rows = _run(coarse)
    assert rows[:len(before)] == before  # rate-independent, bit for bit, until the stall
    _assert_detached_cleanly(relieved)
    assert relieved.stalls_relieved >= 1
    assert 0 < relieved.viscous_steps < relieved.steps // 2
    _assert_jumps_released_energy(relieved, rows)


def _assert_jumps_released_energy(result, rows):
    """Every relieved stall is an unstable jump on record: where it started and ended, and the
    energy it released (dissipated beyond the law's D(κ), > 0), which the curves.csv rows
    flagged ``stall_relief`` add up to from the viscous column."""
    jumps = result.unstable_jumps
    assert len(jumps) == result.stalls_relieved
    assert sum(row["stall_relief"] for row in rows) == result.viscous_steps
    column = "energy_particle_substrate_viscous_aJ"
    increments = [now[column] - before[column] for before, now in zip(rows, rows[1:])
                  if now["stall_relief"]]
    released = [jump["released_aJ"]["particle_substrate"] for jump in jumps]
    assert all(value > 0 for value in released), released
    assert sum(released) == pytest.approx(sum(increments), rel=1e-9)
    for jump in jumps:
        assert jump["from_percent"] <= jump["to_percent"]


@pytest.mark.slow
def test_the_untuned_case_that_stalled_runs_to_detachment_with_defaults():
    """The issue's case on the default mesh, every default: it stalled (rate-independent: stopped
    before any onset) and now comes off cleanly (145 s for both runs)."""
    stalled, _ = _run({**ISSUE_CASE, "interfaces": {"damage_viscosity": 0.0}})
    assert stalled.status == "stopped" and not stalled.onset
    relieved, rows = _run(ISSUE_CASE)
    _assert_detached_cleanly(relieved)
    assert relieved.stalls_relieved >= 1
    _assert_jumps_released_energy(relieved, rows)
