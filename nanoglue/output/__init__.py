"""What a run writes: curves (CSV/PNG), snapshots (VTK multiblocks for ParaView), summary, progress."""
