"""Finite-element plumbing shared by the physics modules."""
