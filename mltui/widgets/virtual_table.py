"""A virtual table: draws only the visible rows, so 100,000 runs stay fast.

Textual's DataTable builds and measures every cell; this one renders a row
only when it scrolls into view and caches the result. The owner supplies the
rows (anything with a `.key`) and a function that turns (row, column) into
text and a style. The run list, the diff, the run detail and table previews
use it. Columns wider than the pane scroll sideways under a column cursor while
the first `fixed_columns` stay put, and a footer line says how many columns
are off screen on either side (it takes the horizontal scrollbar's place).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

CellRenderer = Callable[[Any, "Column"], tuple[str, str]]
ValueReader = Callable[[Any, "Column"], "tuple[str, str] | None"]
GAP = 2
MIN_SCROLL_WIDTH = 12  # fixed columns are let go when they would leave less than this to scroll in


@dataclass(slots=True)
class Column:
    key: str
    label: str  # may hold "\n" for a two-line header
    width: int
    justify: str = "left"  # "left" | "right"
    header_style: str = ""
    span: int = 1  # the first header line's label runs over this many columns (a run name over value and Δ)
    gap: int = GAP  # blank cells after the column

    @property
    def outer_width(self) -> int:
        return self.width + self.gap


@lru_cache(maxsize=512)
def _style(spec: str) -> Style:
    return Style.parse(spec) if spec else Style()


def fit(text: str, width: int, justify: str = "left") -> str:
    """Pad or cut `text` to exactly `width` terminal cells (wide characters count double)."""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 0 else ""
    pad = " " * (width - length)
    return pad + text if justify == "right" else text + pad


class VirtualTable(ScrollView, can_focus=True):
    """Rows of anything with a `.key`; a header; a row cursor and, optionally, a column cursor.

    The first `fixed_columns` columns stay put while the rest scroll sideways.
    """

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("left", "cursor_left", "Column left", show=False),
        Binding("right", "cursor_right", "Column right", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("y", "copy_value", "Copy cell", show=False),
    ]

    COMPONENT_CLASSES = {
        "vtable--header",
        "vtable--cursor",
        "vtable--column-cursor",
        "vtable--cell-cursor",
        "vtable--more",
    }

    DEFAULT_CSS = """
    VirtualTable { height: 1fr; background: $surface; scrollbar-size-vertical: 1; scrollbar-size-horizontal: 0; }
    VirtualTable > .vtable--header { text-style: bold; background: $panel; }
    VirtualTable > .vtable--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .vtable--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    VirtualTable > .vtable--column-cursor { text-style: bold underline; background: $panel; }
    VirtualTable > .vtable--cell-cursor { text-style: bold; }
    VirtualTable:focus > .vtable--cell-cursor { text-style: bold reverse; }
    VirtualTable > .vtable--more { background: $warning-muted; color: $text; text-style: bold; }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)
    cursor_column: reactive[int] = reactive(1)

    class CursorMoved(Message):
        """The row cursor moved; `row` is the row object now under it (or None)."""

        def __init__(self, table: VirtualTable, row: Any) -> None:
            self.table = table
            self.row = row
            super().__init__()

        @property
        def control(self) -> VirtualTable:
            return self.table

    TITLE = Column("row-title", "", 0)  # asked of rows with a true `is_title`: one text across the row

    def __init__(
        self,
        render_cell: CellRenderer,
        *,
        fixed_columns: int = 0,
        column_cursor: bool = True,
        full_value: ValueReader | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.render_cell = render_cell
        self.full_value = full_value  # (title, whole text) of a cell; default: its shown text
        self.fixed_columns = fixed_columns
        self.column_cursor = column_cursor
        self.header_height = 1
        self.columns: list[Column] = []
        self.rows: list[Any] = []
        self._index: dict[str, int] = {}
        self._cache: dict[str, list[Segment]] = {}

    # -- data -------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.header_height = max([1, *(c.label.count("\n") + 1 for c in self.columns)])
        if self.columns:  # an emptied table keeps its column for the next columns
            self.cursor_column = min(self.cursor_column, len(self.columns) - 1)
        self._changed()

    def set_rows(self, rows: Sequence[Any], keep_cursor: bool = True) -> None:
        """Replace the rows; the cursor follows its row's key when it survives."""
        current = self.cursor_key if keep_cursor else None
        self.rows = list(rows)
        self._index = {row.key: i for i, row in enumerate(self.rows)}
        target = self._index.get(current, min(self.cursor_row, len(self.rows) - 1)) if current else 0
        self._changed()
        self.cursor_row = max(0, target)

    def append_rows(self, rows: Sequence[Any]) -> None:
        """Add rows at the end without touching the cursor (streamed pages)."""
        start = len(self.rows)
        self.rows.extend(rows)
        for offset, row in enumerate(rows):
            self._index[row.key] = start + offset
        self._update_virtual_size()
        self.refresh()
        if start == 0 and self.rows:
            self.cursor_row = 0

    def splice(self, start: int, stop: int, rows: Sequence[Any]) -> None:
        """Put `rows` in place of rows[start:stop] (a fold or unfold), keeping the rest.

        Re-indexes only from `start` on, so folding one sweep among 100,000
        runs costs a few milliseconds instead of a full `set_rows`.
        """
        current = self.cursor_key
        for row in self.rows[start:stop]:
            self._index.pop(row.key, None)
        self.rows[start:stop] = rows
        index = self._index
        for position in range(start, len(self.rows)):
            index[self.rows[position].key] = position
        self._update_virtual_size()
        self.refresh()
        if current in index and index[current] != self.cursor_row:
            self.cursor_row = index[current]

    def invalidate(self, keys: Sequence[str] | None = None) -> None:
        """Forget cached renderings (all, or of some rows) and repaint."""
        if keys is None:
            self._cache.clear()
        else:
            for key in keys:
                self._cache.pop(key, None)
        self.refresh()

    def _changed(self) -> None:
        self._cache.clear()
        self._update_virtual_size()
        self.refresh()

    def _update_virtual_size(self) -> None:
        width = sum(c.outer_width for c in self.columns)
        self.virtual_size = Size(width, len(self.rows) + self.header_height + self.footer_height)

    @property
    def footer_height(self) -> int:
        """One line saying how many columns are off screen, while the columns are wider than the pane."""
        if not self.columns:
            return 0
        total = sum(c.outer_width for c in self.columns) - self.columns[-1].gap
        return 1 if total > self.scrollable_content_region.width > 0 else 0

    @property
    def fixed_count(self) -> int:
        """How many leading columns stay put: fewer than asked when they would crowd out the rest."""
        width = self.scrollable_content_region.width
        count = min(self.fixed_columns, len(self.columns))
        while count and sum(c.outer_width for c in self.columns[:count]) > width - MIN_SCROLL_WIDTH:
            count -= 1
        return count

    @property
    def _fixed_width(self) -> int:
        return sum(c.outer_width for c in self.columns[: self.fixed_count])

    def hidden_columns(self) -> tuple[int, int]:
        """How many scrolling columns are cut or off screen on the left and on the right."""
        fixed = self.fixed_count
        window = self.scrollable_content_region.width - self._fixed_width
        start, end = int(self.scroll_x), int(self.scroll_x) + window
        left = right = 0
        x = 0
        for column in self.columns[fixed:]:
            if x < start:
                left += 1
            elif x + column.width > end:
                right += 1
            x += column.outer_width
        return left, right

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor_row < len(self.rows):
            return self.rows[self.cursor_row].key
        return None

    @property
    def cursor_row_object(self) -> Any:
        return self.rows[self.cursor_row] if 0 <= self.cursor_row < len(self.rows) else None

    def index_of(self, key: str) -> int | None:
        return self._index.get(key)

    # -- cursor -------------------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        if old < len(self.rows):
            self._cache.pop(self.rows[old].key, None)
        if new < len(self.rows):
            self._cache.pop(self.rows[new].key, None)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.cursor_row_object))

    def watch_cursor_column(self) -> None:
        self._scroll_to_column()
        key = self.cursor_key
        if key is not None:
            self._cache.pop(key, None)
        self.refresh()

    def on_resize(self) -> None:
        self._update_virtual_size()
        self._scroll_to_column()

    def on_focus(self) -> None:
        self.invalidate([key] if (key := self.cursor_key) else [])

    def on_blur(self) -> None:
        self.invalidate([key] if (key := self.cursor_key) else [])

    def _scroll_to_cursor(self) -> None:
        body = max(1, self.scrollable_content_region.height - self.header_height - self.footer_height)
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + body:
            self.scroll_to(y=self.cursor_row - body + 1, animate=False, immediate=True)

    def _scroll_to_column(self) -> None:
        fixed_count = self.fixed_count
        if not self.columns or self.cursor_column >= len(self.columns):
            return
        if self.cursor_column < fixed_count:
            if self.cursor_column == 0 and not fixed_count:
                self.scroll_to(x=0, animate=False, immediate=True)
            return
        fixed = self._fixed_width
        left = sum(c.outer_width for c in self.columns[fixed_count : self.cursor_column])
        right = left + self.columns[self.cursor_column].width
        width = max(1, self.scrollable_content_region.width - fixed)
        if left < self.scroll_x or right - left > width:  # a column wider than the pane shows its start
            self.scroll_to(x=left, animate=False, immediate=True)
        elif right > self.scroll_x + width:
            self.scroll_to(x=right - width, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_cursor_left(self) -> None:
        self.cursor_column = max(0, self.cursor_column - 1)

    def action_cursor_right(self) -> None:
        self.cursor_column = min(len(self.columns) - 1, self.cursor_column + 1)

    def action_page_up(self) -> None:
        self.cursor_row -= max(1, self.scrollable_content_region.height - 2)

    def action_page_down(self) -> None:
        self.cursor_row += max(1, self.scrollable_content_region.height - 2)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self.rows) - 1

    # -- whole values -------------------------------------------------------------

    def cursor_value(self) -> tuple[str, str] | None:
        """(title, whole text) of the cell under the cursors, or None on an empty table."""
        row = self.cursor_row_object
        if row is None or not 0 <= self.cursor_column < len(self.columns):
            return None
        column = self.columns[self.cursor_column]
        if self.full_value is not None:
            return self.full_value(row, column)
        text = self.render_cell(row, column)[0]
        return column.label.replace("\n", " ").strip(), text

    def action_show_value(self) -> None:
        """Show the whole value of the cell under the cursors in a scrollable popup."""
        from mltui.screens.cell_popup import CellPopup

        value = self.cursor_value()
        if value is not None:
            self.app.push_screen(CellPopup(*value))

    def action_copy_value(self) -> None:
        """Copy the whole value of the cell under the cursors (OSC 52)."""
        value = self.cursor_value()
        if value is not None:
            self.app.copy_to_clipboard(value[1])
            self.notify(f"Copied {len(value[1]):,} characters", timeout=2)

    def on_click(self, event: events.Click) -> None:
        if self.header_height <= event.y < self.scrollable_content_region.height - self.footer_height:
            self.cursor_row = int(self.scroll_y) + event.y - self.header_height

    # -- rendering ----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self.footer_height and y == self.scrollable_content_region.height - 1:
            return self._hint_line(width)
        header = y < self.header_height
        if header:
            segments = self._header_segments(y)
        else:
            index = int(self.scroll_y) + y - self.header_height
            if index >= len(self.rows):
                return Strip.blank(width, self.rich_style)
            segments = self._row_segments(index)
            if getattr(self.rows[index], "is_title", False):  # a title row does not scroll sideways
                return Strip(segments).crop(0, width).extend_cell_length(width, self.rich_style)
        fill = self.get_component_rich_style("vtable--header") if header else self.rich_style
        return self._scrolled(segments, width).extend_cell_length(width, fill)

    def _scrolled(self, segments: list[Segment], width: int) -> Strip:
        """Fixed columns stay at the left; the others shift by the horizontal scroll."""
        strip = Strip(segments)
        fixed = min(self._fixed_width, width)
        scroll_x = int(self.scroll_x)
        if not fixed:
            return strip.crop(scroll_x, scroll_x + width)
        left = strip.crop(0, fixed)
        right = strip.crop(fixed + scroll_x, fixed + scroll_x + width - fixed)
        return Strip.join([left, right])

    def _hint_line(self, width: int) -> Strip:
        """The footer of a table wider than its pane: `◂ 2 more` at the left, `▸ 3 more` at the right."""
        left, right = self.hidden_columns()
        style = self.get_component_rich_style("vtable--more")
        start = f" ◂ {left} more " if left else ""
        end = f" ▸ {right} more " if right else ""
        middle = " ←/→ columns " if cell_len(start) + cell_len(end) + 13 <= width else ""
        pad = max(0, width - cell_len(start) - cell_len(end) - cell_len(middle))
        text = start + " " * (pad // 2) + middle + " " * (pad - pad // 2) + end
        return Strip([Segment(set_cell_size(text, width), style)])

    def _header_segments(self, line: int) -> list[Segment]:
        header = self.get_component_rich_style("vtable--header")
        focused = self.get_component_rich_style("vtable--column-cursor")
        segments = []
        skip = 0
        for i, column in enumerate(self.columns):
            if skip:  # covered by a spanning label on this line
                skip -= 1
                continue
            parts = column.label.split("\n")
            text = parts[line] if line < len(parts) else ""
            width, gap, covers = column.width, column.gap, 1
            if line == 0 and column.span > 1:
                spanned = self.columns[i : i + column.span]
                skip = covers = len(spanned)
                skip -= 1
                width = sum(c.outer_width for c in spanned) - spanned[-1].gap
                gap = spanned[-1].gap
            style = header + _style(column.header_style) if column.header_style else header
            if self.column_cursor and self.has_focus and i <= self.cursor_column < i + covers:
                style = focused
            segments.append(Segment(fit(text, width, column.justify), style))
            segments.append(Segment(" " * gap, header))
        return segments

    def _row_segments(self, index: int) -> list[Segment]:
        row = self.rows[index]
        cached = self._cache.get(row.key)
        if cached is not None:
            return cached
        base = self.rich_style
        if index == self.cursor_row:
            base = base + self.get_component_rich_style("vtable--cursor")
        on_cursor = index == self.cursor_row and self.column_cursor
        cell_cursor = self.get_component_rich_style("vtable--cell-cursor") if on_cursor else None
        segments = []
        if getattr(row, "is_title", False):
            text, style = self.render_cell(row, self.TITLE)
            segments.append(Segment(text, base + _style(style)))
            self._cache[row.key] = segments
            return segments
        for i, column in enumerate(self.columns):
            text, style = self.render_cell(row, column)
            cell_style = base + _style(style)
            if cell_cursor is not None and i == self.cursor_column:
                cell_style += cell_cursor
            segments.append(Segment(fit(text, column.width, column.justify), cell_style))
            segments.append(Segment(" " * column.gap, base))
        if len(self._cache) > 2000:
            self._cache.clear()
        self._cache[row.key] = segments
        return segments
