"""SIGINT, SIGTERM and SIGUSR1 as a clean stop: a flag set by the signal, acted on by the solver.

A signal handler must not close files or leave a collective half done, so inside
``stop_on_signals()`` the signals only remember which one came (and rank 0 says so on stderr).
Newton asks ``agreed(comm)`` before every correction and the stepping loop before every step
attempt: an allreduce of the signal numbers, so every rank sees the same answer at the same
point and all of them stop together — under ``mpirun`` the signal reaches each rank at its own
moment, and a rank that decided alone would leave the others waiting in the next collective.
The step under way is abandoned (its fields go back to the last accepted step, as for a refused
step), so the stop comes one Newton correction after the signal, not one step: a batch system
gives ~30 s between SIGTERM and SIGKILL. The run then writes its checkpoint, closes its files and
writes its summary as usual (status "interrupted"), and the command exits with 128 + the signal
number.

SIGUSR1 is the same stop, for runs under ``mpirun``: Open MPI passes SIGUSR1 on to every rank
and lets them finish, whereas a SIGTERM to ``mpirun`` kills the ranks soon after passing it on
(Open MPI 4.1: 1 s, ``OMPI_MCA_odls_base_sigkill_timeout``; Open MPI 5: a fraction of a second).

Signals after the first change nothing (the first one is kept); SIGKILL stops at once. Outside
the main thread, where Python cannot install handlers, signals keep their default behaviour.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from typing import Iterator

from mpi4py import MPI

from nanoglue.parallel import is_root

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1)
_received = {"signum": 0}  # the first signal caught inside stop_on_signals (0: none)


def _remember(signum: int, _frame) -> None:
    if _received["signum"]:
        return
    _received["signum"] = signum
    if is_root():  # os.write: no lock a print in the interrupted code might hold
        os.write(2, f"nanoglue: {signal.Signals(signum).name} received, abandoning the current "
                    "step: the run stops at its last accepted one (SIGKILL stops at once)\n"
                 .encode())


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGINT / SIGTERM / SIGUSR1 set the flag read by ``received`` / ``agreed``
    instead of ending the process; the previous handlers come back on exit and the flag is
    cleared."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _remember) for signum in SIGNALS}
    _received["signum"] = 0
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _received["signum"] = 0


def received() -> int:
    """The signal number caught on this process so far (0: none); not collective."""
    return _received["signum"]


def agreed(comm: MPI.Comm) -> int:
    """The signal caught on any rank of ``comm`` (the larger number if they differ: SIGTERM
    over SIGUSR1 over SIGINT; 0: none). Collective: every rank calls it at the same point."""
    return comm.allreduce(_received["signum"], op=MPI.MAX)
