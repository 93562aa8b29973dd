"""What a run writes: curves (CSV/PNG), snapshots (XDMF for ParaView), summary, progress."""
