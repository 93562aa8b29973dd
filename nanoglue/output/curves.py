"""Per-step table of a run (``curves.csv``), written by rank 0 as the run goes."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Mapping, Optional, Sequence

from nanoglue.parallel import is_root


class CurveWriter:
    """Append one row per accepted step; the file is complete after every row (flushed).

    Floats are written with ``repr`` (17 significant digits) so that serial and parallel runs
    can be compared to round-off.
    """

    def __init__(self, path: Path, columns: Sequence[str], keep: Optional[int] = None):
        """``keep``: go on after the first ``keep`` rows of the file there (a resumed run; the
        rows after them are dropped, the columns must be the same)."""
        self.columns = list(columns)
        self._file = None
        if not is_root():
            return
        if keep is not None:
            with open(path, newline="", encoding="utf-8") as handle:
                lines = list(csv.reader(handle))
            if lines[0] != self.columns:
                raise ValueError(f"{path}: its columns are not this run's")
            aside = path.with_name(path.name + ".tmp")
            with open(aside, "w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerows(lines[:keep + 1])
            os.replace(aside, path)
        self._file = open(path, "a" if keep is not None else "w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        if keep is None:
            self._writer.writerow(self.columns)
        self._file.flush()

    def write(self, row: Mapping[str, float]) -> None:
        missing = set(self.columns) - set(row)
        if missing:
            raise KeyError(f"curve row lacks {sorted(missing)}")
        if self._file is not None:
            self._writer.writerow([_text(row[name]) for name in self.columns])
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _text(value) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def read_curves(path: Path) -> dict[str, list[float]]:
    """Column name → values of a ``curves.csv`` (numbers as floats)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {name: [float(row[name]) for row in rows] for name in (rows[0] if rows else {})}
