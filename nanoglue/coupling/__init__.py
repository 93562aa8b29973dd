"""Staggered transport → mechanics coupling, adaptive stepping and the stepping loop of a run."""
