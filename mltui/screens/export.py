"""Ask which format to export the diff table in."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

FORMATS = [("markdown", "Markdown (.md)"), ("csv", "CSV (.csv)"), ("json", "JSON (.json, full precision)")]


class ExportScreen(ModalScreen[str | None]):
    """Returns "markdown", "csv" or "json", or None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Label("Export the diff table as…")
            yield OptionList(*(Option(label, id=fmt) for fmt, label in FORMATS), id="export-formats")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
