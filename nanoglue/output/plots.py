"""PNG plots of a run's curves (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from nanoglue.output.curves import read_curves  # noqa: E402


def plot_stress_curves(curves_csv: Path, png: Path, title: str) -> None:
    """Peak von Mises stress per region, and mechanical vs chemical volume expansion."""
    table = read_curves(curves_csv)
    if not table:
        return
    x = table["expansion_percent"]
    figure, (stress, volume) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    for key, values in table.items():
        if key.startswith("von_mises_max_"):
            stress.plot(x, values, label=key[len("von_mises_max_"):-len("_GPa")])
    stress.set(xlabel="volume expansion β·mean(c) [%]", ylabel="max von Mises stress [GPa]",
               title="peak stress per region")
    stress.legend()
    volume.plot(x, table["mechanical_expansion_percent"], label="mechanical ∫tr ε dV/V₀")
    volume.plot(x, x, "k:", label="chemical β·mean(c)")
    volume.set(xlabel="volume expansion β·mean(c) [%]", ylabel="volume expansion [%]",
               title="particle volume")
    volume.legend()
    figure.suptitle(title)
    figure.savefig(png, dpi=120)
    plt.close(figure)
