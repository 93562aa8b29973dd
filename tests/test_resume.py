"""Checkpoint and resume (coupling/checkpoint.py): a run killed outright (SIGKILL: nothing of
the run's own shutdown happens) resumes from its last checkpoint to the very curves of a run that
was never stopped — serial bit for bit, on 2 MPI ranks (whose partition is not the same from
one process to the next) within 1e-10 of each column's scale — and every snapshot written before
the kill still opens. A changed case is refused with exit 2 before anything is written."""

import json
import os
import pickle
import shlex
import signal
import subprocess
import sys
import time

import pytest
import yaml

from nanoglue.coupling import checkpoint
from nanoglue.run_directory import LOCK
from tests.coarse_case import coarse_case
from tests.test_exit_codes import ROOT, _rows, _when_stepping, pvd_entries

STOP, EVERY = 4.0, 4  # [% of X], checkpoint interval [steps]: ~35 steps, ~10 s serial


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The bare interface case, coarse, to 4 %, a snapshot every 1 %, a checkpoint every 4
    steps."""
    directory = tmp_path_factory.mktemp("resume")
    path = coarse_case(directory, "paper-bare-interface.yaml", STOP, 1.0, "resume.yaml")
    data = yaml.safe_load(path.read_text())
    data["output"]["checkpoint_every_steps"] = EVERY
    path.write_text(yaml.safe_dump(data))
    return path


def mpirun(ranks: int) -> list[str]:
    """The command line prefix that runs on ``ranks`` MPI ranks (the Makefile's mpirun, with
    its oversubscription settings for this Open MPI; none for 1)."""
    command = shlex.split(os.environ.get("NANOGLUE_MPIRUN", "mpirun"))
    return [] if ranks == 1 else [*command, "-n", str(ranks)]


def _run(args: list[str], ranks: int = 1) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([*mpirun(ranks), sys.executable, "-m", "nanoglue.cli", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)


def _kill_mid_run(case, out, ranks: int = 1, signum: int = signal.SIGKILL) -> tuple[int, int]:
    """Start a run, send it ``signum`` once it is well past its first checkpoints and wait for
    it to end (SIGKILL: every rank, as a batch system ends a job; another signal: to the run's
    process, under mpirun to mpirun); the rows curves.csv had when the signal was sent, and the
    exit code."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [*mpirun(ranks), sys.executable, "-m", "nanoglue.cli", "run", str(case), "-o", str(out)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    _when_stepping(process, out / "curves.csv", rows=3 * EVERY + 2, past_percent=1.0)
    rows = len(_rows(out / "curves.csv"))
    if signum != signal.SIGKILL:
        process.send_signal(signum)
    elif ranks > 1:  # mpirun and every rank: Open MPI 5 starts the ranks in their own groups
        os.killpg(process.pid, signal.SIGKILL)
        _kill_runs_into(out)
    else:
        process.kill()
    process.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while _kill_runs_into(out) and time.monotonic() < deadline:
        time.sleep(0.1)
    return rows, process.returncode


def _kill_runs_into(out) -> int:
    """SIGKILL every process running nanoglue into ``out`` (as a batch system ends a job);
    how many there were."""
    found = 0
    for entry in os.listdir("/proc"):
        try:
            command = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")
            state = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if b"nanoglue.cli" in command and str(out).encode() in command and state != "Z":
            found += 1
            try:
                os.kill(int(entry), signal.SIGKILL)
            except ProcessLookupError:
                pass
    return found


def _assert_close(got, expected, tolerance: float, where: str) -> None:
    """``got`` is ``expected`` (nested dicts and lists), numbers within ``tolerance`` relative
    (and 1e-12 absolute: round-off of quantities that are zero in exact arithmetic)."""
    if isinstance(expected, dict):
        assert got.keys() == expected.keys(), where
        for key in expected:
            _assert_close(got[key], expected[key], tolerance, f"{where}.{key}")
    elif isinstance(expected, list):
        assert len(got) == len(expected), where
        for i, (a, b) in enumerate(zip(got, expected)):
            _assert_close(a, b, tolerance, f"{where}[{i}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert abs(got - expected) <= tolerance * abs(expected) + (1e-12 if tolerance else 0.0), \
            (where, got, expected)
    else:
        assert got == expected, (where, got, expected)


def _assert_same_curves(reference, resumed, tolerance: float) -> None:
    """Same rows; every column within ``tolerance`` of its largest magnitude (0: identical)."""
    assert len(resumed) == len(reference)
    for column in reference[0]:
        scale = max(abs(float(row[column])) for row in reference) or 1.0
        for ref, got in zip(reference, resumed):
            assert abs(float(got[column]) - float(ref[column])) <= tolerance * scale, (
                column, ref["step"], ref[column], got[column])


@pytest.fixture(scope="module")
def uninterrupted(case, tmp_path_factory):
    """The case's run never stopped, serial and on 2 ranks: ranks → its directory."""
    runs = {}
    for ranks in (1, 2):
        runs[ranks] = tmp_path_factory.mktemp(f"whole-{ranks}")
        assert _run(["run", str(case), "-o", str(runs[ranks]), "--overwrite"], ranks).returncode == 0
    return runs


@pytest.mark.parametrize("ranks, tolerance", [(1, 0.0), (2, 1e-10)])
def test_a_killed_run_resumes_to_the_curves_of_an_uninterrupted_one(case, uninterrupted, tmp_path,
                                                                     ranks, tolerance):
    whole, killed = uninterrupted[ranks], tmp_path / "killed"
    rows_at_kill, _ = _kill_mid_run(case, killed, ranks)
    assert not (killed / "summary.json").exists()
    assert len(pvd_entries(killed)) >= 2  # X = 0 and 1 % at least: they open after the kill
    result = _run(["run", str(case), "-o", str(killed), "--resume"], ranks)
    assert result.returncode == 0, result.stderr
    assert "resumed at step" in result.stdout
    reference, resumed = _rows(whole / "curves.csv"), _rows(killed / "curves.csv")
    assert len(reference) > rows_at_kill
    _assert_same_curves(reference, resumed, tolerance)
    summaries = [json.loads((d / "summary.json").read_text()) for d in (whole, killed)]
    for key in ("status", "steps", "rejected_steps", "debonding", "energy_aJ", "final"):
        _assert_close(summaries[1][key], summaries[0][key], tolerance, key)
    # the same snapshots: the requested ones, and the event ones (the onset step's X, within
    # the round-off of another partition on 2 ranks)
    assert [entry["particle"][0].field_data["expansion_percent"][0] for entry in pvd_entries(killed)] \
        == pytest.approx([entry["particle"][0].field_data["expansion_percent"][0]
                          for entry in pvd_entries(whole)], rel=tolerance, abs=1e-12)


@pytest.mark.parametrize("signum", [signal.SIGUSR1, signal.SIGTERM])
def test_a_run_signalled_through_mpirun_leaves_a_result_that_opens_and_resumes(
        case, uninterrupted, tmp_path, signum):
    """``kill -USR1 <mpirun>``: Open MPI passes it on and waits, the run stops cleanly (exit
    138, summary "interrupted"); ``kill -TERM <mpirun>``: Open MPI kills the ranks soon after
    passing it on (README, "Exit codes"), so at worst a killed run is left. Either way every
    snapshot listed opens and --resume goes on to the uninterrupted run's curves within 1e-10,
    whether from a periodic checkpoint or from the one the signal left at a step the
    uninterrupted run wrote none at (a step depends on its start state alone: no reused
    factorisation outlives it)."""
    out = tmp_path / "signalled"
    _, code = _kill_mid_run(case, out, 2, signum)
    if signum == signal.SIGUSR1:
        summary = json.loads((out / "summary.json").read_text())
        assert summary["status"] == "interrupted" and summary["exit_code"] == code == 138
    assert len(pvd_entries(out)) >= 2
    result = _run(["run", str(case), "-o", str(out), "--resume"], 2)
    assert result.returncode == 0, result.stderr
    _assert_same_curves(_rows(uninterrupted[2] / "curves.csv"), _rows(out / "curves.csv"), 1e-10)


def test_resume_refuses_another_case_and_a_missing_checkpoint(case, tmp_path):
    out = tmp_path / "out"
    _kill_mid_run(case, out)
    before = sorted(p.name for p in out.iterdir() if p.name != LOCK)  # the killed run's lock
    changed = _run(["run", str(case), "-o", str(out), "--resume", "--set", "sodiation.c_rate=0.5"])
    assert changed.returncode == 2
    assert changed.stderr.strip().splitlines()[-1] == (
        f"error: {case}: --resume: the case differs from the one {out} was run with (its "
        "case.yaml): resume with that case, or start afresh with --overwrite")
    assert sorted(p.name for p in out.iterdir()) == before
    state = out / "checkpoint" / "state.pkl"  # as an earlier nanoglue would have written it
    meta = pickle.loads(state.read_bytes())
    state.write_bytes(pickle.dumps({**meta, "format": checkpoint.FORMAT - 1}))
    older = _run(["run", str(case), "-o", str(out), "--resume"])
    assert older.returncode == 2 and "was written by another version of nanoglue" in older.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = _run(["run", str(case), "-o", str(empty), "--resume"])
    assert missing.returncode == 2 and "--resume: no checkpoint in" in missing.stderr
    assert not any(empty.iterdir())


@pytest.mark.slow
def test_a_killed_finite_strain_run_resumes_bit_for_bit(tmp_path):
    """The same at finite strain (its tensor-valued quadrature state, Cp⁻¹ and σ, in the
    checkpoint), serial, to 1.5 % (~12 s a run; measured: 28 rows, identical)."""
    path = coarse_case(tmp_path, "paper-bare-interface.yaml", 1.5, 1.0, "finite.yaml")
    data = yaml.safe_load(path.read_text())
    data["output"]["checkpoint_every_steps"] = EVERY
    data["mechanics"] = {"kinematics": "finite"}
    path.write_text(yaml.safe_dump(data))
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert _run(["run", str(path), "-o", str(whole)]).returncode == 0
    rows_at_kill, _ = _kill_mid_run(path, killed)
    result = _run(["run", str(path), "-o", str(killed), "--resume"])
    assert result.returncode == 0, result.stderr
    reference = _rows(whole / "curves.csv")
    assert len(reference) > rows_at_kill
    _assert_same_curves(reference, _rows(killed / "curves.csv"), 0.0)
