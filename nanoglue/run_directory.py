"""A run's output directory: one run at a time (a lock), and what ``--overwrite`` may remove.

The lock is ``DIR/.nanoglue.lock``, created exclusively by rank 0 before anything is written and
removed when the command ends, however it ends (a SIGKILL leaves it: a lock whose process is gone
from this host is taken over, with a note). ``--overwrite`` removes what an earlier run wrote —
the names below, which only this tool writes — and nothing else: a case file the user keeps in
the directory stays, also when it is called case.yaml (the tool's own case.yaml starts with
``CASE_HEADER``; the resolved case then goes beside it as case-resolved.yaml).
"""

from __future__ import annotations

import os
import shutil
import socket
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from nanoglue.errors import CaseError
from nanoglue.parallel import COMM, barrier, is_root

LOCK = ".nanoglue.lock"
CASE_HEADER = "# nanoglue: the resolved case of this run, every default filled in\n"
WRITTEN = ("summary.json", "curves.csv", "curves.png", "debonding.png", "damage_vs_arc.png",
           "fields.pvd", "fields.pvd.tmp", "fields", "profiles", "checkpoint", "checkpoint.tmp",
           "checkpoint.old", "mesh.msh", "mesh.xdmf", "mesh.h5", "tags.json", "mesh.png",
           "case-resolved.yaml", "traceback.txt")


def case_file_name(directory: Path, case_path: Optional[Path]) -> str:
    """Where the resolved case goes: case.yaml, unless that is a file the tool did not write (the
    user's own case, perhaps the one being run)."""
    own = directory / "case.yaml"
    if own.is_file() and (not own.read_text(encoding="utf-8", errors="replace").startswith(CASE_HEADER)
                          or (case_path is not None and own.resolve() == Path(case_path).resolve())):
        return "case-resolved.yaml"
    return "case.yaml"


def resolved_case(directory: Path) -> Path:
    """The resolved case a run left in ``directory`` (``case_file_name``'s choice)."""
    beside = Path(directory) / "case-resolved.yaml"
    return beside if beside.is_file() else Path(directory) / "case.yaml"


def clear_previous_run(directory: Path, case_path: Optional[Path]) -> None:
    """Remove what an earlier run wrote into ``directory`` (rank 0; collective)."""
    if is_root() and directory.is_dir():
        names = list(WRITTEN) + [p.name for p in directory.glob("traceback-rank*.txt")]
        if case_file_name(directory, case_path) == "case.yaml":
            names.append("case.yaml")
        for name in names:
            path = directory / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
    barrier()


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold ``directory``'s lock for the block (collective; CaseError: another run holds it)."""
    created = not directory.exists()
    refusal = _take(directory) if is_root() else None
    refusal = COMM.bcast(refusal, root=0)
    if refusal:
        raise CaseError("output", refusal)
    try:
        yield
    finally:
        if is_root():
            (directory / LOCK).unlink(missing_ok=True)
            if created and not any(directory.iterdir()):  # refused before writing: leave no trace
                directory.rmdir()


def _take(directory: Path) -> str:
    """Take the lock ('' when taken, else why not: another run, or a directory that cannot be
    written)."""
    path, me = directory / LOCK, f"{socket.gethostname()} {os.getpid()}"
    for _ in range(2):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = path.read_text(encoding="utf-8", errors="replace").split()
            if len(holder) == 2 and holder[0] == socket.gethostname() and not _alive(holder[1]):
                print(f"note: {path} was left by process {holder[1]}, which is gone: taken over",
                      flush=True)
                path.unlink(missing_ok=True)
                continue
            who = " ".join(holder) or "another process"
            return (f"{directory} is being written by another run ({who}); wait for it, or give "
                    f"another -o (remove {path} if that run is gone)")
        except OSError as err:  # read-only, not a directory, full: nothing can be written there
            return f"cannot write into {directory} ({type(err).__name__}: {err.strerror or err})"
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(me)
        return ""
    return f"could not take the lock {path}"


def _alive(pid: str) -> bool:
    """Whether process ``pid`` of this host still runs (a zombie, killed but not yet reaped by
    its parent, does not)."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{int(pid)}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")
