"""Property-based (hypothesis): a valid case with one field replaced by an arbitrary YAML value
— in the file, or through ``--set`` — is either a case or a refusal: exit 2, one line naming
that field (or a field inside it), never a traceback; and an unexpected error in loading is an
internal error, exit 1, not "bad input"."""

import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nanoglue.case_file import case_to_yaml, load_case
from nanoglue.cli import app
from tests.test_cli import ROOT, _stderr

runner = CliRunner()
BASE = load_case(ROOT / "configs" / "paper-coated-6nm.yaml")
RESOLVED = yaml.safe_load(case_to_yaml(BASE))


def _paths(data, prefix=()):
    """Every field path of the resolved case: sections and leaves."""
    for key, value in data.items():
        yield prefix + (key,)
        if isinstance(value, dict):
            yield from _paths(value, prefix + (key,))


PATHS = sorted(_paths(RESOLVED))
SCALARS = (st.none() | st.booleans() | st.integers(-10**70, 10**70)
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(string.printable, max_size=12))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(string.ascii_letters + "_", min_size=1,
                                                max_size=8), inner, max_size=3),
                      max_leaves=6)


def _mutated(path, value) -> dict:
    data = yaml.safe_load(case_to_yaml(BASE))
    section = data
    for key in path[:-1]:
        section = section[key]
    section[path[-1]] = value
    return data


def _names_the_field(message: str, path: tuple, case) -> bool:
    """``message`` is the one line 'error: CASE: FIELD: reason' with FIELD ``path``, a field
    inside it, or a cross-field check that names ``path`` in its reason."""
    dotted = ".".join(path)
    head = f"error: {case}: "
    if not message.startswith(head):
        return False
    field, _, reason = message[len(head):].partition(": ")
    return field == dotted or field.startswith(dotted + ".") or dotted in reason


@pytest.fixture(autouse=True)
def _loader_only(monkeypatch):
    """`validate` up to the loaded case: the machine's checks (PETSc, the mesh budget) have
    their own tests."""
    monkeypatch.setattr("nanoglue.cli.check_machine", lambda case, path, allow_large: None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=VALUES)
def test_a_case_with_one_field_mutated_loads_or_is_refused_naming_it(tmp_path, path, value):
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(_mutated(path, value)))
    result = runner.invoke(app, ["validate", str(case)])
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        message = _stderr(result).strip()
        assert len(message.splitlines()) == 1 and "Traceback" not in result.output
        assert _names_the_field(message, path, case), (path, value, message)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=VALUES)
def test_a_set_of_one_field_to_an_arbitrary_value_loads_or_is_refused_naming_it(path, value):
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    if text.endswith("..."):  # a plain scalar document end marker
        text = text[:-3].strip()
    case = ROOT / "configs" / "paper-coated-6nm.yaml"
    result = runner.invoke(app, ["run", str(case), "-o", "/nonexistent/never-written",
                                 "--set", f"{'.'.join(path)}={text}", "--resume", "--overwrite"])
    # --resume with --overwrite is refused after the case loaded: a loaded case ends there
    assert result.exit_code == 2, result.output
    message = _stderr(result).strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in result.output
    if "--resume goes on with the run" not in message:
        assert _names_the_field(message, path, case), (path, text, message)


def test_an_unexpected_error_while_loading_is_an_internal_error_not_bad_input(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("a bug in the loader")

    monkeypatch.setattr("nanoglue.case_file.load_case", broken)
    result = runner.invoke(app, ["validate", str(ROOT / "configs" / "paper-coated-6nm.yaml")])
    assert result.exit_code == 1
    message = _stderr(result).strip()
    assert message.startswith("error: internal error: KeyError: 'a bug in the loader' (traceback in ")
    assert len(message.splitlines()) == 1
