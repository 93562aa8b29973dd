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


def plot_debonding(curves_csv: Path, png: Path, title: str, onset: dict, complete: dict) -> None:
    """Debonded fraction of each interface vs volume expansion, by 2πr-weighted area (solid) and
    by arc length (dashed), with onset (○) and completion (■) marked."""
    table = read_curves(curves_csv)
    names = [k[: -len("_debonded_area_fraction")] for k in table if k.endswith("_debonded_area_fraction")]
    if not names:
        return
    x = table["expansion_percent"]
    figure, axes = plt.subplots(figsize=(7.5, 4.5), constrained_layout=True)
    for name in names:
        line = axes.plot(x, table[f"{name}_debonded_area_fraction"], label=f"{name} (area)")[0]
        axes.plot(x, table[f"{name}_debonded_arc_fraction"], "--", color=line.get_color(),
                  label=f"{name} (arc)")
        for marks, symbol in ((onset, "o"), (complete, "s")):
            if marks.get(name) is not None:
                axes.axvline(marks[name], color=line.get_color(), lw=0.6, ls=":")
                axes.plot([marks[name]], [0.0], symbol, color=line.get_color(), clip_on=False)
    axes.set(xlabel="volume expansion β·mean(c) [%]", ylabel="debonded fraction",
             ylim=(-0.02, 1.02), title=f"{title}: debonding (○ onset, ■ complete)")
    axes.legend(fontsize=8)
    figure.savefig(png, dpi=120)
    plt.close(figure)
