"""What the artifact compare screen draws: diff lines, grid rows and the view that scrolls them.

The artifact diff engine hands back raw file content; everything here turns it
into Rich `Text` built from control-stripped strings (never parsed as markup),
so a hostile config or log can neither style the screen nor reach the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mltui.artifact_diff import ByteDiff, DiffLine, Grid, GridCell, StructuredDiff, TextDiff
from mltui.artifact_diff.tables import RUN_SEPARATOR
from mltui.artifacts import human_size
from mltui.text import clean
from mltui.widgets.virtual_table import Column

MAX_LINE = 2000  # characters of one file line shown (the rest is cut with "…")
MAX_GRID_CELL = 40
SIDE_BY_SIDE_MIN_WIDTH = 100  # narrower screens keep the unified diff
TAG_STYLES = {"removed": "red", "added": "green", "context": ""}
TAG_PREFIX = {"removed": "-", "added": "+", "context": " "}
FLAG_STYLES = {"better": "bold green", "worse": "bold red", "changed": "yellow", "missing": "dim", "same": ""}
CHANGE_STYLES = {"~": "yellow", "+": "green", "-": "red"}


@dataclass
class DiffRendering:
    """Display lines of one run's text diff, and where each hunk starts in them."""

    lines: list[Text]
    hunk_starts: list[int]


def _line_text(text: str) -> str:
    return clean(text, max_len=MAX_LINE)


def _number(value: int | None, digits: int) -> str:
    return f"{value:>{digits}}" if value is not None else " " * digits


def _digits(diff: TextDiff) -> int:
    last = max((max(h.old_start + h.old_count, h.new_start + h.new_count) for h in diff.hunks), default=1)
    return max(3, len(str(last)))


def unified_lines(diff: TextDiff, path: str, base: str, other: str) -> DiffRendering:
    """`---`/`+++` headers, `@@` hunk headers and `-`/`+` lines coloured, with both files' line numbers."""
    header = clean(path, max_len=300)
    lines = [
        Text(f"--- a/{header} ({clean(base, max_len=80)})", style="bold red"),
        Text(f"+++ b/{header} ({clean(other, max_len=80)})", style="bold green"),
    ]
    if not diff.hunks:
        lines.append(Text("Files differ outside the compared parts", style="yellow"))
    digits = _digits(diff)
    starts = []
    for hunk in diff.hunks:
        starts.append(len(lines))
        part = "" if hunk.part == "whole" else f"  ({hunk.part} of the file)"
        lines.append(Text(hunk.header + part, style="bold cyan"))
        for line in hunk.lines:
            gutter = f"{_number(line.old, digits)} {_number(line.new, digits)} "
            text = Text(gutter, style="dim", no_wrap=True, end="")
            text.append(TAG_PREFIX[line.tag] + _line_text(line.text), style=TAG_STYLES[line.tag])
            lines.append(text)
            if line.no_newline:
                lines.append(Text(" " * (2 * digits + 2) + "\\ No newline at end of file", style="dim"))
    return DiffRendering(lines, starts)


def side_by_side_lines(diff: TextDiff, width: int) -> DiffRendering:
    """Baseline on the left, the other run on the right, each column `width // 2` cells wide."""
    digits = _digits(diff)
    half = max(10, (width - 3) // 2)
    lines: list[Text] = []
    starts = []
    for hunk, pairs in zip(diff.hunks, diff.side_by_side()):
        starts.append(len(lines))
        lines.append(Text(hunk.header, style="bold cyan"))
        for old, new in pairs:
            text = Text(no_wrap=True, end="")
            _append_side(text, old, old.old if old else None, digits, half)
            text.append(" │ ", style="dim")
            _append_side(text, new, new.new if new else None, digits, half)
            lines.append(text)
    return DiffRendering(lines, starts)


def _append_side(text: Text, line: DiffLine | None, number: int | None, digits: int, width: int) -> None:
    """One half of a side-by-side row: line number and content, padded or cut to `width` cells."""
    if line is None:
        text.append(" " * width)
        return
    text.append(_number(number, digits) + " ", style="dim")
    body = TAG_PREFIX[line.tag] + _line_text(line.text)
    room = max(1, width - digits - 1)
    body = set_cell_size(body, room - 1) + "…" if cell_len(body) > room else body + " " * (room - cell_len(body))
    text.append(body, style=TAG_STYLES[line.tag])


def change_lines(diff: StructuredDiff, limit: int) -> list[Text]:
    """`~ key: old → new (+delta)`, `+ added`, `- removed` lines coloured, at most `limit` of them."""
    raw = diff.lines()
    shown = [Text(clean(line, max_len=300), style=CHANGE_STYLES.get(line[:1], "")) for line in raw[:limit]]
    if len(raw) > limit:
        shown.append(Text(f"… {len(raw) - limit:,} more (the table below lists every key)", style="dim"))
    return shown


def byte_sizes(diff: object) -> str:
    """ " (1.2 KiB → 1.5 KiB)" for files compared as bytes; "" for other diffs."""
    return f" ({human_size(diff.old_size)} → {human_size(diff.new_size)})" if isinstance(diff, ByteDiff) else ""


def is_directional(path: str) -> bool:
    """Results and metrics files colour numbers better/worse; configs only mark them changed."""
    name = path.rsplit("/", 1)[-1].lower()
    return any(word in name for word in ("result", "metric", "score", "eval"))


@dataclass(slots=True)
class GridRow:
    """One row of a compare grid for the virtual table."""

    key: str
    cells: list[GridCell]


def grid_table(grid: Grid) -> tuple[list[Column], list[GridRow]]:
    """Columns sized to their content and rows of the engine's grid, ready for a VirtualTable."""
    rows = [GridRow(str(i), cells) for i, cells in enumerate(grid.cells)]
    columns = []
    for i, name in enumerate(grid.columns):
        label = clean(name, max_len=80)
        widest = max([cell_len(label), *(cell_len(clean(row.cells[i].text, max_len=200)) for row in rows[:2000])])
        numeric = i >= grid.key_columns
        columns.append(Column(str(i), label, max(1, min(widest, MAX_GRID_CELL)), "right" if numeric else "left"))
    return columns, rows


def table_column_names(grid: Grid) -> list[str]:
    """The compared tables' own column names (key column first), from grid headers like "precision · run-b"."""
    names = [grid.columns[0]] if grid.columns else []
    for header, run in zip(grid.columns[grid.key_columns :], grid.column_runs[grid.key_columns :]):
        names.append(header.removesuffix(f"{RUN_SEPARATOR}{run}") if run else header)
    return list(dict.fromkeys(names))


def grid_cell(row: GridRow, column: Column) -> tuple[str, str]:
    """A cell's text (value and delta) made safe, styled by its flag (better, worse, changed, missing)."""
    cell = row.cells[int(column.key)]
    return clean(cell.text, max_len=200), FLAG_STYLES.get(cell.flag, "")


class DiffLinesView(ScrollView, can_focus=True):
    """Read-only styled lines (a diff), rendering only what is visible; scrolls to a line on request."""

    DEFAULT_CSS = "DiffLinesView { height: 1fr; background: $surface; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[Text] = []
        self._strips: LRUCache[int, Strip] = LRUCache(1024)

    @property
    def text(self) -> str:
        """Every line as plain text (what a user reads, for tests and copying)."""
        return "\n".join(line.plain for line in self.lines)

    def load(self, lines: Sequence[Text]) -> None:
        self.lines = list(lines)
        self._strips.clear()
        width = max((line.cell_len for line in self.lines), default=0)
        self.virtual_size = Size(width, len(self.lines))
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def show_line(self, index: int) -> None:
        """Scroll so line `index` is the top line."""
        self.scroll_to(y=index, animate=False, immediate=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index, width, style = scroll_y + y, self.size.width, self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, style)
        strip = self._strips.get(index)
        if strip is None:
            text = self.lines[index].copy()
            text.stylize_before(self.rich_style)
            strip = Strip(text.render(self.app.console), text.cell_len)
            self._strips[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, style)
