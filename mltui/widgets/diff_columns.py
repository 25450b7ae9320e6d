"""Column widths and headers of the diff table: compact, so two runs and their Δ fit at 120 columns.

A value column is as wide as its values, not as its run's name: the name runs
over the value and Δ columns in the first header line, shortened in the middle
so different names stay different, with the short id under it. When the pane
is narrower than every column at full width, the texts that may be cut (dates,
long params) give way first; metric values and their differences never do.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len

from mltui.diff import DiffResult, DiffRow
from mltui.formatting import shorten_names
from mltui.text import clean
from mltui.widgets.virtual_table import GAP, Column

KEY_WIDTH = (8, 40)  # the key column's bounds; a narrow pane lowers the upper one
KEY_SHARE = 0.35  # of the pane, at most, for the key column (never below KEY_WIDTH[0] + 4)
VALUE_WIDTH = (8, 28)  # a value column: at least a short id, at most this
DELTA_MIN = 6
CHANGED_GAP = 1


@dataclass(slots=True)
class Sizing:
    """A column's natural width (its longest text) and the least it needs (metric numbers whole)."""

    natural: int
    essential: int


def key_text(row: DiffRow) -> str:
    return clean(row.key, max_len=120) + (" ↓" if row.lower_is_better else "")


def _size(rows: list[DiffRow], texts: list[str], bounds: tuple[int, int]) -> Sizing:
    natural = max([bounds[0], *(cell_len(t) for t in texts)])
    metric = [cell_len(t) for row, t in zip(rows, texts) if row.section == "metrics"]
    essential = max([bounds[0], *metric])
    return Sizing(min(natural, bounds[1]), min(essential, bounds[1]))


def _fit(sizes: list[Sizing], available: int | None) -> list[int]:
    """Widths that fit `available` cells when they can: every column gets its essential width, then the rest in turn."""
    if available is None or sum(s.natural for s in sizes) <= available:
        return [s.natural for s in sizes]
    widths = [s.essential for s in sizes]
    spare = available - sum(widths)
    for index, size in enumerate(sizes):
        if spare <= 0:
            break
        grow = min(spare, size.natural - size.essential)
        widths[index] += grow
        spare -= grow
    return widths


def diff_columns(result: DiffResult, pane_width: int | None = None) -> list[Column]:
    """The changed marker, the key, then per run its value and (after the baseline) its Δ."""
    rows = result.rows
    key_cap = KEY_WIDTH[1]
    if pane_width:
        key_cap = max(KEY_WIDTH[0] + 4, min(KEY_WIDTH[1], int(pane_width * KEY_SHARE)))
    key_width = max(KEY_WIDTH[0], min(key_cap, max((cell_len(key_text(r)) for r in rows), default=0)))
    sizes: list[Sizing] = []
    kinds: list[tuple[str, int]] = []
    for index in range(len(result.runs)):
        sizes.append(_size(rows, [r.cells[index].text for r in rows], VALUE_WIDTH))
        kinds.append(("v", index))
        if index:
            sizes.append(_size(rows, [r.cells[index].delta_text for r in rows], (DELTA_MIN, VALUE_WIDTH[1])))
            kinds.append(("d", index))
    fixed = 1 + CHANGED_GAP + key_width + GAP
    available = None if not pane_width else pane_width - fixed - GAP * len(sizes) + GAP
    widths = dict(zip(kinds, _fit(sizes, available)))
    return [
        Column("changed", "", 1, gap=CHANGED_GAP),
        Column("key", "Key", key_width),
        *_run_columns(result, widths),
    ]


def _run_columns(result: DiffResult, widths: dict[tuple[str, int], int]) -> list[Column]:
    """Value and Δ columns, the run's shortened name over both."""
    spans = [widths["v", i] + (GAP + widths["d", i] if i else 0) for i in range(len(result.runs))]
    names = shorten_names([clean(run.name, max_len=None) for run in result.runs], spans)
    columns = []
    for index, (run, name) in enumerate(zip(result.runs, names)):
        width = widths["v", index]
        short_id = run.short_id + (" base" if index == 0 and width >= len(run.short_id) + 5 else "")
        style = "bold yellow" if index == 0 else "bold"
        columns.append(Column(f"v:{index}", f"{name}\n{short_id}", width, header_style=style, span=2 if index else 1))
        if index:
            delta = widths["d", index]
            columns.append(Column(f"d:{index}", f"Δ {name}\n{'Δ vs base' if delta >= 9 else 'Δ'}", delta))
    return columns
