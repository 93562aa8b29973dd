"""``nanoglue report``: run directories against the paper's table, as Markdown and PNG.

Writes into the output directory ``report.md`` (the table with ✓ in band / ✗ out of band — with
runs of both kinematics, small and finite strain side by side —, the runs, the plots),
``report_table.png`` (the table, coloured), ``report_debonding.png`` (Sn/CNF debonded area
fraction vs expansion of every run) and ``report_s11d.png`` (coating von Mises through its
thickness at 56 %, from each coating run's ``profiles/coating_von_mises_56.csv``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Mapping, Sequence

from nanoglue.output.curves import read_curves
from nanoglue.output.plots import plt
from nanoglue.paper_table import (
    IN,
    OUT,
    PROFILE_FILE,
    SN_CNF,
    CoatingProfile,
    RowResult,
    RunData,
    evaluate_runs,
    load_run,
)

MARKS = {IN: "✓", OUT: "✗"}
VERDICT_COLOURS = {IN: "#c8e6c9", OUT: "#ffcdd2"}
TABLE_COLUMNS = ["row", "case", "quantity", "paper", "band", "measured", "in band", "run"]


# ------------------------------------------------------------------------------ shared pieces
def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub Markdown table (``|`` in cells escaped)."""
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(columns), line(["---"] * len(columns)), *map(line, rows)])


def plot_debonded_fraction(curves: Mapping[str, Path], png: Path, interface: str, title: str) -> None:
    """The debonded area fraction of ``interface`` vs volume expansion of every labelled
    curves.csv on one axes (files that do not exist are left out)."""
    figure, axes = plt.subplots(figsize=(9.5, 4.5), constrained_layout=True)
    column = f"{interface}_debonded_area_fraction"
    for label, path in curves.items():
        table = read_curves(path) if path.exists() else {}
        if column in table:
            x, y = table["expansion_percent"], table[column]
            line = axes.plot(x, y, label=label)[0]
            axes.plot(x[-1:], y[-1:], "x", color=line.get_color())  # where the run ended
    axes.set(xlabel="volume expansion β·mean(c) [%]",
             ylabel=f"{interface} debonded area fraction [-]", ylim=(-0.02, 1.02), title=title)
    if axes.lines:
        axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                    title="× where a run ended", title_fontsize=8)
    figure.savefig(png)
    plt.close(figure)


# ------------------------------------------------------------------------------ plots
def plot_coating_profiles(profiles: Mapping[str, CoatingProfile], png: Path) -> None:
    """Coating von Mises stress vs normalised through-thickness position, one line per run."""
    figure, axes = plt.subplots(figsize=(6.5, 4.5), constrained_layout=True)
    for label, profile in sorted(profiles.items(), key=lambda item: item[1].thickness_nm):
        axes.plot(profile.s, profile.von_mises_GPa, marker=".", label=label)
    axes.set(xlabel="through-thickness position s = depth / thickness [-]",
             ylabel="coating von Mises stress [GPa]",
             title="coating stress through its thickness at 56 % (Fig S11d)")
    axes.legend(fontsize=8)
    figure.savefig(png)
    plt.close(figure)


def plot_table(results: Sequence[RowResult], png: Path) -> None:
    """The paper table as a figure: measured value per row, cell coloured by its verdict."""
    cells = [[r.row.row_id, r.row.paper, r.row.band, r.measured or "–", _mark(r.verdict)]
             for r in results]
    colours = [["white"] * 4 + [VERDICT_COLOURS.get(r.verdict, "#eeeeee")] for r in results]
    figure, axes = plt.subplots(figsize=(13, 0.28 * (len(cells) + 1) + 0.5),
                                constrained_layout=True)
    axes.axis("off")
    table = axes.table(cellText=cells, cellColours=colours, bbox=[0.0, 0.0, 1.0, 1.0],
                       cellLoc="left", colLabels=["row", "paper", "band", "measured", "in band"])
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.auto_set_column_width(list(range(5)))
    axes.set_title("nanoglue runs vs Han et al. 2014")
    figure.savefig(png)  # the figure is the table's size: no empty margin
    plt.close(figure)


# ------------------------------------------------------------------------------ report
def write_report(run_dirs: Sequence[Path], out_dir: Path) -> str:
    """Evaluate ``run_dirs`` against the paper's table, write report.md and its PNGs into
    ``out_dir``, and return the Markdown."""
    runs = [load_run(Path(directory)) for directory in run_dirs]
    by_kinematics = {k: evaluate_runs([run for run in runs if run.kinematics == k])
                     for k in sorted({run.kinematics for run in runs}, reverse=True)}
    by_kinematics = by_kinematics or {"small": evaluate_runs([])}
    side_by_side = len(by_kinematics) > 1  # small, then finite strain
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_table([replace(r, row=replace(r.row, row_id=f"{r.row.row_id} ({k})"))
                if side_by_side else r for k, results in by_kinematics.items() for r in results],
               out_dir / "report_table.png")
    curves = {_label(run, side_by_side): run.directory / "curves.csv" for run in runs}
    plot_debonded_fraction(curves, out_dir / "report_debonding.png", SN_CNF,
                           "Sn/CNF debonding of every run")
    table = (_side_by_side_section(by_kinematics) if side_by_side
             else _table_section(next(iter(by_kinematics.values()))))
    sections = [table, _runs_section(runs), _s11d_section(runs, out_dir),
                *_extra_sections(run_dirs, out_dir)]
    text = "\n\n".join(sections) + "\n"
    (out_dir / "report.md").write_text(text, encoding="utf-8")
    return text


def _label(run: RunData, kinematics: bool = False) -> str:
    """A run's legend label: its case name, its directory when that says something else, and
    its kinematics when the report has both."""
    label = run.name if run.directory.name == run.name else f"{run.name} ({run.directory.name})"
    return f"{label}, {run.kinematics} strain" if kinematics else label


def _mark(verdict: str) -> str:
    return MARKS.get(verdict, verdict)


TITLE = ("# nanoglue runs vs the paper (Han et al., Nano Lett. 2014)\n\n"
         "Onset / complete / held as defined in docs/model.md; expansions in % of the pristine "
         "particle volume.\n\n")
FOOTER = ("(no run, a run that ended on purpose before the row's state, or too little data)."
          "\n\n![the table](report_table.png)")


def _counts(results: Sequence[RowResult]) -> str:
    counts = {verdict: sum(r.verdict == verdict for r in results) for verdict in (IN, OUT)}
    unrun = len(results) - counts[IN] - counts[OUT]
    return f"{counts[IN]} in band, {counts[OUT]} out of band, {unrun} not evaluated"


def _table_section(results: Sequence[RowResult]) -> str:
    rows = [[r.row.row_id, ", ".join(r.row.configs), r.row.quantity, r.row.paper, r.row.band,
             r.measured or "–", _mark(r.verdict), ", ".join(map(str, r.runs)) or "–"]
            for r in results]
    return TITLE + f"{markdown_table(TABLE_COLUMNS, rows)}\n\n**{_counts(results)}** " + FOOTER


def _side_by_side_section(by_kinematics: Mapping[str, Sequence[RowResult]]) -> str:
    """One line per paper row, a measured / in-band pair of columns per kinematics (a row
    with several runs of one kinematics lists each)."""
    columns = TABLE_COLUMNS[:5] + [c for k in by_kinematics for c in (f"{k} strain", "in band")]
    rows = []
    for row in {r.row.row_id: r.row for rs in by_kinematics.values() for r in rs}.values():
        cells = [row.row_id, ", ".join(row.configs), row.quantity, row.paper, row.band]
        for results in by_kinematics.values():
            mine = [r for r in results if r.row.row_id == row.row_id]
            cells += ["; ".join(r.measured or "–" for r in mine) or "–",
                      "; ".join(_mark(r.verdict) for r in mine) or "–"]
        rows.append(cells)
    totals = "; ".join(f"{k} strain: {_counts(results)}" for k, results in by_kinematics.items())
    return TITLE + f"{markdown_table(columns, rows)}\n\n**{totals}** " + FOOTER


def _runs_section(runs: Sequence[RunData]) -> str:
    rows = [[str(run.directory), run.name, run.kinematics,
             run.summary.get("status", "no summary.json"),
             _number(run.summary.get("final", {}).get("expansion_percent")),
             _number(run.summary.get("wall_seconds"))] for run in runs]
    columns = ["run", "case", "kinematics", "status", "final expansion [%]", "wall time [s]"]
    return ("## Runs\n\n" + markdown_table(columns, rows)
            + "\n\n![Sn/CNF debonded area fraction](report_debonding.png)")


def _number(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) else "–"


def _s11d_section(runs: Sequence[RunData], out_dir: Path) -> str:
    """The S11d plot over every coating run with a profile; a line for each one without."""
    coated = [(run, run.coating_profile()) for run in runs if run.coating_thickness is not None]
    found = {f"{_label(run)}, {run.coating_thickness:g} nm": profile
             for run, profile in coated if profile is not None}
    lines = [f"- no coating profile in {run.directory} ({PROFILE_FILE} absent)"
             for run, profile in coated if profile is None]
    if found:
        plot_coating_profiles(found, out_dir / "report_s11d.png")
        lines.append("![coating von Mises through its thickness](report_s11d.png)")
    if not coated:
        lines.append("No coating run given.")
    return "## Coating stress through its thickness at 56 % (Fig S11d)\n\n" + "\n".join(lines)


def _extra_sections(run_dirs: Sequence[Path], out_dir: Path) -> list[str]:
    """The coating-thickness trade-off section, when nanoglue.tradeoff is installed."""
    try:
        from nanoglue.tradeoff import thickness_section
    except ImportError:
        return []
    return [thickness_section(list(run_dirs), out_dir)]
