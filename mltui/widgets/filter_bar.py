"""The run list's filter: an MLflow search box with history, and the line saying why a filter failed."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static


class FilterInput(Input):
    """MLflow search syntax; up/down walk the history like a shell (most recent first), Esc closes."""

    BINDINGS = [
        Binding("up", "history(-1)", "Older", show=False),
        Binding("down", "history(1)", "Newer", show=False),
        Binding("escape", "close", "Close", show=False),
    ]

    class Closed(Message):
        """The user put the filter away without applying it."""

    def __init__(self, history: list[str], *, id: str | None = None) -> None:
        super().__init__(placeholder="metrics.accuracy > 0.9 and params.C = '0.5'   (Enter apply, Esc close)", id=id)
        self.history = history  # oldest first; shared with the config, which appends
        self._position = len(history)
        self._draft = ""

    def start_over(self, value: str) -> None:
        """Show `value`; the next up gives the most recent filter, and down past it gives `value` back."""
        self.value = value
        self._draft = value
        self._position = len(self.history)
        self.cursor_position = len(value)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._position == len(self.history):
            self._draft = self.value  # what the user was typing comes back at the end
        self._position = max(0, min(len(self.history), self._position + step))
        self.value = self.history[self._position] if self._position < len(self.history) else self._draft
        self.cursor_position = len(self.value)

    def action_close(self) -> None:
        self.display = False
        self.post_message(self.Closed())


class FilterBar(Vertical):
    """Hidden until opened; Enter asks for the filter, a failure shows in red beneath."""

    DEFAULT_CSS = """
    FilterBar {
        height: auto;
    }
    """

    class Applied(Message):
        """The user submitted a filter (maybe empty: no filter)."""

        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    def __init__(self, history: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history = history

    def compose(self) -> ComposeResult:
        yield FilterInput(self.history, id="run-filter")
        yield Static("", id="run-filter-error")

    def on_mount(self) -> None:
        self.query_one(FilterInput).display = False
        self.query_one("#run-filter-error").display = False

    def open(self, current: str) -> None:
        """Show the box holding the filter in force, ready to edit."""
        box = self.query_one(FilterInput)
        box.display = True
        box.start_over(current)
        box.focus()

    def accepted(self) -> bool:
        """The filter worked: clear the error and close the box; True if it had the focus."""
        self.query_one("#run-filter-error", Static).display = False
        box = self.query_one(FilterInput)
        if box.display and box.has_focus:
            box.display = False
            return True
        return False

    def rejected(self, message: str) -> None:
        """The filter failed: say why, and that the rows shown are the old ones."""
        error = self.query_one("#run-filter-error", Static)
        error.update(Text("✖ " + message + "  (the rows below are from the last good filter)", style="red"))
        error.display = True

    @on(Input.Submitted, "#run-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Applied(event.value.strip()))
