"""The whole value of one table cell, for values cut with `…`: scroll it, copy it with `y`."""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from mltui.text import literal, strip_control

SHOW_LIMIT = 200_000  # characters drawn; `y` still copies the whole value
PRETTY_LIMIT = 100_000  # JSON values up to this size are shown indented


def readable(value: str) -> str:
    """The value as shown: JSON objects and lists indented, control sequences removed, size bounded."""
    text = value
    if len(value) <= PRETTY_LIMIT and value.lstrip()[:1] in ("{", "["):
        try:
            text = json.dumps(json.loads(value), indent=2, ensure_ascii=False)
        except ValueError:
            text = value
    shown = strip_control(text[:SHOW_LIMIT], keep_newlines=True)
    if len(text) > SHOW_LIMIT:
        shown += f"\n… {len(text) - SHOW_LIMIT:,} more characters (y copies them all)"
    return shown


class CellPopup(ModalScreen[None]):
    """A modal with one value, shown literally; never interprets markup or escape sequences."""

    DEFAULT_CSS = """
    CellPopup { align: center middle; }
    CellPopup #cell-popup { width: 90%; max-width: 120; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    CellPopup #cell-popup-title { height: auto; max-height: 2; color: $text-muted; }
    CellPopup #cell-popup-scroll { height: auto; max-height: 100%; }
    CellPopup #cell-popup-hint { height: 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape,q,enter", "close", "Close"),
        Binding("y", "copy", "Copy"),
        Binding("up,k", "scroll('up')", "Up", show=False),
        Binding("down,j", "scroll('down')", "Down", show=False),
        Binding("pageup", "scroll('page_up')", "Page up", show=False),
        Binding("pagedown", "scroll('page_down')", "Page down", show=False),
    ]

    def __init__(self, title: str, value: str) -> None:
        super().__init__()
        self.title_text = title
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="cell-popup"):
            yield Static(literal(self.title_text, "bold", max_len=200), id="cell-popup-title")
            with VerticalScroll(id="cell-popup-scroll"):
                yield Static(Text(readable(self.value)), id="cell-popup-value")
            yield Static(
                Text(f"{len(self.value):,} characters · y copy · Esc close", style="dim"), id="cell-popup-hint"
            )

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.value)
        self.notify(f"Copied {len(self.value):,} characters", timeout=2)

    def action_scroll(self, where: str) -> None:
        scroll = self.query_one("#cell-popup-scroll", VerticalScroll)
        getattr(scroll, f"scroll_{where}")(animate=False)
