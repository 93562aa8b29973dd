"""Parametric geometry of the particle / crater / substrate / coating structure (Gmsh).

``build.build_mesh(case)`` is the entry point: Gmsh builds and meshes the case on rank 0
(``axisymmetric`` (r, z) triangles, or the ``fiber3d`` quarter model in tetrahedra), sized by
``sizing`` (interface elements l_cz/12 by default, a warning above l_cz/3, l_cz = E′·Gc/σc²),
tagged with the ids of ``tags``, and DOLFINx distributes it. ``export`` writes mesh.xdmf,
tags.json, mesh.png and the statistics.
"""
