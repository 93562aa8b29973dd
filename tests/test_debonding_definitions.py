"""Onset and complete as defined in docs/model.md, on hand-made step states (no FEM)."""

import pytest

from nanoglue.case_file import case_from_mapping
from nanoglue.coupling.debonding import track_debonding
from nanoglue.coupling.run import RunRecord, StepState
from nanoglue.interfaces.cohesive import InterfaceState

CASE = case_from_mapping({"interfaces": {"onset_arc_length": 1.0}})
ARC = 60.0  # [nm] length of a made-up Sn/substrate contact


def _row(expansion: float, debonded_nm: float, axis_damage: float) -> StepState:
    contact = InterfaceState(debonded_area_fraction=debonded_nm / ARC,
                             debonded_arc_fraction=debonded_nm / ARC,
                             debonded_arc_nm=debonded_nm, bonded_arc_nm=ARC - debonded_nm,
                             damaged_area_fraction=0.0, max_opening_nm=0.0, penetration_nm=0.0,
                             axis_damage=axis_damage, area_nm2=ARC,
                             debonded_deformed_area_nm2=debonded_nm, damaged_deformed_area_nm2=0.0)
    return StepState(step=0, time_s=0.0, direction=1, state_of_charge=0.0,
                     coating_state_of_charge=0.0,
                     expansion_percent=expansion, mechanical_expansion_percent=0.0,
                     von_mises_max={}, plastic_strain_max=0.0, coating_strain_max=None,
                     c_min=0.0, c_max=0.0,
                     entry_c_min=0.0, interfaces={"particle_substrate": contact},
                     newton_iterations=0, damage_rounds=0, step_percent=0.0)


def _track(rows: list[dict]) -> RunRecord:
    record, previous = RunRecord(), None
    for row in rows:
        track_debonding(record.onset, record.complete, previous, row, CASE)
        previous = row
    return record


def test_onset_and_complete_are_interpolated_where_the_arcs_cross_one_nm():
    """Debonded arc 0 → 3 nm between X = 1 and 2 % crosses 1 nm at X = 4/3 %; bonded arc
    4 → 0 nm between X = 50 and 60 % crosses 1 nm at X = 57.5 %."""
    record = _track([_row(1.0, 0.0, 0.0), _row(2.0, 3.0, 0.0), _row(50.0, 56.0, 0.0),
                     _row(60.0, 60.0, 1.0)])
    assert record.onset["particle_substrate"] == pytest.approx(4.0 / 3.0)
    assert record.complete["particle_substrate"] == pytest.approx(57.5)


def test_a_debonded_patch_on_the_axis_is_not_completion():
    """The axis debonds (d = 1 there) while a ring of the contact is still bonded: not complete."""
    record = _track([_row(1.0, 0.0, 0.0), _row(20.0, 40.0, 1.0), _row(40.0, 50.0, 1.0)])
    assert "particle_substrate" in record.onset
    assert record.complete == {}
