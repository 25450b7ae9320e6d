"""The right half of the artifact pane: a status line and the preview of one file by type.

It only displays: the pane downloads the file and builds the `Preview` in
worker threads, then hands it here with the lines or table rows prepared by
`prepare`. All artifact content is shown through Rich `Text` objects built
from control-stripped strings: nothing from a file is ever parsed as markup
or sent to the terminal raw.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from itertools import islice
from typing import Any

from rich.cells import cell_len
from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Static, Tree
from textual.widgets.tree import TreeNode

from mltui.artifacts import Preview
from mltui.text import clean, literal, strip_control
from mltui.widgets.image_loader import ImageBox, image_widget
from mltui.widgets.text_view import TextView
from mltui.widgets.virtual_table import Column, VirtualTable

HIGHLIGHT_LIMIT = 256 * 1024  # larger text is shown without syntax colours
TREE_CHILD_LIMIT = 1000
MAX_CELL_WIDTH = 40  # cells of a table preview; longer ones end in "…"


@dataclass(slots=True)
class TableRow:
    """One row of a table preview: its cells as safe one-line strings."""

    key: str
    cells: list[str]


@dataclass(slots=True)
class _Branch:
    """Data of a node in the JSON/YAML structure tree; children added when first expanded."""

    value: Any
    populated: bool = False


def display_lines(text: str, language: str | None) -> list[str] | list[Text]:
    """Split safe text into lines, syntax-highlighted when small enough (run in a thread)."""
    if language and len(text) <= HIGHLIGHT_LIMIT:
        return list(Syntax(text, language, theme="ansi_dark").highlight(text).split("\n"))
    lines = text.split("\n")
    if len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


def display_table(columns: list[str], rows: list[list[Any]]) -> tuple[list[Column], list[TableRow]]:
    """Columns sized to their content, numbers right-aligned, cells made safe (run in a thread)."""
    width = len(columns)
    shown = [
        TableRow(str(i), [clean(v, max_len=200) for v in (row + [""] * width)[:width]]) for i, row in enumerate(rows)
    ]
    table_columns = []
    for i, name in enumerate(columns):
        label = clean(name, max_len=80)
        values = [row.cells[i] for row in shown if row.cells[i]]
        fits = max([cell_len(label), *(cell_len(v) for v in values)])
        numeric = bool(values) and all(_is_number(v) for v in values)
        table_columns.append(Column(str(i), label, max(1, min(fits, MAX_CELL_WIDTH)), "right" if numeric else "left"))
    return table_columns, shown


def prepare(preview: Preview) -> Any:
    """The display lines of a text preview, or the columns and rows of a table (run in a thread).

    The prepared form replaces the raw one in `preview`, so only one copy is kept.
    """
    if preview.text is not None:
        lines = display_lines(preview.text, preview.language)
        preview.text = None
        return lines
    if preview.columns:
        table = display_table(preview.columns, preview.rows)
        preview.rows = []
        return table
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def table_cell(row: TableRow, column: Column) -> tuple[str, str]:
    return row.cells[int(column.key)], ""


class ArtifactPreview(Vertical):
    """A status line over the preview of one file: a message, text, structure tree, table or image."""

    DEFAULT_CSS = """
    ArtifactPreview #artifact-status { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    ArtifactPreview #artifact-status.-error { color: $text-error; }
    ArtifactPreview ContentSwitcher { height: 1fr; }
    ArtifactPreview #preview-message { padding: 1 1; text-overflow: ellipsis; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="artifact-status")
        with ContentSwitcher(initial="preview-message"):
            yield Static(literal("No run selected"), id="preview-message")
            yield TextView(id="preview-text")
            yield Tree(Text("$"), id="preview-structure")
            yield VirtualTable(table_cell, fixed_columns=1, id="preview-table")
            yield ImageBox(id="preview-image")

    @property
    def current(self) -> str | None:
        """The id of the view on show."""
        return self.query_one(ContentSwitcher).current

    def _switch(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = view

    def set_status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#artifact-status", Static)
        status.update(literal(message, max_len=300))
        status.set_class(error, "-error")

    def show_message(self, message: str, *, error: bool = False) -> None:
        text = Text(strip_control(message, keep_newlines=True), style="bold red" if error else "")
        self.query_one("#preview-message", Static).update(text)
        self._switch("preview-message")

    def clear(self) -> None:
        """Drop the previous preview's content (and memory)."""
        self.query_one("#preview-text", TextView).load([])
        table = self.query_one("#preview-table", VirtualTable)
        table.set_columns([])
        table.set_rows([], keep_cursor=False)
        self.query_one("#preview-image", ImageBox).remove_children()
        self.query_one("#preview-structure", Tree).clear()

    async def show(self, name: str, preview: Preview, prepared: Any) -> None:
        """Show file `name`'s `preview`, with what `prepare` made of it; the previous one's content is dropped."""
        self.clear()
        if preview.image is not None:
            await self._show_image(preview)
        elif preview.columns:
            self._show_table(*prepared)
        elif prepared is None:
            self.show_message(f"{name}: {preview.note or 'binary file'}.\nNot previewed. {_SAVE_HINT}")
        else:
            self.query_one("#preview-text", TextView).load(prepared, at_end=preview.from_end)
            self._switch("preview-text")

    def _show_table(self, columns: list[Column], rows: list[TableRow]) -> None:
        table = self.query_one("#preview-table", VirtualTable)
        table.set_columns(columns)
        table.set_rows(rows, keep_cursor=False)
        table.cursor_column = 0
        self._switch("preview-table")

    async def _show_image(self, preview: Preview) -> None:
        ImageWidget = await asyncio.to_thread(image_widget)
        if ImageWidget is None:
            self.show_message("This terminal cannot draw images here. Press s to save the file.")
            return
        self._switch("preview-image")
        await self.query_one("#preview-image", ImageBox).show(preview.image)

    # -- structure tree (JSON / YAML / TOML) --------------------------------------

    def toggle_structure(self, name: str, data: Any) -> None:
        """Switch between the text and a collapsible tree of the parsed document `data`."""
        if self.current == "preview-structure":
            self._switch("preview-text")  # the text view still holds this file
            return
        tree = self.query_one("#preview-structure", Tree)
        tree.reset(literal(name, "bold"), _Branch(data))
        _populate(tree.root)
        tree.root.expand()
        self._switch("preview-structure")

    @on(Tree.NodeExpanded, "#preview-structure")
    def _on_structure_expanded(self, event: Tree.NodeExpanded[_Branch]) -> None:
        event.stop()
        _populate(event.node)

    # -- navigation -----------------------------------------------------------------

    def go(self, *, end: bool) -> None:
        """Jump to the start or end of the view on show."""
        view = self.current
        if view == "preview-table":
            table = self.query_one("#preview-table", VirtualTable)
            table.cursor_row = table.row_count - 1 if end else 0
        elif view == "preview-structure":
            tree = self.query_one("#preview-structure", Tree)
            tree.move_cursor_to_line(tree.last_line if end else 0)
        elif view is not None:
            scroll = self.query_one(f"#{view}")
            (scroll.scroll_end if end else scroll.scroll_home)(animate=False)


_SAVE_HINT = "Press s to save it, or o to open it in $EDITOR."


def _populate(node: TreeNode[_Branch]) -> None:
    """Add the children of a structure node the first time it is opened (at most TREE_CHILD_LIMIT)."""
    branch = node.data
    if branch is None or branch.populated:
        return
    branch.populated = True
    value = branch.value
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in islice(items, TREE_CHILD_LIMIT):
        label = literal(key, "bold", max_len=120)
        if isinstance(child, (dict, list)):
            label.append(f" {'{}' if isinstance(child, dict) else '[]'} {len(child)}", style="dim")
            node.add(label, _Branch(child), allow_expand=bool(child))
        else:
            label.append(": ")
            label.append_text(_scalar(child))
            node.add_leaf(label)
    if len(value) > TREE_CHILD_LIMIT:
        node.add_leaf(Text(f"… {len(value) - TREE_CHILD_LIMIT:,} more", style="dim"))


def _scalar(value: Any) -> Text:
    """A scalar of a parsed document, coloured by type, shown literally."""
    if isinstance(value, str):
        return literal(repr(value) if value == "" else value, "green", max_len=300)
    if isinstance(value, bool) or value is None:
        return literal(value, "italic magenta")
    if isinstance(value, (int, float)):
        return literal(value, "cyan")
    return literal(value, max_len=300)
