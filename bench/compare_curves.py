"""Compare two runs' curves.csv: the refactor check (same rows, every column within tolerance).

    python bench/compare_curves.py BEFORE/curves.csv AFTER/curves.csv [--rtol 1e-9] [--atol 1e-12]
                                   [--added-columns]

A value passes when |a − b| ≤ atol or |a − b| ≤ rtol·max(|a|, |b|); NaN equals NaN. Exits 1 on
any difference in the columns, the number of rows, or a value beyond tolerance.
``--added-columns``: AFTER may have columns BEFORE lacks (a commit that adds outputs); they are
listed, and every column of BEFORE must still be there and agree.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys


def read(path: str) -> tuple[list[str], list[list[float]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [[float(v) for v in row] for row in rows[1:]]


def close(a: float, b: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    difference = abs(a - b)
    return difference <= atol or difference <= rtol * max(abs(a), abs(b))


def compare(before: str, after: str, rtol: float, atol: float, added: bool = False) -> list[str]:
    """Problems found (empty: the two files agree)."""
    columns, old = read(before)
    new_columns, new = read(after)
    missing = [name for name in columns if name not in new_columns]
    extra = [name for name in new_columns if name not in columns]
    if missing or (extra and not added):
        return [f"columns differ: {sorted(set(columns) ^ set(new_columns))}"]
    if extra:
        print(f"added columns ({len(extra)}): {', '.join(extra)}")
    if len(old) != len(new):
        return [f"{len(old)} rows before, {len(new)} after"]
    problems = []
    for k, name in enumerate(columns):
        j = new_columns.index(name)
        pairs = [(a[k], b[j]) for a, b in zip(old, new)]
        bad = [i for i, (a, b) in enumerate(pairs) if not close(a, b, rtol, atol)]
        if bad:
            i = bad[0]
            problems.append(f"{name}: {len(bad)} rows off, first at row {i + 1}: "
                            f"{pairs[i][0]!r} vs {pairs[i][1]!r}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rtol", type=float, default=1e-9)
    parser.add_argument("--atol", type=float, default=1e-12)
    parser.add_argument("--added-columns", action="store_true")
    args = parser.parse_args()
    problems = compare(args.before, args.after, args.rtol, args.atol, args.added_columns)
    for line in problems:
        print(line)
    print(f"{args.after}: {'DIFFERS' if problems else 'same rows, every column within tolerance'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
