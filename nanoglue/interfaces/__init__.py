"""Cohesive interfaces: laws by name (local frame), damage history, and the interface that joins
two regions' fields (jump → local law → global traction)."""
