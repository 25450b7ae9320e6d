"""Small pickers: one value from a list, or a set of columns."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, SelectionList
from textual.widgets.option_list import Option

from mltui.text import clean


class PickOneScreen(ModalScreen[str | None]):
    """Returns the chosen value, or None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text)
            yield OptionList(*(Option(Text(clean(label)), id=f"o{i}") for i, (_, label) in enumerate(self.options)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.options[int((event.option.id or "o0")[1:])][0])


class PickColumnsScreen(ModalScreen[list[str] | None]):
    """Tick the columns to show; type to narrow the list; Enter applies."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("enter", "apply", "Apply", priority=True),
    ]

    def __init__(self, title: str, options: list[tuple[str, str, bool]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.selected = {value for value, _, on in options if on}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.title_text}  (space toggles, Enter applies, Esc cancels)")
            yield Input(placeholder="type to narrow", id="pick-filter")
            yield SelectionList[str](*self._items(""), id="pick-list")

    def _items(self, needle: str) -> list[tuple[Text, str, bool]]:
        needle = needle.lower()
        return [
            (Text(clean(label)), value, value in self.selected)
            for value, label, _ in self.options
            if needle in label.lower()
        ]

    def on_input_changed(self, event: Input.Changed) -> None:
        picker = self.query_one(SelectionList)
        picker.clear_options()
        picker.add_options(self._items(event.value))

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        self.selected ^= {event.selection.value}

    def action_apply(self) -> None:
        order = [value for value, _, _ in self.options]
        self.dismiss([value for value in order if value in self.selected])
