"""A full disk (a real one: a 1.5 MB tmpfs as the output directory) stops the run with one line
and exit code 1, leaves every snapshot fields.pvd lists readable and the last checkpoint
complete, and once there is room --resume finishes the run. Where no tmpfs can be mounted (not
root) the injected ENOSPC of tests/test_mpi_faults.py is what covers it."""

import csv
import os
import subprocess
import sys

import pytest

from nanoglue.coupling import checkpoint
from tests.coarse_case import coarse_case
from tests.test_exit_codes import ROOT, pvd_entries

STOP = 6.0  # [%]: the 1.5 MB are full at ~3 % (a snapshot every 0.5 %)


@pytest.fixture
def small_disk(tmp_path):
    """A 1.5 MB tmpfs mounted at tmp_path/disk for the test (skipped where mount is refused)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs",
                                            str(disk)], capture_output=True).returncode != 0:
        pytest.skip("no tmpfs can be mounted here (not root)")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def _run(args):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "nanoglue.cli", "run", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_a_full_disk_stops_with_one_line_keeps_what_is_complete_and_resumes(tmp_path, small_disk):
    case = coarse_case(tmp_path, "paper-bare-interface.yaml", STOP, 0.5)
    out = small_disk / "out"
    full = _run([str(case), "-o", str(out)])
    assert full.returncode == 1
    errors = [line for line in full.stderr.splitlines() if "error" in line.lower()]
    assert errors == [f"error: no space left for {out}: the run stopped; what was complete is "
                      "kept (the snapshots fields.pvd lists, curves.csv, the last checkpoint: "
                      "make room, then the same command with --resume)"]
    assert "Traceback" not in full.stderr and not list(out.glob("traceback*"))
    assert len(pvd_entries(out)) >= 2
    assert checkpoint.find(out) is not None and not (out / checkpoint.ASIDE).exists()
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    resumed = _run([str(case), "-o", str(out), "--resume"])
    assert resumed.returncode == 0, resumed.stderr
    with open(out / "curves.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["step"]) for row in rows] == list(range(1, len(rows) + 1))
    assert float(rows[-1]["expansion_percent"]) == pytest.approx(STOP, abs=1e-9)
