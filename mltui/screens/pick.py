"""Small pickers: one value from a list, or a set of columns."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
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


TICKED, UNTICKED = "☑", "☐"  # shapes, not only colours, tell shown columns from hidden ones


class ColumnSearch(Input):
    """The picker's search box: every printable key types, except space, which ticks."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return key != "space" and super().check_consume_key(key, character)


class PickColumnsScreen(ModalScreen[list[str] | None]):
    """Tick the columns to show: type to narrow, up/down move, space toggles, Enter applies.

    The keys work while the focus stays in the search box, so narrowing and
    ticking never need a Tab in between.
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("enter", "apply", "Apply", priority=True),
        Binding("space", "toggle_column", "Toggle", priority=True),
        Binding("down", "move(1)", "Down", priority=True, show=False),
        Binding("up", "move(-1)", "Up", priority=True, show=False),
    ]

    def __init__(self, title: str, options: list[tuple[str, str, bool]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.selected = {value for value, _, on in options if on}
        self.shown: list[tuple[str, str]] = []  # (value, label) of the options listed now

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.title_text}  (type to narrow, ↑↓ move, space toggles, Enter applies, Esc cancels)")
            yield ColumnSearch(placeholder="type to narrow", id="pick-filter")
            yield OptionList(id="pick-list")

    def on_mount(self) -> None:
        self._show("")

    def _prompt(self, value: str, label: str) -> Text:
        ticked = value in self.selected
        mark = Text(TICKED if ticked else UNTICKED, style="bold green" if ticked else "dim")
        return Text.assemble(mark, " ", clean(label))

    def _show(self, needle: str) -> None:
        needle = needle.lower()
        self.shown = [(value, label) for value, label, _ in self.options if needle in label.lower()]
        picker = self.query_one(OptionList)
        picker.clear_options()
        picker.add_options([self._prompt(value, label) for value, label in self.shown])
        picker.highlighted = 0 if self.shown else None

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def action_move(self, step: int) -> None:
        picker = self.query_one(OptionList)
        if self.shown:
            current = picker.highlighted if picker.highlighted is not None else -step
            picker.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def action_toggle_column(self) -> None:
        picker = self.query_one(OptionList)
        index = picker.highlighted
        if index is None or not 0 <= index < len(self.shown):
            return
        value, label = self.shown[index]
        self.selected ^= {value}
        picker.replace_option_prompt_at_index(index, self._prompt(value, label))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click ticks, like space
        self.action_toggle_column()

    def action_apply(self) -> None:
        order = [value for value, _, _ in self.options]
        self.dismiss([value for value in order if value in self.selected])
