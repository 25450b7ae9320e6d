"""A read-only text view with line numbers that renders only the visible lines."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class TextView(ScrollView, can_focus=True):
    """Read-only lines with a line-number gutter; renders only the visible lines.

    Holds a list of safe strings (or highlighted `Text` lines), so a 1 MiB
    preview costs little more than its lines and scrolls without re-rendering.
    """

    COMPONENT_CLASSES = {"text-view--gutter"}
    DEFAULT_CSS = """
    TextView { height: 1fr; background: $surface; }
    TextView > .text-view--gutter { color: $text-muted; background: $surface; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[str] | list[Text] = []
        self._digits = 1
        self._strips: LRUCache[int, Strip] = LRUCache(1024)

    @property
    def text(self) -> str:
        """All loaded lines as plain text."""
        return "\n".join(line if isinstance(line, str) else line.plain for line in self.lines)

    def load(self, lines: list[str] | list[Text], *, at_end: bool = False) -> None:
        """Show `lines`, scrolled to the start (or to the end for logs)."""
        self.lines = lines
        self._strips.clear()
        self._digits = len(str(max(1, len(lines))))
        self.virtual_size = Size(_max_width(lines) + self._gutter_width, len(lines))
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()
        if at_end:
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    @property
    def _gutter_width(self) -> int:
        return self._digits + 2

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index, width, style = scroll_y + y, self.size.width, self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, style)
        gutter_style = self.get_component_rich_style("text-view--gutter")
        gutter = Strip([Segment(f" {index + 1:>{self._digits}} ", gutter_style)], self._gutter_width)
        body = self._line_strip(index).crop_extend(scroll_x, scroll_x + width - self._gutter_width, style)
        return Strip.join([gutter, body])

    def _line_strip(self, index: int) -> Strip:
        strip = self._strips.get(index)
        if strip is None:
            line = self.lines[index]
            text = Text(line, no_wrap=True, end="") if isinstance(line, str) else line.copy()
            text.stylize_before(self.rich_style)
            strip = Strip(text.render(self.app.console), text.cell_len)
            self._strips[index] = strip
        return strip


def _max_width(lines: list[str] | list[Text]) -> int:
    """Widest line in cells (characters when all are ASCII)."""
    if not lines:
        return 0
    if isinstance(lines[0], Text):
        return max(line.cell_len for line in lines)
    return max((len(line) if line.isascii() else cell_len(line)) for line in lines)
