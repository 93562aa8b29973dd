"""A sweep on a real SLURM: a single-node cluster on localhost (munge, slurmctld, slurmd; their
configuration in a temporary directory) started by the test and stopped by it. A 2-point sweep
with 2 MPI ranks per point through ``--scheduler slurm --submit`` collects to the table of the
local scheduler; then, in a second submission, one point is sent SIGTERM through ``scancel
--signal=TERM`` while it runs: it checkpoints, requeues itself, resumes, and the collected table
is unchanged. Needs root and the Debian packages slurmctld slurmd slurm-client munge; skipped
without them, except under ``make test-slurm`` (NANOGLUE_REQUIRE_SLURM=1), where that fails."""

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.coarse_case import coarse_case
from tests.test_exit_codes import ROOT

pytestmark = pytest.mark.slurm
DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel", "sinfo")
SETS = ["--set", "interfaces.particle_substrate.shear_strength=0.9,1.2"]
STOP = 4.0  # [%] ~35 steps a point


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _binary(name: str) -> str:
    """``name`` on PATH, or in /usr/sbin (where Debian puts the daemons; not on every PATH)."""
    return shutil.which(name) or str(Path("/usr/sbin", name))


def _unavailable() -> str:
    if os.geteuid() != 0:
        return "not root"
    missing = [name for name in DAEMONS if not Path(_binary(name)).exists()]
    return f"missing {', '.join(missing)}" if missing else ""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A running single-node SLURM: the environment to use it with (SLURM_CONF set)."""
    why = _unavailable()
    if why:
        if os.environ.get("NANOGLUE_REQUIRE_SLURM"):
            pytest.fail(f"SLURM cannot be started here: {why}")
        pytest.skip(f"SLURM cannot be started here: {why}")
    home = tmp_path_factory.mktemp("slurm")
    for name in ("state", "spool"):
        (home / name).mkdir()
    key = home / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    socket_path = home / "munge.sock"
    subprocess.run([_binary("munged"), "--force", f"--key-file={key}", f"--socket={socket_path}",
                    f"--pid-file={home / 'munged.pid'}", f"--log-file={home / 'munged.log'}",
                    f"--seed-file={home / 'munge.seed'}"], check=True)
    conf = home / "slurm.conf"
    conf.write_text("\n".join([
        "ClusterName=nanoglue-test", "SlurmctldHost=localhost", "SlurmUser=root",
        "SlurmdUser=root", "AuthType=auth/munge", f"AuthInfo=socket={socket_path}",
        "CredType=cred/munge", f"StateSaveLocation={home / 'state'}",
        f"SlurmdSpoolDir={home / 'spool'}", f"SlurmctldPidFile={home / 'slurmctld.pid'}",
        f"SlurmdPidFile={home / 'slurmd.pid'}", f"SlurmctldPort={_free_port()}",
        f"SlurmdPort={_free_port()}", f"SlurmctldLogFile={home / 'slurmctld.log'}",
        f"SlurmdLogFile={home / 'slurmd.log'}", "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none", "MpiDefault=none", "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core", "ReturnToService=2", "JobCompType=jobcomp/none",
        "AccountingStorageType=accounting_storage/none", "SlurmdParameters=config_overrides",
        "NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN",
        "PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP", ""]))
    env = {**os.environ, "SLURM_CONF": str(conf),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    daemons = [subprocess.Popen([_binary(name), "-D", "-f", str(conf), *extra], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for name, extra in (("slurmctld", []), ("slurmd", ["-N", "localhost"]))]
    try:
        deadline = time.monotonic() + 60
        while _sinfo(env) != "idle":
            assert time.monotonic() < deadline, (home / "slurmctld.log").read_text()[-2000:]
            time.sleep(0.5)
        yield env
    finally:
        for daemon in reversed(daemons):
            daemon.terminate()
            try:
                daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                daemon.kill()
        pid = home / "munged.pid"
        if pid.exists():
            os.kill(int(pid.read_text()), 15)


def _sinfo(env) -> str:
    done = subprocess.run(["sinfo", "-h", "-o", "%T"], env=env, capture_output=True, text=True)
    return done.stdout.strip()


def _nanoglue(args, env) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "nanoglue.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _queued(job: str, env) -> list[str]:
    done = subprocess.run(["squeue", "-h", "-r", "-j", job, "-o", "%i %T"], env=env,
                          capture_output=True, text=True)
    return done.stdout.split("\n") if done.stdout.strip() else []


def _wait_for(job: str, env, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while _queued(job, env):
        assert time.monotonic() < deadline, _queued(job, env)
        time.sleep(1)


def _submitted(out: Path, env) -> str:
    done = _nanoglue(["sweep", str(_case(out.parent)), *SETS, "-o", str(out), "--scheduler",
                      "slurm", "--ranks-per-point", "2", "--submit"], env)
    assert "submitted job" in done.stdout, done.stdout
    return (out / "slurm" / "jobs.txt").read_text().split()[-1]


def _case(directory: Path) -> Path:
    path = directory / "slurm-case.yaml"
    if not path.exists():
        coarse_case(directory, "paper-bare-interface.yaml", STOP, 1.0, path.name)
        data = yaml.safe_load(path.read_text())
        data["output"]["checkpoint_every_steps"] = 5
        path.write_text(yaml.safe_dump(data))
    return path


def _table(out: Path) -> list[dict]:
    """sweep.csv without its wall times."""
    with open(out / "sweep.csv", newline="") as handle:
        return [{k: v for k, v in row.items() if k != "wall_seconds"}
                for row in csv.DictReader(handle)]


def _events(out: Path, slug: str) -> dict:
    debonding = json.loads((out / slug / "summary.json").read_text())["debonding"]
    return {"onset": debonding["onset_expansion_percent"],
            "complete": debonding["complete_expansion_percent"], "held": debonding["held"]}


def _assert_same_events(a: Path, b: Path, slugs) -> None:
    for slug in slugs:
        first, second = _events(a, slug), _events(b, slug)
        assert first["held"] == second["held"]
        for kind in ("onset", "complete"):
            assert first[kind].keys() == second[kind].keys()
            for name, value in first[kind].items():
                other = second[kind][name]
                assert (value is None and other is None) or abs(value - other) <= 1e-9, (
                    slug, kind, name, value, other)


def test_a_slurm_sweep_collects_the_local_table_also_after_a_signal_and_requeue(tmp_path,
                                                                                 cluster):
    env = cluster
    local = tmp_path / "local"
    _nanoglue(["sweep", str(_case(tmp_path)), *SETS, "-o", str(local)], env)
    slugs = [row["point"] for row in _table(local)]

    batch = tmp_path / "batch"
    _wait_for(_submitted(batch, env), env)
    status = _nanoglue(["sweep", "status", str(batch)], env).stdout
    assert status.strip().splitlines()[-1] == "2 done", status
    _nanoglue(["sweep", "collect", str(batch)], env)
    assert _table(batch) == _table(local)
    _assert_same_events(batch, local, slugs)

    signalled = tmp_path / "signalled"
    job = _submitted(signalled, env)
    curves = signalled / slugs[0] / "curves.csv"
    deadline = time.monotonic() + 300
    while not (curves.exists() and len(curves.read_text().splitlines()) > 12):
        assert time.monotonic() < deadline and _queued(job, env), "the point never ran"
        time.sleep(0.2)
    subprocess.run(["scancel", "--signal=TERM", f"{job}_0"], env=env, check=True)
    _wait_for(job, env)
    log = (signalled / "slurm" / "logs" / "0.log").read_text()
    assert "interrupted by SIGTERM" in log and "resumed at step" in log, log
    _nanoglue(["sweep", "collect", str(signalled)], env)
    assert _table(signalled) == _table(local)
    _assert_same_events(signalled, local, slugs)
