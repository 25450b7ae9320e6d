"""Numbers and grid cells shared by the structured and table comparisons.

Number display reuses the metric diff engine (`mltui.diff`) so a config value,
a table cell and a metric read alike: unequal values never look equal, and a
delta is exact ("+0.0312", "+50"), never float noise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from mltui.diff import MISSING, format_delta, format_values, is_lower_better

FLAGS = ("better", "worse", "changed", "same", "missing")
_INTEGER = re.compile(r"[+-]?\d{1,300}")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")  # no "nan", "inf", "1_000", "0x10"
_MAX_LITERAL = 400


def as_number(value: object) -> int | float | None:
    """A finite number from a parsed value or a decimal literal string; None otherwise.

    Booleans are not numbers here (YAML `true` is not `1`); integer literals stay
    int so their deltas are exact at any size.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > _MAX_LITERAL:
        return None
    if _INTEGER.fullmatch(text):
        return int(text)
    if not _DECIMAL.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def number_texts(values: Sequence[int | float | None]) -> list[str]:
    """Display strings for numbers compared together; MISSING for None.

    Floats use the metric diff's digit choice; ints print exactly.
    """
    floats: list[float | None] = []
    for value in values:
        try:
            floats.append(None if value is None else float(value))
        except OverflowError:  # an int beyond float range: shown exactly below
            floats.append(None)
    texts = format_values(floats)
    return [
        MISSING if value is None else (str(value) if isinstance(value, int) else texts[i])
        for i, value in enumerate(values)
    ]


def _significant(text: str) -> int:
    """Significant digits in a formatted number ("0.0312" -> 3, "1.5e-07" -> 2)."""
    mantissa = text.lstrip("+-").split("e")[0].replace(".", "").lstrip("0")
    return max(1, len(mantissa))


def delta_text(base: int | float, value: int | float) -> str:
    """`value - base` as "+0.0312" / "-3" / "0": exact for ints, float noise rounded away.

    Same rules as the metric diff's `format_delta`, without its percentage.
    "" when the difference is not a finite number.
    """
    if isinstance(base, int) and isinstance(value, int):
        delta = value - base
        return f"+{delta}" if delta > 0 else str(delta)
    try:
        digits = max(6, *(_significant(t) for t in format_values([float(base), float(value)])))
        text = format_delta(float(base), float(value), digits=digits)
    except OverflowError:
        return ""
    return text.split(" (", 1)[0]


def verdict(column: str, base: int | float, value: int | float) -> str:
    """ "same", or "better"/"worse" by the column's direction (loss-like names: lower is better)."""
    if value == base:
        return "same"
    return "better" if (value < base) == is_lower_better(column) else "worse"


@dataclass(frozen=True, slots=True)
class GridCell:
    """One shown cell: the value text, its delta vs the baseline, and a flag for colouring."""

    value: str  # raw text (the UI escapes it); MISSING ("—") when absent
    delta: str = ""  # "+0.0312" for numbers that differ from the baseline's; "" otherwise
    flag: str = "same"  # one of FLAGS

    @property
    def text(self) -> str:
        """Value and delta in one string: "0.8312 (+0.0312)"."""
        return f"{self.value} ({self.delta})" if self.delta and self.delta != "0" else self.value


@dataclass
class Grid:
    """A plain table for a virtual table widget: header, rows of cells, per-row changed flags.

    `key_columns` leading columns name the row (they carry flag "same"); the rest
    are per-run values, `column_runs[i]` naming the run of column i (None for key columns).
    """

    columns: list[str]
    column_runs: list[str | None]
    cells: list[list[GridCell]]
    changed: list[bool]
    key_columns: int = 1
    hidden: int = 0  # rows left out by a changed-only filter
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[list[str]]:
        """Cell strings, value and delta together."""
        return [[cell.text for cell in row] for row in self.cells]

    @property
    def flags(self) -> list[list[str]]:
        """The flag of every cell, same shape as `rows`."""
        return [[cell.flag for cell in row] for row in self.cells]

    def changed_only(self) -> Grid:
        """The rows where some run differs from the baseline (or lacks the row)."""
        keep = [i for i, changed in enumerate(self.changed) if changed]
        return Grid(
            self.columns,
            self.column_runs,
            [self.cells[i] for i in keep],
            [True] * len(keep),
            self.key_columns,
            self.hidden + len(self.cells) - len(keep),
            self.notes,
        )


def compare_cells(column: str, values: Sequence[object | None]) -> list[GridCell]:
    """Cells for one value across runs (baseline first): texts, deltas and flags.

    Numbers get deltas and better/worse by `column`'s direction; other values
    are "same" or "changed"; None is "missing".
    """
    numbers = [as_number(v) for v in values]
    texts = number_texts([n if n is not None else None for n in numbers])
    base, base_number = values[0], numbers[0]
    cells = []
    for i, (value, number) in enumerate(zip(values, numbers)):
        text = texts[i] if number is not None else (MISSING if value is None else str(value))
        if value is None:
            cells.append(GridCell(MISSING, "", "missing"))
        elif i == 0:
            cells.append(GridCell(text))
        elif base is None:
            cells.append(GridCell(text, "", "changed"))
        elif number is not None and base_number is not None:
            cells.append(GridCell(text, delta_text(base_number, number), verdict(column, base_number, number)))
        else:
            cells.append(GridCell(text, "", "same" if str(value) == str(base) else "changed"))
    return cells


def row_changed(cells: Sequence[GridCell]) -> bool:
    """Whether a row of per-run cells shows any difference from the baseline."""
    return any(cell.flag != "same" for cell in cells)
