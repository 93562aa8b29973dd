"""The case schema: paper defaults, bundled configs, and one clear error per kind of bad input."""

from pathlib import Path

import pytest
import yaml

from nanoglue import CaseError, load_case
from nanoglue.case_file import case_from_mapping, case_to_yaml
from nanoglue.interfaces.laws import Exponential

CONFIGS = sorted(Path(__file__).resolve().parents[1].joinpath("configs").glob("*.yaml"))


def test_defaults_are_the_papers_values():
    """Han et al. 2014 SI: Sn E 30 / σY 2 GPa, CNF 200, Na–Al–O 100 GPa; Gc 0.5 / 20 / 20; C/5."""
    case = case_from_mapping({})
    m, i, s = case.materials, case.interfaces, case.sodiation
    assert (m.particle.young, m.particle.yield_stress) == (30.0, 2.0)
    assert (m.substrate.young, m.coating.young) == (200.0, 100.0)
    assert m.substrate.yield_stress is None and m.coating.yield_stress is None
    assert i.particle_substrate.toughness == 0.5
    assert i.particle_coating.toughness == i.coating_substrate.toughness == 20.0
    assert s.c_rate == pytest.approx(1 / 5)
    assert s.expansion == pytest.approx(4.2)  # 420 % at Na15Sn4
    assert s.diffusivity.plateau * 3.75 == pytest.approx(0.5)  # first stage Na0.5Sn


def test_exponential_law_stiffness_follows_from_strength_and_toughness():
    law = case_from_mapping({"interfaces": {"particle_substrate": {"law": "exponential"}}})
    law = law.interfaces.particle_substrate
    assert Exponential.initial_stiffness(law) == pytest.approx(2.718281828459045**2 * 1.0**2 / 0.5)


def test_partial_entry_keeps_that_entrys_other_defaults():
    case = case_from_mapping({"interfaces": {"particle_substrate": {"strength": 2.0}}})
    assert case.interfaces.particle_substrate.toughness == 0.5
    assert case.interfaces.particle_substrate.strength == 2.0


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_bundled_configs_validate_and_round_trip(path):
    case = load_case(path)
    again = case_from_mapping(yaml.safe_load(case_to_yaml(case)))
    assert again == case


def test_overrides_set_dotted_keys():
    case = load_case(CONFIGS[0].parent / "paper-coated-6nm.yaml", {"geometry.coating.thickness": 10})
    assert case.geometry.coating.thickness == 10.0


def test_an_override_inside_a_section_the_file_leaves_out_keeps_its_defaults():
    """paper-bare-interface.yaml has no sodiation.diffusivity: setting one field of it keeps the
    default two-stage model's other fields (it used to fail on the missing 'model' tag)."""
    case = load_case(CONFIGS[0].parent / "paper-bare-interface.yaml",
                     {"sodiation.diffusivity.high": 45.0})
    assert case.sodiation.diffusivity.model == "two-stage"
    assert case.sodiation.diffusivity.high == 45.0
    assert case.sodiation.diffusivity.low == load_case(
        CONFIGS[0].parent / "paper-bare-interface.yaml").sodiation.diffusivity.low


# (yaml text, field path the message must name, words the reason must contain)
BAD_CASES = {
    "1e308 (overflowed in the mesh estimate)": ("geometry:\n  mesh:\n    far_size: 1.0e+308\n",
                                                "geometry.mesh.far_size", "beyond any scale"),
    "1e51 written as YAML 1.1 reads a string": ("sodiation:\n  c_rate: 1e51\n",
                                               "sodiation.c_rate", "beyond any scale"),
    "unknown key": ("geometry:\n  particle_radus: 90\n", "geometry.particle_radus", "did you mean"),
    "wrong type": ("geometry:\n  particle_radius: big\n", "geometry.particle_radius", "number"),
    "negative size": ("geometry:\n  particle_radius: -5\n", "geometry.particle_radius", "greater than 0"),
    "zero size": ("geometry:\n  crater_depth: 0\n", "geometry.crater_depth", "greater than 0"),
    "coating thicker than particle": (
        "geometry:\n  coating: {thickness: 95}\nsodiation: {route: through-coating}\n",
        "geometry.coating.thickness",
        "particle radius",
    ),
    "crater deeper than particle": (
        "geometry:\n  particle_radius: 50\n  crater_depth: 120\n",
        "geometry.crater_depth",
        "diameter",
    ),
    "unknown route": ("sodiation:\n  route: osmosis\n", "sodiation.route", "substrate-interface"),
    "route without its coating": ("sodiation:\n  route: through-coating\n", "sodiation.route", "coating"),
    "coating diffusivity without the coating route": (
        "sodiation: {coating_diffusivity: 100}\n", "sodiation.coating_diffusivity", "through-coating"
    ),
    "contact entry on the contact route": (
        "sodiation: {through_contact: true}\n", "sodiation.through_contact", "alone"
    ),
    "coating extent inside the rim": (
        "geometry:\n  coating: {thickness: 6, extent: 20}\nsodiation: {route: through-coating}\n",
        "geometry.coating.extent",
        "rim",
    ),
    "unreachable stop": ("sodiation:\n  stop_expansion_percent: 500\n", "sodiation.stop_expansion_percent", "420"),
    "exponential with stiffness": (
        "interfaces:\n  particle_substrate: {law: exponential, stiffness: 50}\n",
        "interfaces.particle_substrate.stiffness",
        "exponential",
    ),
    "infinite number": ("sodiation: {c_rate: .inf}\n", "sodiation.c_rate", "finite"),
    "not a number": ("materials:\n  particle: {young: .nan}\n", "materials.particle.young",
                     "finite"),
    "yes for a number": ("sodiation: {c_rate: on}\n", "sodiation.c_rate", "yes/no"),
    "yes in a list of numbers": ("output: {snapshot_at_percent: [1, yes]}\n",
                                 "output.snapshot_at_percent", "yes/no"),
    "stop not beyond the initial state": ("sodiation:\n  initial: {value: 0.1}\n  stop_expansion_percent: 30\n",
                                          "sodiation.stop_expansion_percent", "initial state"),
    "min step above max": ("solver: {min_step_percent: 2, max_step_percent: 1}\n",
                           "solver.min_step_percent", "above"),
    "snapshots without end": ("output: {snapshot_every_percent: 1.0e-300}\n",
                              "output.snapshot_every_percent", "at most"),
    "a name that is a path": ("name: ../../elsewhere\n", "name", "plain file name"),
    "a name Rich cannot print": ("name: 'run[/]'\n", "name", "plain file name"),
    "not a mapping": ("- geometry\n- materials\n", "case.yaml", "mapping"),
    "not YAML": ("geometry: {particle_radius: 90\n", "case.yaml", "not valid YAML"),
    "empty file": ("", "case.yaml", "empty"),
    "duplicate key": ("geometry:\n  crater_depth: 10\n  crater_depth: 20\n", "case.yaml", "twice"),
    "a list as a key (was a TypeError traceback)": ("? [1, 2]\n: 3\n", "case.yaml", "a list as a key"),
    "3000-deep nesting (was a RecursionError traceback)": (
        "a:" + " {b:" * 3000 + " 1" + "}" * 3000 + "\n", "case.yaml", "nests deeper"),
}


@pytest.mark.parametrize("text, field, reason", BAD_CASES.values(), ids=BAD_CASES.keys())
def test_bad_input_names_the_field(tmp_path, text, field, reason):
    path = tmp_path / "case.yaml"
    path.write_text(text)
    with pytest.raises(CaseError) as err:
        load_case(path)
    message = str(err.value)
    assert field in message and reason in message
    assert "\n" not in message


def test_a_device_is_refused_before_reading():
    """/dev/zero would be read until memory runs out."""
    with pytest.raises(CaseError) as err:
        load_case(Path("/dev/zero"))
    assert "not a regular file" in str(err.value)


def test_a_huge_case_file_is_refused_unread(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("# " + "x" * 2_000_000 + "\n")
    with pytest.raises(CaseError) as err:
        load_case(path)
    assert "a case file is a few kB" in str(err.value)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(CaseError, match="file not found"):
        load_case(tmp_path / "nope.yaml")
    with pytest.raises(CaseError, match="directory"):
        load_case(tmp_path)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00geometry")
    with pytest.raises(CaseError, match="cannot be read"):
        load_case(binary)
