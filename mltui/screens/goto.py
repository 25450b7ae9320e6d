"""Go to anything: a run id or its prefix, part of a run name, `key=value`, or an id like an invocation_id."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class GotoScreen(ModalScreen[str | None]):
    """Returns what the user typed, or None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                "Go to: a run id or its first characters (7b81393b), part of a run name (any case), "
                "key=value (e.g. invocation_id=71f3f3199ea5e1f0) or an id"
            )
            yield Input(placeholder="paste here, Enter searches every experiment", id="goto-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)
