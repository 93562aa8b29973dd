"""One run per output directory (a lock), and an --overwrite that removes only what the tool
wrote: a second run into a directory being written is refused before it touches anything, a
lock left by a killed process is taken over, and a user's own files (their case.yaml among
them) survive --overwrite while an earlier run's profiles and snapshots do not."""

import os
import socket
import subprocess
import sys

from typer.testing import CliRunner

from nanoglue.cli import app
from nanoglue.run_directory import CASE_HEADER, LOCK
from tests.coarse_case import coarse_case
from tests.test_cli import _stderr
from tests.test_exit_codes import ROOT, _long_case, _start, _when_stepping

runner = CliRunner()


def test_a_second_run_into_a_directory_being_written_is_refused_untouched(tmp_path):
    out = tmp_path / "out"
    first = _start(["run", str(_long_case(tmp_path)), "-o", str(out)])
    try:
        _when_stepping(first, out / "curves.csv")
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
        second = runner.invoke(app, ["run", str(_long_case(tmp_path)), "-o", str(out),
                                     "--overwrite"])
        assert second.exit_code == 2
        message = _stderr(second).strip()
        assert f"is being written by another run ({socket.gethostname()} {first.pid})" in message
        assert all(p.exists() for p in before)  # nothing cleared
    finally:
        first.kill()
        first.communicate()


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    (out / LOCK).write_text(f"{socket.gethostname()} {dead.pid}")
    case = coarse_case(tmp_path, "paper-bare-interface.yaml", 0.3, 0.3)
    result = runner.invoke(app, ["run", str(case), "-o", str(out), "--overwrite"])
    assert result.exit_code == 0, result.output
    assert f"was left by process {dead.pid}, which is gone: taken over" in result.output
    assert not (out / LOCK).exists()


def test_overwrite_removes_the_earlier_run_and_keeps_the_users_files(tmp_path):
    out = tmp_path / "study"
    out.mkdir()
    case = coarse_case(out, "paper-bare-interface.yaml", 0.3, 0.3, "case.yaml")
    users_case = "# my own notes on this case\n" + case.read_text()
    case.write_text(users_case)
    (out / "notes.txt").write_text("keep me")
    (out / "profiles").mkdir()
    (out / "profiles" / "interface_damage_55.csv").write_text("from an earlier, longer run")
    (out / "fields").mkdir()
    (out / "fields" / "s0042.vtm").write_text("from an earlier run")
    (out / "summary.json").write_text("{}")
    result = runner.invoke(app, ["run", str(case), "-o", str(out), "--overwrite"])
    assert result.exit_code == 0, result.output
    assert case.read_text() == users_case and (out / "notes.txt").read_text() == "keep me"
    assert (out / "case-resolved.yaml").read_text().startswith(CASE_HEADER)
    assert not (out / "profiles" / "interface_damage_55.csv").exists()
    assert not (out / "fields" / "s0042.vtm").exists()
    assert (out / "fields.pvd").exists() and (out / "summary.json").stat().st_size > 2
    # a second --overwrite: the tool's own files go, the user's still stay
    again = runner.invoke(app, ["run", str(case), "-o", str(out), "--overwrite"])
    assert again.exit_code == 0 and case.read_text() == users_case
    assert not (out / LOCK).exists()


def test_an_output_directory_that_cannot_be_written_is_one_line_and_exit_2(tmp_path):
    """(A read-only directory does not stop root, who runs CI: a path under a file does.)"""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out = blocker / "out"
    result = runner.invoke(app, ["run", str(_long_case(tmp_path)), "-o", str(out)])
    assert result.exit_code == 2
    assert _stderr(result).strip().endswith(
        f"output: cannot write into {out} (NotADirectoryError: Not a directory)")
    assert "Traceback" not in result.output


def test_a_form_cache_that_cannot_be_written_falls_back_with_one_line(tmp_path):
    """A read-only HOME (here: a cache location under a file, which stops root too)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {**os.environ, "XDG_CACHE_HOME": str(blocker / "cache"),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-m", "nanoglue.cli", "validate",
                             str(ROOT / "configs" / "default.yaml")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    note = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(note) == 1 and "the form cache cannot be written" in note[0]
    assert f"nanoglue-cache-{os.getuid()}" in note[0]
