"""The tab strip of the narrow layout: which pane is on screen, and how to reach the others.

Under 100 columns the app shows one pane at a time (see `app.tcss`); this
one-line strip names them all, marks the one shown, and is clickable.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

PANES: tuple[tuple[str, str], ...] = (
    ("experiments", "Experiments"),
    ("runs", "Runs"),
    ("diff", "Diff"),
    ("artifacts", "Artifacts"),
)


class PaneTabs(Static):
    """` Experiments  Runs  Diff  Artifacts   tab ⇄`: the shown pane in reverse video."""

    DEFAULT_CSS = """
    PaneTabs { height: 1; background: $panel; }
    """

    current: reactive[str] = reactive("experiments")

    def render(self) -> Text:
        text = Text()
        for pane_id, label in PANES:
            shown = pane_id == self.current
            style = Style(bold=shown, reverse=shown, dim=not shown, meta={"@click": f"screen.show_pane('{pane_id}')"})
            text.append(f" {label} ", style=style)
            text.append(" ")
        text.append(" tab/shift+tab: next/previous pane", style="dim italic")
        return text
