"""PNG plots of a run's curves (matplotlib, no display needed), in the package's figure style
(``nanoglue.mplstyle``): importing ``plt`` from here is how every nanoglue figure gets it."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402

from nanoglue.output.curves import read_curves  # noqa: E402

plt.style.use(str(Path(__file__).with_name("nanoglue.mplstyle")))


def plot_stress_curves(curves_csv: Path, png: Path, title: str) -> None:
    """Peak von Mises stress per region; and how far the particle's actual volume change falls
    short of (or exceeds) its free swelling: mechanical − chemical expansion, in percentage points
    (the two differ by the elastic volume change the constraint imposes — plotted against each
    other they were a 1:1 line that showed nothing)."""
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
    shortfall = [m - c for m, c in zip(table["mechanical_expansion_percent"], x)]
    volume.plot(x, shortfall)
    volume.axhline(0.0, color="k", lw=0.6, ls=":")
    volume.set(xlabel="volume expansion β·mean(c) [%]",
               ylabel="mechanical − chemical expansion [% points]",
               title="particle volume: ∫tr ε dV/V₀ − β·mean(c)")
    figure.suptitle(title)
    figure.savefig(png)
    plt.close(figure)


def plot_debonding(curves_csv: Path, png: Path, title: str, onset: dict, complete: dict) -> None:
    """Debonded fraction of each interface vs volume expansion, by 2πr-weighted area (solid) and
    by arc length (dashed), with onset (○, at fraction 0) and completion (■, at fraction 1, the
    whole interface debonded) marked on dotted lines; legend outside the data."""
    table = read_curves(curves_csv)
    names = [k[: -len("_debonded_area_fraction")] for k in table if k.endswith("_debonded_area_fraction")]
    if not names:
        return
    x = table["expansion_percent"]
    figure, axes = plt.subplots(figsize=(9.0, 4.5), constrained_layout=True)
    for name in names:
        line = axes.plot(x, table[f"{name}_debonded_area_fraction"], label=f"{name} (area)")[0]
        axes.plot(x, table[f"{name}_debonded_arc_fraction"], "--", color=line.get_color(),
                  label=f"{name} (arc)")
        for marks, symbol, level, word in ((onset, "o", 0.0, "onset"),
                                           (complete, "s", 1.0, "complete")):
            if marks.get(name) is not None:
                axes.axvline(marks[name], color=line.get_color(), lw=0.6, ls=":")
                axes.plot([marks[name]], [level], symbol, color=line.get_color(), clip_on=False,
                          label=f"{name} {word} at {marks[name]:.3g} %")
    axes.set(xlabel="volume expansion β·mean(c) [%]", ylabel="debonded fraction [-]",
             ylim=(-0.02, 1.02), title=f"{title}: debonding")
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    figure.savefig(png)
    plt.close(figure)


def plot_damage_profiles(states: list, png: Path, title: str, thresholds: dict) -> None:
    """Damage d vs arc length from each interface's outer end, one panel per interface and one
    line per state (``profiles.ProfileState``, coloured by X), the debonded threshold of each
    interface (name → d) dashed (Fig 5 insets)."""
    states = [state for state in states if state.damage_csv is not None]
    if not states:
        return
    tables = [_damage_profile(state.damage_csv) for state in states]
    names = list(tables[0])
    expansions = [state.expansion_percent for state in states]
    norm = Normalize(min(expansions), max(max(expansions), min(expansions) + 1e-9))
    figure, axes = plt.subplots(1, len(names), figsize=(max(4.5 * len(names), 6.5), 4.2),
                                squeeze=False, constrained_layout=True)
    for panel, name in zip(axes[0], names):
        for expansion, table in zip(expansions, tables):
            arc, damage = table[name]
            panel.plot(arc, damage, color=plt.cm.viridis(norm(expansion)), lw=1.0)
        panel.axhline(thresholds[name], color="k", ls="--", lw=0.8,
                      label=f"debonded at d ≥ {thresholds[name]:.6g}")
        panel.set(xlabel="arc length from the outer end [nm]", ylabel="damage d [-]",
                  ylim=(-0.02, 1.15), title=name)
        panel.legend(fontsize=8, loc="upper center", ncol=1, frameon=False)  # above the data
    scale = plt.cm.ScalarMappable(norm=norm, cmap=plt.cm.viridis)
    figure.colorbar(scale, ax=axes[0].tolist(), label="volume expansion β·mean(c) [%]")
    figure.suptitle(f"{title}: interface damage at the snapshots", wrap=True)
    figure.savefig(png)
    plt.close(figure)


def _damage_profile(csv_path: Path) -> dict:
    """interface → (arc_nm, damage) lists of a profiles/interface_damage_<X>.csv."""
    table: dict = {}
    with Path(csv_path).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            arc, damage = table.setdefault(row["interface"], ([], []))
            arc.append(float(row["arc_nm"]))
            damage.append(float(row["damage"]))
    return table


def plot_mesh_2d(points, cells, regions: dict, colours: dict, zoom_centre, zoom_half: float,
                 png: Path) -> None:
    """A 2-D mesh in (r, z) [nm], one colour per region (``regions``: name → the cells' rows of
    ``cells``), element edges drawn, equal axes; with ``zoom_centre`` an inset magnifying the
    square of half-width ``zoom_half`` [nm] around it (the contact rim, where the interface
    elements are too small to see at full scale)."""
    if zoom_centre is None:
        figure, axes = plt.subplots(figsize=(7.0, 6.5))
        panels, inset = [axes], None
    else:  # the zoom beside the mesh, where the equal axes leave room, not over it
        figure, panels = plt.subplots(1, 2, figsize=(12.0, 6.0), width_ratios=[1.0, 1.0])
        axes, inset = panels
    for panel in panels:
        for name, rows in regions.items():
            panel.add_collection(PolyCollection(points[cells[rows]][:, :, :2], facecolors=colours[name],
                                                edgecolors="black", linewidths=0.15,
                                                label=name if panel is axes else None))
        panel.set_aspect("equal")
        panel.grid(False)
        panel.set(xlabel="r [nm]", ylabel="z [nm]")
    axes.autoscale_view()
    axes.set_title("mesh: regions and elements")
    axes.legend(loc="lower left", frameon=True)
    if inset is not None:
        x, y = zoom_centre[0], zoom_centre[1]
        inset.set(xlim=(x - zoom_half, x + zoom_half), ylim=(y - zoom_half, y + zoom_half))
        inset.set_title(f"contact rim, {2 * zoom_half:.3g} nm across")
        axes.indicate_inset_zoom(inset, edgecolor="black")
    figure.savefig(png)
    plt.close(figure)
