"""Benchmark: the bare and the coated 6 nm paper cases to 70 % volume expansion, timed.

    python bench/run_bench.py [--refine F] [--stop 70] [--out bench-out] [CASE ...]

Each case first runs a few tiny steps (0.3 %) so that FFCx compiles its forms outside the timed
run (design: JIT is not counted in benchmarks), then the timed run writes its usual outputs into
OUT/<case>[-refine-F]/. ``--refine F`` divides every element size of the case (interface,
particle, far field) by F and multiplies the elements across the coating by F: the mesh study is
``--refine 1`` against ``--refine 2``. Printed (and written to OUT/bench.md): steps, linear
solves, wall time of the stepping split into assembly / LU factorisation / other linear solve
(substitutions, transport) / constitutive updates /
other (from summary.json's ``time_split_seconds``; timings of rank 0), onset and completion per
interface. Under ``mpirun -n N`` every rank runs the same cases together.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import time
from pathlib import Path

from mpi4py import MPI

from nanoglue.case_file import load_case
from nanoglue.geometry.sizing import interface_sizing
from nanoglue.parallel import is_root
from nanoglue.simulation import run_case

CASES = ["configs/paper-bare-interface.yaml", "configs/paper-coated-6nm.yaml"]
KINDS = ["assembly", "factorization", "linear_solve", "constitutive", "other"]


def refined(path: str, refine: float, stop: float):
    """The case of ``path`` stopped at ``stop`` %, every element size divided by ``refine``."""
    case = load_case(path, {"sodiation.stop_expansion_percent": stop})
    mesh = case.geometry.mesh
    interface = mesh.interface_size or interface_sizing(case).interface_size
    overrides = {
        "sodiation.stop_expansion_percent": stop,
        "geometry.mesh.interface_size": interface / refine,
        "geometry.mesh.particle_size": mesh.particle_size / refine,
        "geometry.mesh.far_size": mesh.far_size / refine,
        "geometry.mesh.coating_elements": max(1, round(mesh.coating_elements * refine)),
    }
    return load_case(path, overrides)


def quietly(function, *args):
    """Run ``function`` with its console output swallowed (the warm-up)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args)


def bench_case(path: str, refine: float, stop: float, out: Path) -> dict:
    case = refined(path, refine, stop)
    label = case.name + ("" if refine == 1 else f"-refine-{refine:g}")
    warm = case.model_copy(update={"sodiation": case.sodiation.model_copy(
        update={"stop_expansion_percent": 0.3})})
    quietly(run_case, warm, out / f"{label}-warmup")
    start = time.perf_counter()
    summary = run_case(case, out / label)
    total = time.perf_counter() - start
    split = summary["time_split_seconds"]
    row = {
        "case": label,
        "cells": summary["mesh"]["cells"],
        "steps": summary["steps"],
        "ranks": MPI.COMM_WORLD.size,
        "factorizations": split.get("factorization", {}).get("count", 0),
        "total_s": total,
        "stepping_s": summary["wall_seconds"],
    }
    row.update({f"{kind}_s": split.get(kind, {}).get("seconds", 0.0) for kind in KINDS})
    debonding = summary["debonding"]
    for name, value in debonding["onset_expansion_percent"].items():
        row[f"onset_{name}"] = value
    for name, value in debonding["complete_expansion_percent"].items():
        row[f"complete_{name}"] = value
    row["held"] = debonding["held"]
    return row


def markdown(rows: list[dict]) -> str:
    keys = list(dict.fromkeys(k for row in rows for k in row))

    def shown(value):
        if isinstance(value, float):
            return "–" if math.isnan(value) else f"{value:.2f}"
        return "–" if value is None else str(value)

    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(shown(row.get(k)) for k in keys) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=CASES)
    parser.add_argument("--refine", type=float, default=1.0)
    parser.add_argument("--stop", type=float, default=70.0)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    args = parser.parse_args()
    rows = [bench_case(path, args.refine, args.stop, args.out) for path in args.cases]
    if not is_root():
        return
    table = markdown(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    name = "bench.md" if args.refine == 1 else f"bench-refine-{args.refine:g}.md"
    (args.out / name).write_text(table, encoding="utf-8")
    (args.out / name).with_suffix(".json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
