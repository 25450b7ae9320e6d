"""The artifact pane: a lazily listed tree of a run's artifacts (left) and a preview by file type (right).

The pane is handed an `ArtifactSource` (never the store itself) and owns the
workers that download: previews run in exclusive workers, so moving to
another file or run cancels the previous load. The tree (`artifact_tree`)
lists folders; the preview (`artifact_preview`) only displays.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from mltui.artifacts import (
    HEAD_BYTES,
    Preview,
    build_preview,
    copy_artifact,
    detect_kind,
    human_size,
    opener_command,
    save_target,
)
from mltui.artifacts.limits import TEXT_LIMIT
from mltui.artifacts.tail import tail_preview, wants_tail
from mltui.models import ArtifactEntry
from mltui.screens.image import ImageScreen
from mltui.screens.save_artifact import SaveArtifactScreen
from mltui.sources import ArtifactSource
from mltui.widgets.artifact_preview import ArtifactPreview, prepare
from mltui.widgets.artifact_tree import ArtifactTree, error_line
from mltui.widgets.image_loader import image_widget  # asks the terminal at import: see image_loader

__all__ = ["ArtifactViewer", "image_widget"]

KIND_LABELS = {"mlflow_table": "MLflow table", "table": "CSV/TSV"}


class ArtifactViewer(Widget):
    """A run's artifact tree (left) and a preview of the chosen file (right)."""

    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    ArtifactViewer { layout: horizontal; height: 1fr; }
    ArtifactViewer > ArtifactTree { width: 38%; min-width: 24; max-width: 64; height: 1fr;
        border-right: vkey $foreground 20%; }
    ArtifactViewer > #artifact-preview { width: 1fr; height: 1fr; }
    """

    BINDINGS = [
        Binding("enter", "preview", "Preview"),
        Binding("s", "save", "Save"),
        Binding("o", "open", "Open"),
        Binding("g", "go_start", "Start"),
        Binding("G", "go_end", "End"),
        Binding("t", "toggle_tree", "Tree/text"),
        Binding("c", "compare", "Compare"),
        Binding("f", "full_image", "Full screen"),
    ]

    class CompareRequested(Message):
        """The user asked to compare the file at `path` across the ticked runs (the App gathers them)."""

        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def __init__(
        self,
        source: ArtifactSource,
        *,
        id: str | None = None,
        name: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.source = source
        self.run_id: str | None = None
        self._generation = 0
        self._preview: Preview | None = None
        self._entry: ArtifactEntry | None = None

    def compose(self) -> ComposeResult:
        yield ArtifactTree(self.source, id="artifact-tree")
        yield ArtifactPreview(id="artifact-preview")

    @property
    def artifact_tree(self) -> ArtifactTree:
        return self.query_one(ArtifactTree)

    @property
    def preview(self) -> ArtifactPreview:
        return self.query_one(ArtifactPreview)

    # -- public API -------------------------------------------------------

    def show_run(self, run_id: str | None) -> None:
        """Show `run_id`'s artifacts (None: nothing); the root is listed in a worker."""
        if run_id == self.run_id and self.is_mounted and self.artifact_tree.root_listed:
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
        for group in ("artifact-preview", "artifact-open"):
            self.workers.cancel_group(self, group)
        self._preview = self._entry = None
        self.preview.set_status("")
        self.preview.clear()
        self.preview.show_message(
            "No run selected" if self.run_id is None else "Select a file and press Enter to preview"
        )
        if self.run_id is None:
            self.add_class("-empty")
        self.artifact_tree.show_run(self.run_id)

    @on(ArtifactTree.Status)
    def _on_tree_status(self, event: ArtifactTree.Status) -> None:
        event.stop()
        if event.run_id != self.run_id:
            return  # from a run no longer shown
        self.preview.set_status(event.text, error=event.error)
        if event.placeholder:
            self.preview.show_message(event.placeholder, error=event.error)
        tree = self.artifact_tree
        self.set_class(tree.root_listed and not tree.root.children, "-empty")  # the layout gives it less room

    # -- preview --------------------------------------------------------------

    @on(ArtifactTree.NodeSelected, "#artifact-tree")
    def _on_file_selected(self, event: ArtifactTree.NodeSelected[ArtifactEntry]) -> None:
        event.stop()
        entry = event.node.data
        if entry is not None and not entry.is_dir:
            self._preview_or_enlarge(entry)

    def action_preview(self) -> None:
        """Preview the file under the tree cursor (Enter outside the tree)."""
        node = self.artifact_tree.cursor_node
        if node is not None and node.data is not None and not node.data.is_dir:
            self._preview_or_enlarge(node.data)
        elif node is not None:
            node.toggle()

    def _preview_or_enlarge(self, entry: ArtifactEntry) -> None:
        """Enter on a file previews it; Enter again on an image on show puts it on the whole screen."""
        if entry == self._entry and self._showing_image():
            self.action_full_image()
        else:
            self._load_preview(entry)

    def _showing_image(self) -> bool:
        return self._preview is not None and self._preview.image is not None and self.preview.current == "preview-image"

    def action_full_image(self) -> None:
        """Show the image on preview alone on the whole screen (Escape returns)."""
        if self._preview is not None and self._preview.image is not None and self._entry is not None:
            self.app.push_screen(ImageScreen(self._entry.path, self._preview.image))

    @work(exclusive=True, group="artifact-preview", exit_on_error=False)
    async def _load_preview(self, entry: ArtifactEntry) -> None:
        """Download `entry` and show it by type; a newer preview cancels this one."""
        run_id, generation = self.run_id, self._generation
        if run_id is None:
            return
        self.preview.set_status(f"Loading {entry.path} ({human_size(entry.size)}) …")
        self._preview = None  # the previous file's parsed data: not kept while the next one decodes
        try:
            if wants_tail(entry.name, entry.size):  # a big log: its last MiB only, never the whole file
                data = await self.source.read_artifact_tail(run_id, entry.path, TEXT_LIMIT)
                preview = await asyncio.to_thread(tail_preview, data, entry.size or len(data))
            else:
                local = await self.source.download_artifact(run_id, entry.path)
                preview = await asyncio.to_thread(build_preview, local, entry.name)
            prepared = await asyncio.to_thread(prepare, preview)
        except Exception as exc:  # noqa: BLE001 - StoreError or untrusted content: one line, never a crash
            self._show_failure(entry, error_line(exc))
            return
        if generation != self._generation:
            return
        self._entry, self._preview = entry, preview
        kind = KIND_LABELS.get(preview.kind, preview.kind)
        self.preview.set_status(" · ".join(p for p in (entry.path, human_size(preview.size), kind, preview.note) if p))
        try:
            await self.preview.show(entry.name, preview, prepared)
        except Exception as exc:  # noqa: BLE001 - e.g. an image the renderer rejects
            self._show_failure(entry, f"Cannot show {entry.path}: {error_line(exc)}")
        self.refresh_bindings()

    def _show_failure(self, entry: ArtifactEntry, message: str) -> None:
        self._preview = None
        self.preview.clear()
        self.preview.set_status(message, error=True)
        self.preview.show_message(f"{entry.path}: {message}", error=True)

    # -- structure tree and navigation ------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out the tree toggle unless the preview has a structure, and `f` unless it is an image."""
        if action == "toggle_tree":
            return bool(self._preview and self._preview.has_tree) or None
        if action == "full_image":
            return self._showing_image() or None
        return True

    def action_toggle_tree(self) -> None:
        """Switch a JSON/YAML preview between text and a collapsible tree."""
        if self._preview is not None and self._preview.has_tree:
            self.preview.toggle_structure(self._entry.name if self._entry else "$", self._preview.data)

    def action_go_start(self) -> None:
        """Jump to the start of the preview."""
        self.preview.go(end=False)

    def action_go_end(self) -> None:
        """Jump to the end of the preview."""
        self.preview.go(end=True)

    # -- save / open -------------------------------------------------------------------

    def _cursor_entry(self) -> ArtifactEntry | None:
        node = self.artifact_tree.cursor_node
        return node.data if node is not None else None

    @property
    def highlighted_file(self) -> str | None:
        """The artifact path of the file under the tree cursor (None on a folder or nothing)."""
        entry = self._cursor_entry() if self.is_mounted else None
        return entry.path if entry is not None and not entry.is_dir and entry.path else None

    def action_compare(self) -> None:
        """Ask the App to compare the file under the cursor across the ticked runs."""
        path = self.highlighted_file
        if path is None:
            self.preview.set_status("c compares a file across the ticked runs: move the cursor to one")
            return
        self.post_message(self.CompareRequested(path))

    def action_save(self) -> None:
        """Ask for a local path and save the file or folder under the cursor there."""
        entry = self._cursor_entry()
        if entry is None or self.run_id is None:
            return
        name = entry.name or self.run_id

        def save_to(dest: str | None) -> None:
            if dest:
                self._save(entry, dest)

        self.app.push_screen(SaveArtifactScreen(name, os.getcwd()), save_to)

    @work(group="artifact-save", exit_on_error=False)
    async def _save(self, entry: ArtifactEntry, dest: str) -> None:
        """Download `entry` (cached) and copy it to `dest`."""
        run_id = self.run_id
        if run_id is None:
            return
        name = entry.name or run_id
        self.preview.set_status(f"Saving {name} …")
        try:
            local = await self.source.download_artifact(run_id, entry.path)
            target = await asyncio.to_thread(copy_artifact, local, save_target(dest, name))
        except Exception as exc:  # noqa: BLE001 - store down, disk full, permissions, bad path...
            self.preview.set_status(f"Could not save {name}: {error_line(exc)}", error=True)
            return
        self.preview.set_status(f"Saved {name} to {target}")

    def action_open(self) -> None:
        """Open the file under the cursor in $PAGER (text) or $EDITOR."""
        entry = self._cursor_entry()
        if entry is None or entry.is_dir:
            self.preview.set_status("o opens a file: move the cursor to one")
            return
        self._open(entry)

    @work(exclusive=True, group="artifact-open", exit_on_error=False)
    async def _open(self, entry: ArtifactEntry) -> None:
        run_id = self.run_id
        if run_id is None:
            return
        try:
            local = await self.source.download_artifact(run_id, entry.path)
            kind = await asyncio.to_thread(_kind_of, local, entry.name)
        except Exception as exc:  # noqa: BLE001 - shown inline, never a traceback
            self.preview.set_status(error_line(exc), error=True)
            return
        command = opener_command(kind, os.environ)
        try:
            with self.app.suspend():
                subprocess.run([*command, str(local)], check=False)
        except SuspendNotSupported:
            self.preview.set_status("Cannot hand the terminal to another program here", error=True)
        except OSError as exc:
            self.preview.set_status(f"Could not run {command[0]}: {error_line(exc)}", error=True)


def _kind_of(local: Path, name: str) -> str:
    if local.is_dir():
        return "binary"
    with open(local, "rb") as fh:
        return detect_kind(name, fh.read(HEAD_BYTES))
