"""The help screen: every key, grouped by pane."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Global",
        [
            ("Tab / Shift+Tab", "next / previous pane"),
            ("q", "quit"),
            ("?", "this help"),
            ("Ctrl+P", "command palette"),
            ("R", "reload"),
            ("z", "maximize the focused pane"),
        ],
    ),
    (
        "Experiment tree",
        [
            ("↑ ↓ / j k", "move"),
            ("Enter", "open experiment (or the ticked ones)"),
            ("space", "tick experiment (several at once)"),
            ("D", "show deleted experiments"),
        ],
    ),
    (
        "Run list",
        [
            ("space", "tick run (or a whole group)"),
            ("a", "tick all loaded runs"),
            ("A", "clear ticks"),
            ("b", "make the highlighted run the baseline"),
            ("c", "tick a parent run with its children"),
            ("Enter", "fold a parent run or a group"),
            ("/", "filter with MLflow search syntax (↑↓ history)"),
            ("← →, s", "pick a column, cycle its sort"),
            ("C", "choose columns"),
            ("B", "group by a param or tag"),
            ("D", "show deleted runs"),
            ("w", "live refresh of running runs"),
            (":", "go to run / id / key=value"),
        ],
    ),
    (
        "Run list: writes",
        [
            ("t / T", "tag / untag"),
            ("r", "rename"),
            ("n", "note"),
            ("x", "delete (asks first)"),
            ("u", "undo the last delete"),
            ("", "none in --read-only mode"),
        ],
    ),
    (
        "Diff",
        [
            ("d", "changed rows only"),
            ("m", "latest / best value"),
            ("~", "flip a metric's direction"),
            (".", "show system tags"),
            ("Enter", "fold a section"),
            ("e", "export Markdown / CSV / JSON"),
            ("p", "chart the metric's history"),
        ],
    ),
    ("Chart", [("x", "x axis: step / time"), ("l", "log scale"), ("S", "smoothing"), ("Esc", "close")]),
]


class HelpScreen(ModalScreen[None]):
    """Lists the key map; any of escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", justify="right")
        table.add_column()
        for title, keys in KEYS:
            table.add_row("", "")
            table.add_row("", f"[bold]{title}[/]")
            for key, what in keys:
                table.add_row(key, what)
        with VerticalScroll(id="help-body"):
            yield Static(table)
