"""The artifact pane: a lazily listed tree of a run's artifacts and a preview by file type.

Downloads go through `self.app.store` in exclusive workers, so moving to
another file or run cancels the previous load. All artifact content is shown
through Rich `Text` objects built from control-stripped strings: nothing
from a file is ever parsed as markup or sent to the terminal raw.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static, Tree
from textual.widgets.tree import TreeNode

# Imported at module load on purpose: textual-image queries the terminal for
# its cell size and graphics support on import, which must happen before the
# app takes over the terminal. A terminal that does not answer makes it log a
# warning with a traceback; keep that off the user's screen.
logging.getLogger("textual_image").addHandler(logging.NullHandler())


def _load_image_widget() -> type | None:
    """textual-image's Image widget, or None where it cannot start.

    A pseudo-terminal that reports a 0x0 size (`script`, some `docker exec -t`)
    makes textual-image divide by zero on import: give it the cell size it
    would otherwise assume (VT340, 10x20 pixels) and try once more.
    """
    try:
        from textual_image.widget import Image

        return Image
    except ZeroDivisionError:
        pass
    try:
        from textual_image import _terminal

        _terminal.get_cell_size._result = _terminal.CellSize(10, 20)  # type: ignore[attr-defined]
        from textual_image.widget import Image

        return Image
    except Exception:  # noqa: BLE001 - no images, but the app must start
        return None


ImageWidget = _load_image_widget()

from mltui.artifacts import (
    Preview,
    build_preview,
    clean_line,
    copy_artifact,
    detect_kind,
    human_size,
    opener_command,
    save_target,
)
from mltui.models import ArtifactEntry, StoreError
from mltui.screens.save_artifact import SaveArtifactScreen
from mltui.text import clean, literal, strip_control
from mltui.widgets.text_view import TextView
from mltui.widgets.virtual_table import Column, VirtualTable

HIGHLIGHT_LIMIT = 256 * 1024  # larger text is shown without syntax colours
TREE_CHILD_LIMIT = 1000
MAX_CELL_WIDTH = 40  # cells of a table preview; longer ones end in "…"
ROOT_DEBOUNCE = 0.15  # seconds: skimming through runs lists only the run the user stops on
ROOT = ArtifactEntry("", True, None)
KIND_LABELS = {"mlflow_table": "MLflow table", "table": "CSV/TSV"}


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


@dataclass(slots=True)
class TableRow:
    """One row of a table preview: its cells as safe one-line strings."""

    key: str
    cells: list[str]


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


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def table_cell(row: TableRow, column: Column) -> tuple[str, str]:
    return row.cells[int(column.key)], ""


class ArtifactTree(Tree[ArtifactEntry]):
    """The run's artifact folders and files."""

    BINDINGS = [Binding("enter", "select_cursor", "Preview")]


class ArtifactViewer(Widget):
    """A run's artifact tree (left) and a preview of the chosen file (right)."""

    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    ArtifactViewer { layout: horizontal; height: 1fr; }
    ArtifactViewer > ArtifactTree { width: 38%; min-width: 24; max-width: 64; height: 1fr;
        border-right: vkey $foreground 20%; }
    ArtifactViewer > #artifact-preview { width: 1fr; height: 1fr; }
    ArtifactViewer #artifact-status { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    ArtifactViewer #artifact-status.-error { color: $text-error; }
    ArtifactViewer ContentSwitcher { height: 1fr; }
    ArtifactViewer #preview-message { padding: 1 2; }
    ArtifactViewer #preview-image { height: 1fr; align: center middle; }
    ArtifactViewer #preview-image Image { width: auto; height: auto; }
    """

    BINDINGS = [
        Binding("enter", "preview", "Preview"),
        Binding("s", "save", "Save"),
        Binding("o", "open", "Open"),
        Binding("g", "go_start", "Start"),
        Binding("G", "go_end", "End"),
        Binding("t", "toggle_tree", "Tree/text"),
    ]

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.run_id: str | None = None
        self._generation = 0
        self._root_listed = False
        self._listed: set[str] = set()
        self._preview: Preview | None = None
        self._entry: ArtifactEntry | None = None

    def compose(self) -> ComposeResult:
        tree = ArtifactTree(Text("artifacts"), ROOT, id="artifact-tree")
        tree.show_root = True
        tree.guide_depth = 3
        yield tree
        with Vertical(id="artifact-preview"):
            yield Static(id="artifact-status")
            with ContentSwitcher(initial="preview-message"):
                yield Static(literal("No run selected"), id="preview-message")
                yield TextView(id="preview-text")
                yield Tree(Text("$"), id="preview-structure")
                yield VirtualTable(table_cell, id="preview-table")
                yield Container(id="preview-image")

    @property
    def store(self) -> Any:
        return self.app.store  # type: ignore[attr-defined]

    @property
    def tree(self) -> ArtifactTree:
        return self.query_one(ArtifactTree)

    # -- public API -------------------------------------------------------

    def show_run(self, run_id: str | None) -> None:
        """Show `run_id`'s artifacts (None: nothing); the root is listed in a worker."""
        if run_id == self.run_id and self._root_listed:
            return
        self.run_id = run_id
        if self.is_mounted:
            self.reload()

    def on_mount(self) -> None:
        if self.run_id is not None:
            self.reload()

    def reload(self) -> None:
        """Forget listings and preview of the current run and list its root again."""
        self._generation += 1
        for group in ("artifact-list", "artifact-preview", "artifact-open"):
            self.workers.cancel_group(self, group)
        self._root_listed = False
        self._listed.clear()
        self._preview = self._entry = None
        label = Text(f"artifacts of {self.run_id[:8]}") if self.run_id else Text("artifacts")
        self.tree.reset(label, ROOT)
        self._set_status("")
        self._clear_views()
        self._show_message("No run selected" if self.run_id is None else "Select a file and press Enter to preview")
        if self.run_id is not None:
            self._list_folder(self.tree.root)

    # -- listing ------------------------------------------------------------

    @on(Tree.NodeExpanded, "#artifact-tree")
    def _on_folder_expanded(self, event: Tree.NodeExpanded[ArtifactEntry]) -> None:
        event.stop()
        entry = event.node.data
        if entry is not None and entry.is_dir and entry.path not in self._listed:
            self._list_folder(event.node)

    @work(group="artifact-list", exit_on_error=False)
    async def _list_folder(self, node: TreeNode[ArtifactEntry]) -> None:
        """List one folder of the current run into `node`."""
        entry, run_id, generation = node.data or ROOT, self.run_id, self._generation
        if run_id is None:
            return
        self._listed.add(entry.path)
        if node.is_root:
            await asyncio.sleep(ROOT_DEBOUNCE)  # cancelled here if another run is shown first
        self._set_status(f"Listing {entry.path or 'artifacts'} …")
        try:
            entries = await self.store.list_artifacts(run_id, entry.path or None)
        except Exception as exc:  # noqa: BLE001 - StoreError, or anything unexpected: one line
            if generation == self._generation:
                self._listed.discard(entry.path)
                self._set_status(one_line(exc), error=True)
                if node.is_root:
                    self._show_message(one_line(exc), error=True)
            return
        if generation != self._generation:
            return
        node.remove_children()
        for child in entries:
            self._add_entry(node, child)
        if node.is_root:
            self._root_listed = True
            node.expand()
            if not entries:
                self._show_message("This run has no artifacts")
        self._set_status(f"{len(entries)} item{'s' * (len(entries) != 1)} in {entry.path or 'artifacts'}")

    @staticmethod
    def _add_entry(node: TreeNode[ArtifactEntry], entry: ArtifactEntry) -> None:
        if entry.is_dir:
            node.add(literal(entry.name + "/", "bold"), entry, allow_expand=True)
            return
        label = literal(entry.name)
        if entry.size is not None:
            label.append(f"  {human_size(entry.size)}", style="dim")
        node.add_leaf(label, entry)

    # -- preview --------------------------------------------------------------

    @on(Tree.NodeSelected, "#artifact-tree")
    def _on_file_selected(self, event: Tree.NodeSelected[ArtifactEntry]) -> None:
        event.stop()
        entry = event.node.data
        if entry is not None and not entry.is_dir:
            self._load_preview(entry)

    def action_preview(self) -> None:
        """Preview the file under the tree cursor (Enter outside the tree)."""
        node = self.tree.cursor_node
        if node is not None and node.data is not None and not node.data.is_dir:
            self._load_preview(node.data)
        elif node is not None:
            node.toggle()

    @work(exclusive=True, group="artifact-preview", exit_on_error=False)
    async def _load_preview(self, entry: ArtifactEntry) -> None:
        """Download `entry` and show it by type; a newer preview cancels this one."""
        run_id, generation = self.run_id, self._generation
        if run_id is None:
            return
        self._set_status(f"Loading {entry.path} ({human_size(entry.size)}) …")
        try:
            local = await self.store.download_artifact(run_id, entry.path)
            preview = await asyncio.to_thread(build_preview, local, entry.name)
            prepared: Any = None  # display lines of a text, or the columns and rows of a table
            if preview.text is not None:
                prepared = await asyncio.to_thread(display_lines, preview.text, preview.language)
                preview.text = None  # the view holds the lines; do not keep a second copy
            elif preview.columns:
                prepared = await asyncio.to_thread(display_table, preview.columns, preview.rows)
                preview.rows = []
        except Exception as exc:  # noqa: BLE001 - StoreError or untrusted content: one line, never a crash
            self._show_failure(entry, one_line(exc))
            return
        if generation != self._generation:
            return
        self._entry, self._preview = entry, preview
        kind = KIND_LABELS.get(preview.kind, preview.kind)
        self._set_status(" · ".join(p for p in (entry.path, human_size(preview.size), kind, preview.note) if p))
        try:
            await self._render_preview(entry, preview, prepared)
        except Exception as exc:  # noqa: BLE001 - e.g. an image the renderer rejects
            self._show_failure(entry, f"Cannot show {entry.path}: {one_line(exc)}")
        self.refresh_bindings()

    def _clear_views(self) -> None:
        """Drop the previous preview's content (and memory)."""
        self.query_one("#preview-text", TextView).load([])
        table = self.query_one("#preview-table", VirtualTable)
        table.set_columns([])
        table.set_rows([], keep_cursor=False)
        self.query_one("#preview-image", Container).remove_children()
        self.query_one("#preview-structure", Tree).clear()

    def _show_failure(self, entry: ArtifactEntry, message: str) -> None:
        self._preview = None
        self._set_status(message, error=True)
        self._show_message(f"{entry.path}: {message}", error=True)

    async def _render_preview(self, entry: ArtifactEntry, preview: Preview, prepared: Any) -> None:
        if preview.image is not None:
            await self._show_image(preview)
        elif preview.columns:
            self._show_table(*prepared)
        elif prepared is None:
            self._show_message(self._binary_hint(entry, preview))
        else:
            self.query_one("#preview-text", TextView).load(prepared, at_end=preview.from_end)
            self._switch("preview-text")

    @staticmethod
    def _binary_hint(entry: ArtifactEntry, preview: Preview) -> str:
        return (
            f"{entry.name}: {preview.note or 'binary file'}.\n"
            "Not previewed. Press s to save it, or o to open it in $EDITOR."
        )

    def _switch(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = view

    def _show_message(self, message: str, *, error: bool = False) -> None:
        text = Text(strip_control(message, keep_newlines=True), style="bold red" if error else "")
        self.query_one("#preview-message", Static).update(text)
        self._switch("preview-message")

    def _show_table(self, columns: list[Column], rows: list[TableRow]) -> None:
        table = self.query_one("#preview-table", VirtualTable)
        table.set_columns(columns)
        table.set_rows(rows, keep_cursor=False)
        table.cursor_column = 0
        self._switch("preview-table")

    async def _show_image(self, preview: Preview) -> None:
        if ImageWidget is None:
            self._show_message("This terminal cannot draw images here. Press s to save the file.")
            return
        box = self.query_one("#preview-image", Container)
        await box.remove_children()
        await box.mount(ImageWidget(preview.image))
        self._switch("preview-image")

    # -- structure tree (JSON / YAML / TOML) --------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out the tree toggle unless the preview has a structure."""
        if action == "toggle_tree":
            return bool(self._preview and self._preview.has_tree) or None
        return True

    def action_toggle_tree(self) -> None:
        """Switch a JSON/YAML preview between text and a collapsible tree."""
        preview = self._preview
        if preview is None or not preview.has_tree:
            return
        if self.query_one(ContentSwitcher).current == "preview-structure":
            self._switch("preview-text")  # the text view still holds this file
            return
        tree = self.query_one("#preview-structure", Tree)
        name = self._entry.name if self._entry else "$"
        tree.reset(literal(name, "bold"), _Branch(preview.data))
        self._populate(tree.root)
        tree.root.expand()
        self._switch("preview-structure")

    @on(Tree.NodeExpanded, "#preview-structure")
    def _on_structure_expanded(self, event: Tree.NodeExpanded[_Branch]) -> None:
        event.stop()
        self._populate(event.node)

    @staticmethod
    def _populate(node: TreeNode[_Branch]) -> None:
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

    # -- navigation -----------------------------------------------------------------

    def action_go_start(self) -> None:
        """Jump to the start of the preview."""
        self._go(end=False)

    def action_go_end(self) -> None:
        """Jump to the end of the preview."""
        self._go(end=True)

    def _go(self, end: bool) -> None:
        view = self.query_one(ContentSwitcher).current
        if view == "preview-table":
            table = self.query_one("#preview-table", VirtualTable)
            table.cursor_row = table.row_count - 1 if end else 0
        elif view == "preview-structure":
            tree = self.query_one("#preview-structure", Tree)
            tree.move_cursor_to_line(tree.last_line if end else 0)
        elif view is not None:
            scroll = self.query_one(f"#{view}")
            (scroll.scroll_end if end else scroll.scroll_home)(animate=False)

    # -- save / open -------------------------------------------------------------------

    def _cursor_entry(self) -> ArtifactEntry | None:
        node = self.tree.cursor_node
        return node.data if node is not None else None

    def action_save(self) -> None:
        """Ask for a local path and save the file or folder under the cursor there."""
        entry = self._cursor_entry()
        if entry is None or self.run_id is None:
            return
        name = entry.name or self.run_id
        self.app.push_screen(
            SaveArtifactScreen(name, os.getcwd()),
            lambda dest: self._save(entry, dest) if dest else None,
        )

    @work(group="artifact-save", exit_on_error=False)
    async def _save(self, entry: ArtifactEntry, dest: str) -> None:
        """Download `entry` (cached) and copy it to `dest`."""
        run_id = self.run_id
        if run_id is None:
            return
        name = entry.name or run_id
        self._set_status(f"Saving {name} …")
        try:
            local = await self.store.download_artifact(run_id, entry.path)
            target = await asyncio.to_thread(copy_artifact, local, save_target(dest, name))
        except Exception as exc:  # noqa: BLE001 - store down, disk full, permissions, bad path...
            self._set_status(f"Could not save {name}: {one_line(exc)}", error=True)
            return
        self._set_status(f"Saved {name} to {target}")

    def action_open(self) -> None:
        """Open the file under the cursor in $PAGER (text) or $EDITOR."""
        entry = self._cursor_entry()
        if entry is None or entry.is_dir:
            self._set_status("o opens a file: move the cursor to one")
            return
        self._open(entry)

    @work(exclusive=True, group="artifact-open", exit_on_error=False)
    async def _open(self, entry: ArtifactEntry) -> None:
        run_id = self.run_id
        if run_id is None:
            return
        try:
            local = await self.store.download_artifact(run_id, entry.path)
            kind = await asyncio.to_thread(_kind_of, local, entry.name)
        except Exception as exc:  # noqa: BLE001 - shown inline, never a traceback
            self._set_status(one_line(exc), error=True)
            return
        command = opener_command(kind, os.environ)
        try:
            with self.app.suspend():
                subprocess.run([*command, str(local)], check=False)
        except SuspendNotSupported:
            self._set_status("Cannot hand the terminal to another program here", error=True)
        except OSError as exc:
            self._set_status(f"Could not run {command[0]}: {one_line(exc)}", error=True)

    # -- status -----------------------------------------------------------------------

    def _set_status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#artifact-status", Static)
        status.update(literal(message, max_len=300))
        status.set_class(error, "-error")


def one_line(exc: BaseException) -> str:
    """A StoreError's message, or the first line of any other error, with its type."""
    if isinstance(exc, StoreError):
        return str(exc)
    text = clean_line(str(exc)) if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _scalar(value: Any) -> Text:
    """A scalar of a parsed document, coloured by type, shown literally."""
    if isinstance(value, str):
        return literal(repr(value) if value == "" else value, "green", max_len=300)
    if isinstance(value, bool) or value is None:
        return literal(value, "italic magenta")
    if isinstance(value, (int, float)):
        return literal(value, "cyan")
    return literal(value, max_len=300)


def _kind_of(local: Path, name: str) -> str:
    if local.is_dir():
        return "binary"
    with open(local, "rb") as fh:
        return detect_kind(name, fh.read(64 * 1024))
