"""The layer order of docs/architecture.md holds: import-linter's contracts in pyproject.toml
(layers import downwards only; no import cycles between a package's modules) are all kept."""

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_import_contracts_are_kept():
    """lint-imports exits 0 (a broken contract prints the offending import chain)."""
    assert lint_imports(config_filenames=(str(PYPROJECT),), no_cache=True, no_logo=True) == 0
