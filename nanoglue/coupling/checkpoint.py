"""Checkpoints: everything a run needs to go on from an accepted step in a fresh process.

A checkpoint is a directory ``checkpoint/`` in the run's output directory:

    fields.npz     the problem's state (``CoupledProblem.state``: c, every displacement, the
                   plastic state, κ, d, d_n), gathered from every rank: per function the
                   coordinates of its nodes (dof blocks) and their values
    state.pkl      the format, the resolved case's hash, the rank count, the time, the
                   coating's conversion, the damage law in force, the energy accounts, the
                   stepping loop's place (``Place``: step count, half-cycle, step control, the
                   run record, the last step's state, the stall relief) and the outputs' own
                   place (snapshots and profiles written)

It is written aside (``checkpoint.tmp``) and moved into place by renames (the previous one
kept as ``checkpoint.old`` until the new one is in place), so a kill at any moment leaves one
complete checkpoint. Fields are matched to the resumed run's nodes by coordinates, so a resumed
run may have another partition of the same mesh (MPI partitioners are not deterministic) or
another number of ranks. The only solver state a fresh process could not rebuild, the lazy
Newton's reused factorisation, never outlives a step (``Mechanics`` factorises afresh at each
step's first correction), so a run resumed from any checkpoint — a periodic one or the one a
signal leaves — takes the steps of a run never stopped, and the checkpoint interval does not
change the curves.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from nanoglue.coupling.coupled import CoupledProblem
from nanoglue.coupling.stepping import StepController
from nanoglue.errors import CaseError
from nanoglue.fem import compat

FORMAT = 2  # 2: the energy accounts carry the interfaces' frame work (session 17)
NAME, ASIDE, OLD = "checkpoint", "checkpoint.tmp", "checkpoint.old"


@dataclass
class Place:
    """Where the stepping loop is: what it holds besides the problem's fields."""

    record: Any  # coupling.run.RunRecord
    control: StepController
    step: int = 0
    half_cycle: int = 0  # index into coupling.run.half_cycles(case)
    previous: Any = None  # the last accepted step's StepState (onset interpolation)
    relief: dict = field(default_factory=dict)  # StallRelief's on / events / before


@dataclass
class Resumed:
    """A checkpoint read back: the loop's place and the outputs' place."""

    place: Place
    outputs: Any


def case_hash(case_yaml: str) -> str:
    """The resolved case's identity: sha256 of its YAML (``case_file.case_to_yaml``)."""
    return hashlib.sha256(case_yaml.encode("utf-8")).hexdigest()


def _node_coordinates(function) -> np.ndarray:
    """The coordinates of every local node (dof block, ghosts included) of ``function``: the
    spatial coordinate interpolated into its own space (Lagrange nodes, quadrature points)."""
    space, mesh = function.function_space, function.function_space.mesh
    gdim, shape = mesh.geometry.dim, function.ufl_shape
    width = int(np.prod(shape)) if shape else 1  # a tensor's components, row-major
    x, scratch, columns = ufl.SpatialCoordinate(mesh), fem.Function(space), []
    for first in range(0, gdim, width):
        parts = [x[(first + j) % gdim] for j in range(width)]
        value = ufl.as_tensor(np.array(parts, dtype=object).reshape(shape).tolist()) if shape \
            else parts[0]
        compat.interpolate_expression(scratch, compat.expression(value, space))
        columns.append(scratch.x.array.reshape(-1, width).copy())
    return np.hstack(columns)[:, :gdim]


def _match(saved: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Index into ``saved`` of every row of ``query`` (the same points up to round-off; −1 where
    none is): coordinates quantised to 10⁻⁸ of the extent, neighbouring cells tried for a point
    that rounds the other way."""
    extent = max(float(np.ptp(saved, axis=0).max(initial=0.0)), 1.0)
    quantum = 1e-8 * extent
    keys = np.rint(saved / quantum).astype(np.int64)
    found = np.full(query.shape[0], -1, dtype=np.int64)
    wanted = np.rint(query / quantum).astype(np.int64)
    shifts = [np.zeros(query.shape[1], dtype=np.int64)] + [
        np.array(o) - 1 for o in np.ndindex(*(3,) * query.shape[1]) if any(v != 1 for v in o)]
    for shift in shifts:
        missing = np.flatnonzero(found < 0)
        if not missing.size:
            break
        probe = wanted[missing] + shift
        _, inverse = np.unique(np.vstack([keys, probe]), axis=0, return_inverse=True)
        inverse = inverse.ravel()
        first = np.full(inverse.max() + 1, -1, dtype=np.int64)
        first[inverse[:keys.shape[0]][::-1]] = np.arange(keys.shape[0])[::-1]
        found[missing] = first[inverse[keys.shape[0]:]]
    return found


class Checkpoints:
    """Write checkpoints of ``problem`` into ``directory`` every ``every`` steps and at every
    snapshot; ``outputs_place()`` gives what the outputs need to go on (pickled as is)."""

    def __init__(self, directory: Path, problem: CoupledProblem, identity: str, every: int,
                 outputs_place: Callable[[], Any]):
        self.directory, self.problem, self.identity = Path(directory), problem, identity
        self.every, self._outputs_place = every, outputs_place
        self._points = {}  # function index → its node coordinates (computed once)

    def _coordinates(self, index: int, function) -> np.ndarray:
        if index not in self._points:
            self._points[index] = _node_coordinates(function)
        return self._points[index]

    def due(self, step: int, snapshot: bool) -> bool:
        return snapshot or (self.every > 0 and step % self.every == 0)

    def save(self, place: Place) -> None:
        """Write a checkpoint of the current (accepted) state (collective)."""
        problem, comm = self.problem, self.problem.comm
        aside, final, old = (self.directory / name for name in (ASIDE, NAME, OLD))
        if comm.rank == 0:
            shutil.rmtree(aside, ignore_errors=True)
            aside.mkdir(parents=True)
        comm.barrier()
        arrays = {}
        for i, function in enumerate(problem.state.functions):
            owned = function.function_space.dofmap.index_map.size_local
            bs = function.function_space.dofmap.index_map_bs
            points = comm.gather(self._coordinates(i, function)[:owned], root=0)
            values = comm.gather(function.x.array.reshape(-1, bs)[:owned], root=0)
            if comm.rank == 0:
                arrays[f"x{i}"], arrays[f"v{i}"] = np.vstack(points), np.vstack(values)
        if comm.rank == 0:
            meta = {"format": FORMAT, "case": self.identity, "ranks": comm.size,
                    "time": problem.time, "conversion": float(problem.conversion.value),
                    "damage_viscosity": problem.mechanics.damage_viscosity,
                    "energy": problem.energy.accounts(), "place": place,
                    "outputs": self._outputs_place()}
            _write_aside(aside, arrays, meta)
        comm.barrier()  # the checkpoint is complete on disk
        if comm.rank == 0:
            if final.exists():
                shutil.rmtree(old, ignore_errors=True)
                final.rename(old)
            aside.rename(final)
            shutil.rmtree(old, ignore_errors=True)
        comm.barrier()


def _write_aside(aside: Path, arrays: dict, meta: dict) -> None:
    """fields.npz and state.pkl into ``aside``, each built in memory and written in one go; a
    failed write (a full disk) removes ``aside`` and is raised: the checkpoint in place stays
    the last complete one, and no half-built archive lingers to fail again when collected."""
    fields = io.BytesIO()
    np.savez(fields, **arrays)
    try:
        (aside / "fields.npz").write_bytes(fields.getvalue())
        (aside / "state.pkl").write_bytes(pickle.dumps(meta, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        shutil.rmtree(aside, ignore_errors=True)
        raise


def find(directory: Path) -> Optional[Path]:
    """The complete checkpoint in ``directory`` (the previous one if a kill came mid-rename)."""
    for name in (NAME, OLD):
        if (Path(directory) / name / "state.pkl").is_file():
            return Path(directory) / name
    return None


def read_meta(directory: Path) -> dict:
    """Rank 0's part of the checkpoint in ``directory`` (CaseError: none there)."""
    where = find(directory)
    if where is None:
        raise CaseError("--resume", f"no checkpoint in {directory} (a run writes one every "
                        "output.checkpoint_every_steps steps and at every snapshot)")
    with open(where / "state.pkl", "rb") as handle:
        meta = pickle.load(handle)
    if meta.get("format") != FORMAT:
        raise CaseError("--resume", f"{where} was written by another version of nanoglue")
    return meta


def check(meta: dict, identity: str, directory: Path) -> None:
    """Refuse a checkpoint of another case (CaseError)."""
    if meta["case"] != identity:
        raise CaseError("--resume", f"the case differs from the one {directory} was run with "
                        f"(its case.yaml): resume with that case, or start afresh with --overwrite")


def restore(problem: CoupledProblem, directory: Path, meta: dict) -> Resumed:
    """Put the checkpoint's state into ``problem`` (collective; CaseError when a node of this
    run's mesh is not in the checkpoint: another mesh)."""
    where, comm = find(directory), problem.comm
    complete = True
    with np.load(where / "fields.npz") as data:
        for i, function in enumerate(problem.state.functions):
            index = _match(data[f"x{i}"], _node_coordinates(function))
            complete &= bool(np.all(index >= 0))
            if complete:
                function.x.array[:] = data[f"v{i}"][index].ravel()
    if not comm.allreduce(complete, op=MPI.LAND):
        raise CaseError("--resume", f"the mesh differs from the one {where} was written with")
    problem.time = meta["time"]
    problem.conversion.value = meta["conversion"]
    problem.mechanics.damage_viscosity = meta["damage_viscosity"]
    problem.energy.resume(meta["energy"])
    problem.mechanics.refresh()
    return Resumed(meta["place"], meta["outputs"])
