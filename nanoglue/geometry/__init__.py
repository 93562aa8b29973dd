"""Parametric geometry of the particle / crater / substrate / coating structure (Gmsh).

``fem.mesh.build_mesh(case)`` (through ``build.mesh_model``) is the entry point: Gmsh meshes
the case on rank 0 (``axisymmetric`` (r, z) triangles, or the ``fiber3d`` quarter model in
tetrahedra), sized by ``sizing`` (interface elements l_cz/12 by default, a warning above
l_cz/3, l_cz = E′·Gc/σc²), tagged with the ids of ``tags``, and DOLFINx distributes it; or
``mesh_file`` reads a user's .msh (``geometry.mesh.file``) and checks it against the case.
``output.mesh_outputs`` writes mesh.xdmf, tags.json, mesh.png and the statistics.
"""
