"""Wire one case: Case → mesh → (physics) → outputs. The CLI calls these; so can a script."""

from __future__ import annotations

import json
from pathlib import Path

from nanoglue.case_file import case_to_yaml
from nanoglue.config import Case
from nanoglue.parallel import barrier, is_root

PHYSICS_PENDING = (
    "The coupled sodiation/mechanics/cohesive solve is not implemented yet (issues #4 and #5): "
    "this run validated the case and built the mesh, and stopped there."
)


def _say(message: str) -> None:
    if is_root():
        print(message, flush=True)


def mesh_case(case: Case, directory: Path) -> dict:
    """Build the mesh of ``case`` and write mesh.xdmf, tags.json and mesh.png into ``directory``."""
    from nanoglue.geometry.build import build_mesh
    from nanoglue.geometry.export import format_mesh_report, write_mesh_outputs

    bundle = build_mesh(case)
    if is_root():
        directory.mkdir(parents=True, exist_ok=True)
    barrier()
    stats = write_mesh_outputs(bundle, directory)
    _say(format_mesh_report(stats))
    _say(f"mesh written to {directory}/")
    return stats


def run_case(case: Case, directory: Path) -> dict:
    """Run ``case`` into ``directory``: resolved case.yaml, mesh outputs, summary.json."""
    stats = mesh_case(case, directory)
    summary = {
        "case": case.name,
        "status": "meshed-only",
        "note": PHYSICS_PENDING,
        "mesh": stats,
    }
    if is_root():
        (directory / "case.yaml").write_text(case_to_yaml(case), encoding="utf-8")
        (directory / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    _say(PHYSICS_PENDING)
    return summary
