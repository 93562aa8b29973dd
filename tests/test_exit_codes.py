"""Exit codes that tell the truth (README, "Exit codes"), for `run` and for `sweep`: 0 completed,
1 internal error, 2 bad input, 3 stopped by the solver, 130 / 138 / 143 interrupted by SIGINT /
SIGUSR1 / SIGTERM. Completed and bad input are also covered by test_cli, test_run and test_sweep; the
solver stop of `run` by test_run. The signals are sent to a real run in a subprocess once it
is stepping."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nanoglue.cli import app
from nanoglue.coupling import checkpoint
from nanoglue.errors import ExitCode, most_severe
from tests.test_cli import _stderr
from tests.coarse_case import coarse_case

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _long_case(tmp_path: Path) -> Path:
    """The bare interface case on a coarse mesh to 30 %: ~1 s per % expansion, long enough to
    be caught stepping; a snapshot every 0.5 %."""
    return coarse_case(tmp_path, "paper-bare-interface.yaml", 30.0, 0.5, "long.yaml")


def _start(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-m", "nanoglue.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _when_stepping(process: subprocess.Popen, curves: Path, rows: int = 3,
                   past_percent: float = 0.0) -> None:
    """Wait until ``curves`` has ``rows`` steps (the run is past meshing and compilation) and
    its last step is past ``past_percent`` of expansion."""
    deadline = time.monotonic() + 120

    def reached() -> bool:
        if not curves.exists() or len(curves.read_text().splitlines()) <= rows:
            return False
        try:
            return float(_rows(curves)[-1]["expansion_percent"]) > past_percent
        except (TypeError, ValueError):  # the last row is being written
            return False

    while not reached():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run did not start stepping"
        time.sleep(0.05)


def _signal_and_wait(process: subprocess.Popen, signum: int) -> tuple[int, str, float]:
    """Send ``signum``; (exit code, stderr, seconds from the signal to the exit)."""
    sent = time.monotonic()
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    return process.returncode, err, time.monotonic() - sent


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


# ------------------------------------------------------------------------------ run
def test_run_with_an_unexpected_exception_exits_1_with_one_line_and_the_traceback_kept(
        tmp_path, monkeypatch):
    def broken(*args):
        raise RuntimeError("an assembly went wrong")

    monkeypatch.setattr("nanoglue.simulation.run_case", broken)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(_long_case(tmp_path)), "-o", str(out)])
    assert result.exit_code == ExitCode.INTERNAL_ERROR == 1
    message = _stderr(result).strip()
    assert message == (f"error: internal error: RuntimeError: an assembly went wrong "
                       f"(traceback in {out / 'traceback.txt'}; please report it)")
    assert "Traceback" not in result.output
    assert 'raise RuntimeError("an assembly went wrong")' in (out / "traceback.txt").read_text()


def test_run_of_a_case_that_cannot_be_run_yet_exits_2_without_a_traceback(tmp_path):
    out = tmp_path / "out"
    case = _long_case(tmp_path)
    result = runner.invoke(app, ["run", str(case), "-o", str(out),
                                 "--set", "geometry.model=quarter-3d",
                                 "--set", "geometry.substrate.kind=fiber"])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert _stderr(result).strip() == (f"error: {case}: geometry.model: 'quarter-3d' can be "
                                       "meshed (nanoglue mesh) but not run yet")
    assert not out.exists()


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130),
                                          (signal.SIGUSR1, 138)])
def test_a_signalled_run_closes_its_outputs_and_exits_128_plus_the_signal(tmp_path, signum, code):
    """The run stops at its last accepted step: summary.json says "interrupted" and where, every
    snapshot fields.pvd lists opens, curves.csv ends at that state, and the checkpoint holds
    that state."""
    out = tmp_path / "out"
    process = _start(["run", str(_long_case(tmp_path)), "-o", str(out)])
    _when_stepping(process, out / "curves.csv", past_percent=0.5)  # a snapshot was written
    returncode, err, seconds = _signal_and_wait(process, signum)
    assert returncode == code, err
    assert seconds < 30
    name = signal.Signals(signum).name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "interrupted" and summary["signal"] == name
    assert summary["exit_code"] == code
    reached = summary["final"]["expansion_percent"]
    assert summary["message"].startswith(f"interrupted by {name} at {reached:.3f} % volume "
                                         f"expansion after {summary['steps']} steps")
    assert err.splitlines()[-1] == summary["message"]
    assert "Traceback" not in err
    curves = _rows(out / "curves.csv")
    assert len(curves) == summary["steps"]
    assert float(curves[-1]["expansion_percent"]) == pytest.approx(reached, rel=1e-9)
    snapshots = pvd_entries(out)
    marks = [row for row in curves if abs(float(row["expansion_percent"]) / 0.5
                                          - round(float(row["expansion_percent"]) / 0.5)) < 1e-9]
    assert len(snapshots) == 1 + len(marks) >= 2  # X = 0 and every 0.5 % passed
    meta = checkpoint.read_meta(out)  # the signal's checkpoint: the state the run stopped at
    assert meta["place"].step == summary["steps"] and meta["ranks"] == 1


def pvd_entries(out: Path) -> list:
    """Every snapshot fields.pvd lists, read with VTK's readers (what ParaView opens): the
    multiblocks, each with its region blocks and their points."""
    import pyvista

    reader = pyvista.get_reader(str(out / "fields.pvd"))
    snapshots = []
    for value in reader.time_values:
        reader.set_active_time_value(value)
        snapshot = reader.read()[0]
        regions = [snapshot[name].combine() for name in snapshot.keys()]  # the ranks' pieces
        assert len(regions) >= 2 and all(grid.n_points > 0 for grid in regions)
        snapshots.append(snapshot)
    return snapshots


# ------------------------------------------------------------------------------ sweep
def test_most_severe_code_of_the_points_is_the_sweeps():
    assert most_severe([]) == ExitCode.COMPLETED
    assert most_severe([ExitCode.COMPLETED, ExitCode.STOPPED]) == ExitCode.STOPPED
    assert most_severe([ExitCode.STOPPED, ExitCode.BAD_INPUT]) == ExitCode.BAD_INPUT
    assert most_severe([ExitCode.BAD_INPUT, ExitCode.INTERNAL_ERROR]) == ExitCode.INTERNAL_ERROR
    assert most_severe([ExitCode.INTERNAL_ERROR, ExitCode.SIGINT]) == ExitCode.SIGINT
    assert most_severe([ExitCode.SIGUSR1, ExitCode.SIGINT]) == ExitCode.SIGUSR1
    assert most_severe([ExitCode.SIGTERM, ExitCode.SIGUSR1]) == ExitCode.SIGTERM


def test_a_sweep_with_a_point_stopped_by_the_solver_exits_3(tmp_path):
    """One damage round per step stops its point at the first step (test_run); the other
    point completes. The table shows both with their messages."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(_long_case(tmp_path)), "-o", str(out),
                                 "--set", "solver.max_damage_rounds=1,200",
                                 "--set", "sodiation.stop_expansion_percent=0.4"])
    assert result.exit_code == ExitCode.STOPPED, result.output
    assert ("error: 1 of 2 points did not complete (stopped; see sweep.md and their run.log)"
            in _stderr(result))
    stopped, completed = _rows(out / "sweep.csv")
    assert stopped["status"] == "stopped" and completed["status"] == "completed"
    assert stopped["message"].startswith("stopped by the solver at 0.000 % volume expansion")
    assert "| stopped |" in (out / "sweep.md").read_text()


def _workers(parent: int) -> list[int]:
    """The pool's worker processes among the children of ``parent`` (not its resource
    tracker)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [int(pid) for pid in children
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def test_a_sweep_whose_worker_dies_exits_1_and_marks_the_point_crashed(tmp_path):
    """A worker killed from outside (as by the OOM killer) while its point steps."""
    out = tmp_path / "out"
    process = _start(["sweep", str(_long_case(tmp_path)), "-o", str(out),
                      "--set", "sodiation.c_rate=0.2"])
    _when_stepping(process, out / "c_rate=0.2" / "curves.csv")
    (worker,) = _workers(process.pid)
    os.kill(worker, signal.SIGKILL)
    _, err = process.communicate(timeout=60)
    assert process.returncode == ExitCode.INTERNAL_ERROR, err
    (row,) = _rows(out / "sweep.csv")
    assert row["status"] == "crashed" and row["message"].startswith("BrokenProcessPool")


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signalled_sweep_stops_its_workers_cleanly_and_exits_128_plus_the_signal(
        tmp_path, signum, code):
    """The signal goes to the sweep process only; it passes it on to its worker, whose point
    ends "interrupted" with its summary; the second point is not started; both are rows."""
    out = tmp_path / "out"
    process = _start(["sweep", str(_long_case(tmp_path)), "-o", str(out), "--workers", "1",
                      "--set", "sodiation.c_rate=0.2,0.3"])
    _when_stepping(process, out / "c_rate=0.2" / "curves.csv")
    returncode, err, seconds = _signal_and_wait(process, signum)
    assert returncode == code, err
    assert seconds < 30
    name = signal.Signals(signum).name
    interrupted, not_started = _rows(out / "sweep.csv")
    assert interrupted["status"] == "interrupted"
    assert interrupted["message"].startswith(f"interrupted by {name} at ")
    assert json.loads((out / "c_rate=0.2" / "summary.json").read_text())["exit_code"] == code
    assert not_started["status"] == "not started"
    assert not_started["message"] == f"the sweep was interrupted by {name}"
    assert not (out / "c_rate=0.3").exists()
