"""Every difference between the DOLFINx versions we support, in one place.

Nothing else in nanoglue looks at ``dolfinx.__version__``. Each supported minor version is one
small class; the module-level functions delegate to the class of the installed version. Adding a
version means adding (and testing) one subclass that overrides only what changed, and one entry
in ``_IMPLEMENTATIONS``.

Supported and tested: 0.5 (Debian 12, python3-dolfinx 0.5.2), 0.9 (Debian 13, 0.9.0; the
official ghcr.io/fenics/dolfinx/dolfinx:v0.9.0 image) and 0.11 (Debian sid, 0.11.0).
"""

from __future__ import annotations

from typing import Any, Optional

import dolfinx
import dolfinx.fem.petsc  # noqa: F401  (registers fem.petsc on every version)
import numpy as np
import ufl
from dolfinx import fem, mesh as dmesh
from dolfinx.io import XDMFFile
from petsc4py import PETSc

DOLFINX_VERSION: tuple[int, int] = tuple(int(p) for p in dolfinx.__version__.split(".")[:2])


class _Dolfinx05:
    """DOLFINx 0.5.x: ufl.FiniteElement/VectorElement, FunctionSpace class, method-style APIs."""

    @staticmethod
    def element(mesh, family: str, degree: int, shape: tuple[int, ...]):
        family = {"Lagrange": "CG"}.get(family, family)
        cell = mesh.ufl_cell()
        if shape == ():
            return ufl.FiniteElement(family, cell, degree)
        if len(shape) == 1:
            return ufl.VectorElement(family, cell, degree, dim=shape[0])
        return ufl.TensorElement(family, cell, degree, shape=shape)

    @staticmethod
    def quadrature_element(mesh, degree: int, shape: tuple[int, ...]):
        cell = mesh.ufl_cell()
        if shape == ():
            return ufl.FiniteElement("Quadrature", cell, degree, quad_scheme="default")
        if len(shape) == 1:
            return ufl.VectorElement(
                "Quadrature", cell, degree, dim=shape[0], quad_scheme="default"
            )
        return ufl.TensorElement("Quadrature", cell, degree, shape=shape, quad_scheme="default")

    @staticmethod
    def space(mesh, element) -> fem.FunctionSpace:
        return fem.FunctionSpace(mesh, element)

    @staticmethod
    def model_to_mesh(model, comm, rank: int, gdim: int):
        from dolfinx.io import gmshio

        # 0.5's create_mesh always uses GhostMode.shared_facet (not configurable here).
        return gmshio.model_to_mesh(model, comm, rank, gdim=gdim)

    @staticmethod
    def create_vector(form: fem.Form) -> PETSc.Vec:
        return fem.petsc.create_vector(form)

    @staticmethod
    def create_matrix(form: fem.Form) -> PETSc.Mat:
        return fem.petsc.create_matrix(form)

    @staticmethod
    def create_block_matrix(forms) -> PETSc.Mat:
        return fem.petsc.create_matrix_block(forms)

    @staticmethod
    def assemble_block_matrix(matrix: PETSc.Mat, forms, bcs) -> None:
        fem.petsc.assemble_matrix_block(matrix, forms, bcs=bcs)

    @staticmethod
    def vtk_topology(obj):
        return dolfinx.plot.create_vtk_mesh(obj)

    @staticmethod
    def interpolation_points(space):
        element = space.ufl_element()
        if element.family() != "Quadrature":
            return space.element.interpolation_points()
        # 0.5 has no Basix element behind a quadrature space: take FFCx's default rule.
        import basix

        cell = basix.cell.string_to_type(element.cell().cellname())
        points, _ = basix.make_quadrature(basix.QuadratureType.Default, cell, element.degree())
        return points

    @staticmethod
    def eval_expression(expression: fem.Expression, mesh, cells: np.ndarray) -> np.ndarray:
        return expression.eval(cells)

    @staticmethod
    def interpolate(function: fem.Function, expression: fem.Expression, cells) -> None:
        # 0.5 cannot interpolate into a quadrature space: evaluate and scatter through the dofmap.
        space = function.function_space
        values = expression.eval(cells)
        bs = space.dofmap.bs
        dofs = _Dolfinx05.cell_dofs(space)[cells]
        rows = (dofs[:, :, None] * bs + np.arange(bs)).reshape(cells.size, -1)
        function.x.array[rows] = values

    @staticmethod
    def write_meshtags(xdmf: XDMFFile, tags, mesh) -> None:
        xdmf.write_meshtags(tags)

    @staticmethod
    def cell_dofs(space) -> np.ndarray:
        dofmap = space.dofmap.list
        return dofmap.array.reshape(-1, space.dofmap.dof_layout.num_dofs)

    @staticmethod
    def entity_size(mesh, dim: int, entities: np.ndarray) -> np.ndarray:
        # Debian's 0.5.2 wraps the C++ mesh in ``mesh._mesh`` instead of subclassing it.
        return dolfinx.cpp.mesh.h(getattr(mesh, "_mesh", mesh), dim, entities)


class _Dolfinx09(_Dolfinx05):
    """DOLFINx 0.9.x: basix.ufl elements, ``functionspace``, explicit ghost mode, properties."""

    @staticmethod
    def element(mesh, family: str, degree: int, shape: tuple[int, ...]):
        import basix.ufl

        return basix.ufl.element(
            family, mesh.basix_cell(), degree, shape=shape, dtype=mesh.geometry.x.dtype
        )

    @staticmethod
    def quadrature_element(mesh, degree: int, shape: tuple[int, ...]):
        import basix.ufl

        return basix.ufl.quadrature_element(
            mesh.basix_cell(), value_shape=shape, scheme="default", degree=degree
        )

    @staticmethod
    def space(mesh, element) -> fem.FunctionSpace:
        return fem.functionspace(mesh, element)

    @staticmethod
    def model_to_mesh(model, comm, rank: int, gdim: int):
        from dolfinx.io import gmshio

        # 0.9 defaults to GhostMode.none in parallel, which breaks interior-facet (dS) integrals
        # on interfaces that lie on a partition boundary.
        partitioner = dmesh.create_cell_partitioner(dmesh.GhostMode.shared_facet)
        return gmshio.model_to_mesh(model, comm, rank, gdim=gdim, partitioner=partitioner)

    @staticmethod
    def vtk_topology(obj):
        return dolfinx.plot.vtk_mesh(obj)

    @staticmethod
    def interpolation_points(space):
        return space.element.interpolation_points()

    @staticmethod
    def eval_expression(expression: fem.Expression, mesh, cells: np.ndarray) -> np.ndarray:
        return expression.eval(mesh, cells)

    @staticmethod
    def interpolate(function: fem.Function, expression: fem.Expression, cells) -> None:
        function.interpolate(expression, cells0=cells)

    @staticmethod
    def write_meshtags(xdmf: XDMFFile, tags, mesh) -> None:
        xdmf.write_meshtags(tags, mesh.geometry)

    @staticmethod
    def cell_dofs(space) -> np.ndarray:
        return space.dofmap.list

    @staticmethod
    def entity_size(mesh, dim: int, entities: np.ndarray) -> np.ndarray:
        return mesh.h(dim, entities)


class _Dolfinx011(_Dolfinx09):
    """DOLFINx 0.11.x: ``io.gmsh`` returning MeshData, partitioner with a facet-cell bound,
    vectors from spaces, blocked assembly through ``create_matrix``/``assemble_matrix``."""

    @staticmethod
    def model_to_mesh(model, comm, rank: int, gdim: int):
        from dolfinx.io import gmsh as dolfinx_gmsh  # 0.10 renamed io.gmshio to io.gmsh

        # The partitioner now also takes the maximum number of cells a facet links (2: a
        # non-branching manifold mesh, model_to_mesh's default too).
        partitioner = dmesh.create_cell_partitioner(dmesh.GhostMode.shared_facet, 2)
        data = dolfinx_gmsh.model_to_mesh(model, comm, rank, gdim=gdim, partitioner=partitioner)
        # MeshData(mesh, cell_tags, facet_tags, ridge_tags, peak_tags, physical_groups); a
        # dimension without physical groups gives None where 0.9 gave empty tags.
        tdim = data.mesh.topology.dim
        empty = lambda dim: dmesh.meshtags(  # noqa: E731
            data.mesh, dim, np.empty(0, np.int32), np.empty(0, np.int32))
        cell_tags = data.cell_tags if data.cell_tags is not None else empty(tdim)
        facet_tags = data.facet_tags if data.facet_tags is not None else empty(tdim - 1)
        return data.mesh, cell_tags, facet_tags

    @staticmethod
    def create_vector(form: fem.Form) -> PETSc.Vec:
        # fem.petsc.create_vector takes the function space(s) now, not the form.
        return fem.petsc.create_vector(form.function_spaces[0])

    @staticmethod
    def create_block_matrix(forms) -> PETSc.Mat:
        # create_matrix_block is gone: a nested list of forms with kind=None gives the same
        # single blocked (non-nest) matrix.
        return fem.petsc.create_matrix(forms)

    @staticmethod
    def assemble_block_matrix(matrix: PETSc.Mat, forms, bcs) -> None:
        fem.petsc.assemble_matrix(matrix, forms, bcs=bcs)

    @staticmethod
    def interpolation_points(space):
        return space.element.interpolation_points  # a property now

    @staticmethod
    def eval_expression(expression: fem.Expression, mesh, cells: np.ndarray) -> np.ndarray:
        # eval returns (cells, points, *value_shape) now; 0.9 gave (cells, points × value size).
        return expression.eval(mesh, cells).reshape(cells.size, -1)


_IMPLEMENTATIONS = {(0, 5): _Dolfinx05, (0, 9): _Dolfinx09, (0, 11): _Dolfinx011}

try:
    _impl = _IMPLEMENTATIONS[DOLFINX_VERSION]
except KeyError:  # pragma: no cover - depends on the installed DOLFINx
    supported = ", ".join(f"{a}.{b}" for a, b in _IMPLEMENTATIONS)
    raise ImportError(
        f"nanoglue supports DOLFINx {supported}; found {dolfinx.__version__}. "
        "See README 'Supported DOLFINx versions'."
    ) from None


def lagrange_space(mesh, degree: int, shape: tuple[int, ...] = ()) -> fem.FunctionSpace:
    """Continuous Lagrange space of ``degree``: scalar (shape ()) or vector/tensor valued."""
    return _impl.space(mesh, _impl.element(mesh, "Lagrange", degree, shape))


def dg_space(mesh, degree: int, shape: tuple[int, ...] = ()) -> fem.FunctionSpace:
    """Discontinuous Lagrange space (DG0 for cell-wise data such as region ids)."""
    return _impl.space(mesh, _impl.element(mesh, "DG", degree, shape))


def quadrature_space(mesh, degree: int, shape: tuple[int, ...] = ()) -> fem.FunctionSpace:
    """Space of values at the quadrature points of a degree-``degree`` rule (internal variables).

    Forms using its functions must integrate with the same rule:
    ``ufl.Measure("dx", metadata={"quadrature_degree": degree, "quadrature_scheme": "default"})``.
    """
    return _impl.space(mesh, _impl.quadrature_element(mesh, degree, shape))


def mesh_from_gmsh(model, comm, rank: int = 0, gdim: int = 2):
    """DOLFINx mesh, cell tags and facet tags from the Gmsh model living on ``rank``.

    The mesh is always partitioned with GhostMode.shared_facet, so interior-facet integrals over
    tagged interfaces work on any number of ranks.
    """
    return _impl.model_to_mesh(model, comm, rank, gdim)


def vtk_grid(mesh_or_space) -> Any:
    """pyvista.UnstructuredGrid of a mesh, or of a function space's dof layout (P2 included)."""
    import pyvista

    topology, cell_types, x = _impl.vtk_topology(mesh_or_space)
    return pyvista.UnstructuredGrid(topology, cell_types, x)


def interpolation_points(space: fem.FunctionSpace) -> np.ndarray:
    """Reference points at which ``space`` interpolates (its quadrature points, for quadrature)."""
    return _impl.interpolation_points(space)


def expression(ufl_expr, space: fem.FunctionSpace) -> fem.Expression:
    """A compiled ``fem.Expression`` evaluated at the interpolation points of ``space``."""
    return fem.Expression(ufl_expr, interpolation_points(space))


def interpolate_expression(function: fem.Function, expr: fem.Expression,
                           cells: Optional[np.ndarray] = None) -> None:
    """``function`` ← ``expr`` at its interpolation points (quadrature spaces included), on
    ``cells`` (local indices, ghosts included) or on every local cell; other dofs keep theirs."""
    if cells is None:
        mesh = function.function_space.mesh
        index_map = mesh.topology.index_map(mesh.topology.dim)
        cells = np.arange(index_map.size_local + index_map.num_ghosts, dtype=np.int32)
    cells = np.asarray(cells, dtype=np.int32)
    if cells.size:  # a rank may hold none of a region's or an interface's cells
        _impl.interpolate(function, expr, cells)


def eval_expression(expr: fem.Expression, mesh, cells: np.ndarray) -> np.ndarray:
    """Values of ``expr`` on ``cells``: shape (num_cells, num_points × value_size)."""
    return _impl.eval_expression(expr, mesh, np.asarray(cells, dtype=np.int32))


def write_meshtags(xdmf: XDMFFile, tags, mesh) -> None:
    """Write mesh tags after the mesh (ParaView can then threshold them)."""
    _impl.write_meshtags(xdmf, tags, mesh)


def cell_dofs(space: fem.FunctionSpace) -> np.ndarray:
    """Dof (block) indices of every local cell, ghosts included: shape (num_cells, dofs per cell)."""
    return _impl.cell_dofs(space)


def entity_size(mesh, dim: int, entities: np.ndarray) -> np.ndarray:
    """Size h (longest edge) of the given entities of dimension ``dim``."""
    return _impl.entity_size(mesh, dim, np.asarray(entities, dtype=np.int32))


def create_vector(form: fem.Form) -> PETSc.Vec:
    """A ghosted PETSc vector for the compiled linear ``form``."""
    return _impl.create_vector(form)


def create_matrix(form: fem.Form) -> PETSc.Mat:
    """A PETSc matrix with the sparsity of the compiled bilinear ``form``."""
    return _impl.create_matrix(form)


def create_block_matrix(forms) -> PETSc.Mat:
    """A PETSc matrix for the blocks ``forms[i][j]`` (compiled; None: zero block), fields in
    DOLFINx's blocked layout: the owned dofs of each field of a rank one after the other."""
    return _impl.create_block_matrix(forms)


def assemble_block_matrix(matrix: PETSc.Mat, forms, bcs) -> None:
    """Add the blocks ``forms`` into ``matrix`` (zero it first), Dirichlet rows/columns of ``bcs``
    zeroed with a unit diagonal; call ``matrix.assemble()`` after."""
    _impl.assemble_block_matrix(matrix, forms, bcs)


def assemble_vector_into(vector: PETSc.Vec, form: fem.Form) -> None:
    """Add the compiled linear ``form`` into ``vector`` (owned and ghost entries, not summed)."""
    fem.petsc.assemble_vector(vector, form)


def assemble_matrix_into(matrix: PETSc.Mat, form: fem.Form) -> None:
    """Add the compiled bilinear ``form`` into ``matrix``; call ``matrix.assemble()`` after."""
    fem.petsc.assemble_matrix(matrix, form)


def set_bc(vector: PETSc.Vec, bcs) -> None:
    """Owned entries of ``vector`` on the dofs of homogeneous ``bcs`` set to 0."""
    fem.petsc.set_bc(vector, bcs)


def assembled_vector(form: fem.Form, vector: Optional[PETSc.Vec] = None) -> PETSc.Vec:
    """``vector`` (a new one if None) ← the compiled linear ``form``, ghost contributions summed
    on their owners."""
    vector = create_vector(form) if vector is None else vector
    with vector.localForm() as local:
        local.set(0.0)
    assemble_vector_into(vector, form)
    vector.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    return vector


def assemble_owned_sum(linear_form: fem.Form) -> np.ndarray:
    """Local values (ghosts included) of the assembled (compiled) ``linear_form``, ghost
    contributions summed on their owners and sent back to the ghosts."""
    vector = assembled_vector(linear_form)
    vector.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
    with vector.localForm() as local:
        values = local.array_r.copy()
    vector.destroy()
    return values
