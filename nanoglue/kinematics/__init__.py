"""Model geometry (axisymmetric or 3-D) and kinematics (small strain; finite strain to come)."""
