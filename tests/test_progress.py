"""Progress that reads in any terminal or log: a bar that fits 80 columns on a terminal (the
status cut, never the bar), plain lines without escape codes elsewhere; the fraction of the
schedule follows the path X travels, also while desodiation brings X back down."""

import io
import re

from rich.console import Console

from nanoglue.output import progress as progress_module
from nanoglue.output.progress import progress_bar

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
STATUS = "sodiating · step 0.5 % · Newton 3 · σvM(Sn) 2.00 GPa · Sn/substrate debonded 35%"


def _lines(text: str) -> list[str]:
    return [line for line in re.split(r"[\r\n]", ESCAPE.sub("", text)) if line.strip()]


def test_the_bar_fits_80_columns_and_keeps_the_bar():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    with progress_bar("paper-coated-6nm-desodiate", 160.0, console) as bar:
        bar.update(40.0, STATUS)
        bar.log("step of 0.5 % from 40.000 % refused (no convergence); retrying with 0.25 %")
        bar.update(80.0, STATUS)
    lines = _lines(buffer.getvalue())
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    last = lines[-1]
    assert "━" in last and "X  80.00 %" in last and "50 %" in last  # half the schedule
    assert any(line.startswith("step of 0.5 %") for line in lines)


def test_off_a_terminal_progress_is_plain_periodic_lines(monkeypatch, capsys):
    monkeypatch.setattr(progress_module, "PLAIN_EVERY_SECONDS", 0.0)
    console = Console(file=io.StringIO())  # not a terminal: a log file, a pipe
    with progress_bar("paper-coated-6nm-desodiate", 160.0, console) as bar:
        for expansion in (20.0, 80.0, 40.0):  # up to the stop, then desodiating back
            bar.update(expansion, STATUS)
    out = capsys.readouterr().out
    assert "\x1b" not in out
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert len(lines) == 4  # one per update here, and the last state once more at the end
    assert "X  40.00 %" in lines[-1] and "75% of the schedule" in lines[-1]
