"""An error on one MPI rank ends every rank (no hang): one line from the failing rank naming
it (a bug: with its traceback file; a full disk: saying what is kept), exit code 1 from mpirun;
the checkpoint written before the error resumes. Run under -n 2 and -n 3 with the fault on a
non-root rank (tests/fault_on_rank.py)."""

import os
import subprocess
import sys
import time

import pytest

from nanoglue.coupling import checkpoint
from tests.coarse_case import coarse_case
from tests.test_exit_codes import ROOT
from tests.test_resume import mpirun


@pytest.mark.parametrize("ranks, kind", [(2, "bug"), (2, "disk"),
                                         pytest.param(3, "bug", marks=pytest.mark.slow)])
def test_a_fault_on_one_rank_ends_every_rank_with_exit_1(tmp_path, ranks, kind):
    case = coarse_case(tmp_path, "paper-bare-interface.yaml", 2.0, 1.0)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    start = time.monotonic()
    result = subprocess.run([*mpirun(ranks), sys.executable, str(ROOT / "tests" / "fault_on_rank.py"),
                             "1", kind, "run", str(case), "-o", str(out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert time.monotonic() - start < 120
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    if kind == "bug":
        assert lines == [f"error: rank 1: internal error: RuntimeError: an assembly went wrong "
                         f"(injected on one rank) (traceback in {out / 'traceback-rank1.txt'}; "
                         "please report it)"]
        assert "injected on one rank" in (out / "traceback-rank1.txt").read_text()
    else:
        assert lines == [f"error: rank 1: no space left for {out}: the run stopped; what was "
                         "complete is kept (the snapshots fields.pvd lists, curves.csv, the last "
                         "checkpoint: make room, then the same command with --resume)"]
        assert not list(out.glob("traceback*"))
    assert checkpoint.read_meta(out)["place"].step == 0  # the one at X = 0: resumable
