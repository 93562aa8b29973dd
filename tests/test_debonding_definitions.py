"""Onset and complete as defined in docs/model.md, on hand-made curves rows (no FEM)."""

import pytest

from nanoglue.case_file import case_from_mapping
from nanoglue.coupling.run import RunRecord, _track_debonding

CASE = case_from_mapping({"interfaces": {"onset_arc_length": 1.0}})
ARC = 60.0  # [nm] length of a made-up Sn/substrate contact


def _row(expansion: float, debonded_nm: float, axis_damage: float) -> dict:
    return {"expansion_percent": expansion,
            "particle_substrate_debonded_arc_nm": debonded_nm,
            "particle_substrate_bonded_arc_nm": ARC - debonded_nm,
            "particle_substrate_axis_damage": axis_damage}


def _track(rows: list[dict]) -> RunRecord:
    record, previous = RunRecord(), None
    for row in rows:
        _track_debonding(record, previous, row, CASE)
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
