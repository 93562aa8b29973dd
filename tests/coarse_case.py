"""A bundled paper config written out coarser and shorter, for tests that run the CLI on it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COARSE_MESH = {"particle_size": 15.0, "far_size": 80.0}  # the interface sizing stays the case's


def coarse_case(tmp_path: Path, config: str, stop: float, snapshot_every: float,
                file_name: str = "") -> Path:
    """``configs/<config>`` on the coarse mesh, stopped at ``stop`` [%], a snapshot every
    ``snapshot_every`` [%], written to ``tmp_path/<file_name or config>``."""
    data = yaml.safe_load((ROOT / "configs" / config).read_text())
    data.setdefault("geometry", {})["mesh"] = dict(COARSE_MESH)
    data["sodiation"]["stop_expansion_percent"] = stop
    data["output"] = {"snapshot_every_percent": snapshot_every}
    path = tmp_path / (file_name or config)
    path.write_text(yaml.safe_dump(data))
    return path
