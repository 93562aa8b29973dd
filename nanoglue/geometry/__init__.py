"""Parametric geometry of the particle / crater / substrate / coating structure (Gmsh)."""
