"""A small modal asking where to save an artifact."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from mltui.text import clean


class SaveArtifactScreen(ModalScreen[str | None]):
    """Ask for a local path; dismiss with it (Enter) or None (Escape)."""

    DEFAULT_CSS = """
    SaveArtifactScreen { align: center middle; }
    SaveArtifactScreen > Vertical { width: 72; height: auto; padding: 1 2; border: round $accent;
        background: $surface; }
    SaveArtifactScreen Input { margin: 1 0; }
    SaveArtifactScreen .hint { color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, name: str, default: str) -> None:
        super().__init__()
        self.artifact_name = name
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text.assemble("Save ", (clean(self.artifact_name, max_len=60), "bold"), " to:"))
            yield Input(value=self.default, placeholder="local folder or file path", id="save-path")
            yield Label(
                Text("Enter save · Esc cancel · an existing folder receives the artifact inside it"), classes="hint"
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or self.default)

    def action_cancel(self) -> None:
        self.dismiss(None)
