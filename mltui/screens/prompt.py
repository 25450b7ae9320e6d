"""Ask for a line of text, a longer note, or a yes/no confirmation."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from mltui.lookup import parse_tag


class PromptScreen(ModalScreen[str | None]):
    """One line of text; Enter accepts, Esc cancels (returns None)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.question))
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class NoteScreen(ModalScreen[str | None]):
    """A multi-line note; Ctrl+S saves, Esc cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel"), Binding("ctrl+s", "save", "Save", priority=True)]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.question + "  (Ctrl+S saves, Esc cancels)"))
            yield TextArea(self.value, id="note-text")

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)


class ConfirmScreen(ModalScreen[str]):
    """Yes or no about the runs named in `lines`; returns "yes", "no" or "other".

    Only `y` or the Yes button confirm. `other` labels a second choice (key
    `a`), such as acting on the ticked runs instead of the highlighted one:
    it is never the default, so nothing unseen is ever a silent target.
    """

    DEFAULT_CSS = """
    #confirm-lines {
        height: auto;
        max-height: 12;
        margin-top: 1;
    }
    """

    BINDINGS = [
        Binding("y", "choose('yes')", "Yes"),
        Binding("n,escape", "choose('no')", "No"),
        Binding("a", "choose('other')", "Other", show=False),
    ]

    def __init__(self, question: str, lines: Sequence[str] = (), other: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.lines = list(lines)
        self.other = other

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.question))
            if self.lines:
                with VerticalScroll(id="confirm-lines"):
                    yield Static(Text("\n".join(self.lines)), id="confirm-names")
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", variant="error", id="yes")
                if self.other:
                    yield Button(Text(f"{self.other} (a)"), id="other")
                yield Button("No (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_choose(self, choice: str) -> None:
        if choice != "other" or self.other:
            self.dismiss(choice)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "no")


def ask_for_tag(app: App[object], question: str, placeholder: str, then: Callable[[str, str], None]) -> None:
    """Prompt for `key=value` and call `then(key, value)`; a line without `=` gets a warning, Esc nothing."""

    def chosen(text: str | None) -> None:
        tag = parse_tag(text)
        if tag is not None:
            then(*tag)
        elif text:
            app.notify("Write the tag as key=value.", severity="warning")

    app.push_screen(PromptScreen(question, placeholder=placeholder), chosen)
