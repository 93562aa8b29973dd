"""Physics: pure UFL form builders and solvers (transport, later mechanics and cohesive laws)."""
