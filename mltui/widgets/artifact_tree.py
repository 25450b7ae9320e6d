"""The left half of the artifact pane: a run's artifact folders and files, listed lazily.

Each folder is listed from the `ArtifactSource` the first time it is opened,
in a worker; showing another run cancels the listing of the previous one. The
tree reports progress and failures as `ArtifactTree.Status` messages, which
the pane shows in its status line.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from mltui.artifacts import human_size
from mltui.models import ArtifactEntry, StoreError
from mltui.sources import ArtifactSource
from mltui.text import clean, literal

ROOT = ArtifactEntry("", True, None)
ROOT_DEBOUNCE = 0.15  # seconds: skimming through runs lists only the run the user stops on


class ArtifactTree(Tree[ArtifactEntry]):
    """The run's artifact folders and files."""

    BINDINGS = [Binding("enter", "select_cursor", "Preview")]

    class Status(Message):
        """Listing progress or a failure, for the pane's status line.

        `placeholder` is set when the root listing ends empty or failed: the
        pane shows it where the preview would be.
        """

        def __init__(self, run_id: str | None, text: str, *, error: bool = False, placeholder: str = "") -> None:
            super().__init__()
            self.run_id = run_id
            self.text = text
            self.error = error
            self.placeholder = placeholder

    def __init__(self, source: ArtifactSource, *, id: str | None = None) -> None:
        super().__init__(Text("artifacts"), ROOT, id=id)
        self.source = source
        self.run_id: str | None = None
        self.root_listed = False
        self.show_root = True
        self.guide_depth = 3
        self._generation = 0
        self._listed: set[str] = set()

    def show_run(self, run_id: str | None) -> None:
        """Forget every listing and list `run_id`'s root (None: an empty tree)."""
        self.run_id = run_id
        self._generation += 1
        self.workers.cancel_group(self, "artifact-list")
        self.root_listed = False
        self._listed.clear()
        self.reset(Text(f"artifacts of {run_id[:8]}") if run_id else Text("artifacts"), ROOT)
        if run_id is not None:
            self._list_folder(self.root)

    @on(Tree.NodeExpanded)
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
        where = entry.path or "artifacts"
        self.post_message(self.Status(run_id, f"Listing {where} …"))
        try:
            entries = await self.source.list_artifacts(run_id, entry.path or None)
        except Exception as exc:  # noqa: BLE001 - StoreError, or anything unexpected: one line
            if generation == self._generation:
                self._listed.discard(entry.path)
                message = error_line(exc)
                self.post_message(self.Status(run_id, message, error=True, placeholder=message if node.is_root else ""))
            return
        if generation != self._generation:
            return
        node.remove_children()
        for child in entries:
            add_entry(node, child)
        placeholder = ""
        if node.is_root:
            self.root_listed = True
            node.expand()
            placeholder = "" if entries else "This run has no artifacts"
        count = f"{len(entries)} item{'s' * (len(entries) != 1)} in {where}"
        self.post_message(self.Status(run_id, count, placeholder=placeholder))


def add_entry(node: TreeNode[ArtifactEntry], entry: ArtifactEntry) -> None:
    """Add one listed file (with its size) or folder (expandable) under `node`."""
    if entry.is_dir:
        node.add(literal(entry.name + "/", "bold"), entry, allow_expand=True)
        return
    label = literal(entry.name)
    if entry.size is not None:
        label.append(f"  {human_size(entry.size)}", style="dim")
    node.add_leaf(label, entry)


def error_line(exc: BaseException) -> str:
    """A StoreError's message (already one safe line), or any other error's first line with its type."""
    if isinstance(exc, StoreError):
        return str(exc)
    text = clean(exc, max_len=200, first_line=True)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
