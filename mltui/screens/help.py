"""The help screen: every key of every pane and screen, read from the bindings themselves.

Nothing here lists keys by hand: the App hands over its panes (their widget
classes, children included) and this module finds mltui's screens, then
both read the `BINDINGS` the classes declare. A key added to a pane shows up
here without anyone remembering to document it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Collection, Iterable
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

Section = tuple[str, list[tuple[str, str]]]  # a title, then (keys, what they do) rows

PACKAGE = "mltui"


def declared_bindings(cls: type) -> list[Binding]:
    """The bindings `cls` and its mltui base classes declare (Textual's own are generic moves).

    A subclass's binding of a key hides a base class's binding of it, as in Textual.
    """
    found: list[Binding] = []
    taken: set[str] = set()
    for base in cls.__mro__:
        if not base.__module__.startswith(PACKAGE + "."):
            continue
        declared = list(Binding.make_bindings(base.__dict__.get("BINDINGS", [])))
        found += [b for b in declared if b.key not in taken]
        taken.update(b.key for b in declared)
    return found


def binding_rows(classes: Iterable[type], key_display: Callable[[Binding], str]) -> list[tuple[str, str]]:
    """One row per action: its keys ("↑ k") and description; bindings without a description are left out."""
    rows: dict[tuple[str, str], list[str]] = {}
    for cls in dict.fromkeys(classes):
        for binding in declared_bindings(cls):
            if binding.description:
                keys = rows.setdefault((binding.action, binding.description), [])
                shown = key_display(binding)
                if shown not in keys:
                    keys.append(shown)
    unique: dict[tuple[str, str], None] = {(" ".join(keys), what): None for (_, what), keys in rows.items()}
    return list(unique)


def screen_classes() -> list[type[Screen[Any]]]:
    """Every screen class mltui defines (found by importing `mltui.screens`), help first."""
    import mltui.screens

    for module in pkgutil.iter_modules(mltui.screens.__path__):
        importlib.import_module(f"mltui.screens.{module.name}")
    found: list[type[Screen[Any]]] = []
    pending: list[type[Screen[Any]]] = [Screen]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("mltui.screens.") and sub not in found:
                found.append(sub)
    return sorted(found, key=lambda cls: (cls is not HelpScreen, class_title(cls)))


def class_title(cls: type) -> str:
    """`ChartScreen` -> `Chart`, `SaveArtifactScreen` -> `Save artifact`, `FilterBar` -> `Filter bar`."""
    name = cls.__name__.removesuffix("Screen") or cls.__name__
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in name).split()
    return " ".join(words).capitalize()


def screen_sections(key_display: Callable[[Binding], str], listed: Collection[type] = ()) -> list[Section]:
    """A section per mltui screen or dialog that has keys (but those `listed` already, as Global is)."""
    sections = [
        (f"{class_title(cls)} (screen)", binding_rows([cls], key_display))
        for cls in screen_classes()
        if cls not in listed
    ]
    return [section for section in sections if section[1]]


def pane_sections(panes: list[tuple[str, list[type]]], key_display: Callable[[Binding], str]) -> list[Section]:
    """A section per pane (title, then the classes of the pane and its children, the pane's first).

    A child widget's keys get a section of their own, once, naming every pane it is in
    ("Virtual table (in Runs, Diff, Artifacts)"), so a key's context is clear.
    """
    homes: dict[type, list[str]] = {}
    for title, classes in panes:
        for cls in classes[1:]:
            homes.setdefault(cls, []).append(title)
    sections: list[Section] = []
    for title, classes in panes:
        sections.append((title, binding_rows(classes[:1], key_display)))
        for cls in classes[1:]:
            where = homes.pop(cls, None)
            rows = binding_rows([cls], key_display) if where else []
            if rows:
                sections.append((f"{class_title(cls)} (in {', '.join(where or [])})", rows))
    return sections


def render_sections(sections: list[Section]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", justify="right", max_width=24)
    table.add_column()
    for title, rows in sections:
        table.add_row("", "")
        table.add_row("", Text(title, style="bold underline"))
        for keys, what in rows:
            table.add_row(Text(keys), Text(what))
    return table


class HelpScreen(ModalScreen[None]):
    """The keys, grouped by pane, in a scrollable box; escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background 60%; }
    #help-body { width: 80; max-width: 100%; height: 90%; border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, sections: list[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        body = VerticalScroll(id="help-body")
        body.border_title = "Keys"
        body.border_subtitle = "↑↓ scroll · esc close"
        with body:
            yield Static(render_sections(self.sections), id="help-table")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
