"""Time stepping and the staggered transport → mechanics coupling."""
