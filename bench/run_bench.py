"""Benchmark: the bare and the coated 6 nm paper cases to 70 % volume expansion, timed.

    python bench/run_bench.py [--refine F] [--stop 70] [--out bench-out] [--set K=V ...] [CASE ...]

Each case first runs a few tiny steps (0.3 %) so that FFCx compiles its forms outside the timed
run (design: JIT is not counted in benchmarks), then the timed run writes its usual outputs into
OUT/<case>[-refine-F]/. ``--refine F`` divides every element size of the case (interface,
particle, far field) by F and multiplies the elements across the coating by F; ``--step-refine S``
divides the first and the largest volume-expansion step by S. The convergence study is
``--refine 1`` against ``--refine 2`` (mesh) and ``--step-refine 2`` (steps); ``--set K=V``
overrides a config key first (e.g. the resolved-front study of docs/calibration.md:
``--set sodiation.diffusivity.low=1 --set geometry.mesh.interface_size=1.4 --set
geometry.mesh.particle_size=4``). Printed (and
written to OUT/bench.md): steps, LU factorisations, wall time of the stepping split into
assembly / LU factorisation / other linear solves (substitutions, transport) / constitutive
updates / other (from summary.json's ``time_split_seconds``; timings of rank 0), onset and
completion per interface; the cell count and memory estimated before meshing (``budget``)
beside the measured cells and the process's peak resident memory so far (rank 0; it includes
the cases before). Under ``mpirun -n N`` every rank runs the same cases together.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import resource
import time
from pathlib import Path
from typing import Optional

from mpi4py import MPI

from nanoglue.budget import memory_needed
from nanoglue.case_file import load_case
from nanoglue.geometry.estimate import estimate_cells
from nanoglue.geometry.sizing import interface_sizing
from nanoglue.parallel import is_root
from nanoglue.simulation import run_case
from nanoglue.sweep import parse_overrides

CASES = ["configs/paper-bare-interface.yaml", "configs/paper-coated-6nm.yaml"]
KINDS = ["assembly", "factorization", "linear_solve", "constitutive", "other"]


def refined(path: str, refine: float, stop: float, step_refine: float = 1.0,
            settings: Optional[dict] = None):
    """The case of ``path`` with the ``settings`` overrides, stopped at ``stop`` %, every element
    size divided by ``refine``, the first and the largest step by ``step_refine``."""
    settings = dict(settings or {})
    case = load_case(path, {**settings, "sodiation.stop_expansion_percent": stop})
    mesh, solver = case.geometry.mesh, case.solver
    interface = mesh.interface_size or interface_sizing(case).interface_size
    overrides = {
        "solver.first_step_percent": solver.first_step_percent / step_refine,
        "solver.max_step_percent": solver.max_step_percent / step_refine,
        "sodiation.stop_expansion_percent": stop,
        "geometry.mesh.interface_size": interface / refine,
        "geometry.mesh.particle_size": mesh.particle_size / refine,
        "geometry.mesh.far_size": mesh.far_size / refine,
        "geometry.mesh.coating_elements": max(1, round(mesh.coating_elements * refine)),
    }
    return load_case(path, {**settings, **overrides})


def study_label(refine: float, step_refine: float, settings: Optional[dict] = None) -> str:
    """'' for the case as given, else e.g. '-refine-2-steps-2' (+ '-low=1' per --set)."""
    label = "" if refine == 1 else f"-refine-{refine:g}"
    label += "" if step_refine == 1 else f"-steps-{step_refine:g}"
    return label + "".join(f"-{key.rsplit('.', 1)[-1]}={value}"
                           for key, value in (settings or {}).items())


def quietly(function, *args):
    """Run ``function`` with its console output swallowed (the warm-up)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args)


def bench_case(path: str, refine: float, stop: float, out: Path, step_refine: float = 1.0,
               settings: Optional[dict] = None) -> dict:
    case = refined(path, refine, stop, step_refine, settings)
    label = case.name + study_label(refine, step_refine, settings)
    warm = case.model_copy(update={"sodiation": case.sodiation.model_copy(
        update={"stop_expansion_percent": 0.3})})
    quietly(run_case, warm, out / f"{label}-warmup")
    start = time.perf_counter()
    summary = run_case(case, out / label)
    total = time.perf_counter() - start
    estimate = estimate_cells(case)
    split = summary["time_split_seconds"]
    row = {
        "case": label,
        "cells": summary["mesh"]["cells"],
        "estimated_cells": estimate.cells,
        "estimated_MiB": memory_needed(case, estimate, MPI.COMM_WORLD.size) / 2**20,
        "peak_rss_MiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
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
    parser.add_argument("--step-refine", type=float, default=1.0)
    parser.add_argument("--stop", type=float, default=70.0)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="KEY=VALUE", help="config override applied to every case "
                        "before --refine (repeatable), as `nanoglue run --set`")
    args = parser.parse_args()
    settings = parse_overrides(args.settings)
    rows = [bench_case(path, args.refine, args.stop, args.out, args.step_refine, settings)
            for path in args.cases]
    if not is_root():
        return
    table = markdown(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"bench{study_label(args.refine, args.step_refine, settings)}.md"
    (args.out / name).write_text(table, encoding="utf-8")
    (args.out / name).with_suffix(".json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
