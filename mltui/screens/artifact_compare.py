"""Compare one artifact path across the ticked runs: text hunks, key changes, table deltas, images.

The screen is handed an `ArtifactSource` and the runs (baseline first). A
worker lists, downloads (through the source's cache) and compares the files
with the pure `mltui.artifact_diff` engine in a thread; Escape cancels it.
Runs lacking the file are reported, and a file of the same name elsewhere in
such a run can be picked by hand (`p`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Static

from mltui.artifact_diff import ArtifactComparison, CompareOptions, StructuredDiff, TextDiff, compare_artifact
from mltui.artifacts import human_size
from mltui.models import ArtifactEntry
from mltui.screens.pick import PickOneScreen
from mltui.sources import ArtifactSource
from mltui.text import clean, literal
from mltui.widgets.artifact_tree import error_line
from mltui.widgets.compare_images import image_panels, load_images
from mltui.widgets.compare_views import (
    SIDE_BY_SIDE_MIN_WIDTH,
    DiffLinesView,
    DiffRendering,
    byte_sizes,
    change_lines,
    grid_cell,
    grid_table,
    is_directional,
    side_by_side_lines,
    table_column_names,
    unified_lines,
)
from mltui.widgets.virtual_table import VirtualTable

MAX_LISTED = 2000  # artifact entries walked when looking for a file of the same name
MAX_CHANGE_LINES = 8


@dataclass(frozen=True, slots=True)
class CompareRun:
    """A run to compare: its id and the label shown for it (its name)."""

    run_id: str
    label: str


class ArtifactCompareScreen(Screen[None]):
    """One artifact across runs, against the baseline (the first run)."""

    DEFAULT_CSS = """
    ArtifactCompareScreen #compare-title { height: auto; max-height: 2; padding: 0 1; background: $panel; }
    ArtifactCompareScreen #compare-notes { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    ArtifactCompareScreen #compare-notes.-empty { display: none; }
    ArtifactCompareScreen ContentSwitcher { height: 1fr; }
    ArtifactCompareScreen #compare-message { padding: 1 2; }
    ArtifactCompareScreen #compare-grid { height: 1fr; }
    ArtifactCompareScreen #compare-changes { height: auto; max-height: 10; padding: 0 1; }
    ArtifactCompareScreen #compare-images { height: 1fr; layout: horizontal; }
    ArtifactCompareScreen #compare-images.-stacked { layout: vertical; overflow-y: auto; }
    ArtifactCompareScreen .compare-image { width: 1fr; height: 1fr; padding: 0 1; }
    ArtifactCompareScreen #compare-images.-stacked .compare-image { width: 1fr; height: auto; }
    ArtifactCompareScreen .compare-image-label { height: 1; text-style: bold; }
    ArtifactCompareScreen .compare-image Image { width: auto; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("n", "next_change", "Next change"),
        Binding("N", "previous_change", "Previous change"),
        Binding("right_square_bracket", "next_run", "Next run"),
        Binding("left_square_bracket", "previous_run", "Previous run"),
        Binding("v", "side_by_side", "Side by side"),
        Binding("d", "changed_only", "Changed only"),
        Binding("p", "pick_file", "Pick file"),
        Binding("K", "key_column", "Key column"),
        Binding("R", "reload_compare", "Reload"),
    ]

    def __init__(self, source: ArtifactSource, path: str, runs: list[CompareRun]) -> None:
        super().__init__()
        self.source = source
        self.path = path
        self.runs = runs
        self.overrides: dict[str, str] = {}  # run id -> the path picked by hand for it
        self.key: str | None = None  # the table column matching rows (None: the first)
        self.errors: list[str] = []
        self.result: ArtifactComparison | None = None
        self.images: dict[str, Any] = {}
        self.run_index = 0
        self.side_by_side = False
        self.changed_only = True
        self.hunk = -1
        self.rendering = DiffRendering([], [])

    def compose(self) -> ComposeResult:
        yield Static(id="compare-title")
        yield Static(id="compare-notes", classes="-empty")
        with ContentSwitcher(initial="compare-message"):
            yield Static(id="compare-message")
            yield DiffLinesView(id="compare-text")
            with Vertical(id="compare-grid"):
                yield Static(id="compare-changes")
                yield VirtualTable(grid_cell, id="compare-table")
            yield Container(id="compare-images")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    async def on_resize(self) -> None:
        """Images and side-by-side columns are sized to the screen: lay them out again."""
        kind = self.result.kind if self.result else ""
        if kind == "image" or (kind == "text" and self.side_by_side):
            if self.side_by_side and self.size.width < SIDE_BY_SIDE_MIN_WIDTH:
                self.side_by_side = False
            await self.show_result()

    # -- loading -------------------------------------------------------------------

    @work(exclusive=True, group="artifact-compare", exit_on_error=False)
    async def load(self) -> None:
        """List and download every run's file, then compare them in a thread."""
        self.result, self.images, self.errors = None, {}, []
        self._set_title(Text(f"{self.path}: fetching from {len(self.runs)} runs …"))
        self.show_message("Downloading …")
        files: list[tuple[str, Path | None]] = []
        for run in self.runs:
            path = self.overrides.get(run.run_id, self.path)
            try:
                local = await self._fetch(run.run_id, path)
            except Exception as exc:  # noqa: BLE001 - StoreError or anything else: reported, not fatal
                self.errors.append(f"{run.label}: {error_line(exc)}")
                local = None
            files.append((run.label, local))
        options = CompareOptions(key=self.key, directional=is_directional(self.path))
        self._set_title(Text(f"{self.path}: comparing …"))
        try:
            result = await asyncio.to_thread(compare_artifact, self.path, files, None, options)
            if result.kind == "image":
                self.images = await asyncio.to_thread(load_images, result)
        except Exception as exc:  # noqa: BLE001 - unreadable file: one line, never a traceback
            self._set_title(literal(f"{self.path}: cannot compare: {error_line(exc)}", "bold red"))
            self.show_message(error_line(exc), error=True)
            return
        self.result, self.run_index, self.hunk = result, 0, -1
        await self.show_result()

    async def _fetch(self, run_id: str, path: str) -> Path | None:
        """The run's local copy of `path`, or None when the run has no such file."""
        parent = path.rsplit("/", 1)[0] if "/" in path else None
        entries = await self.source.list_artifacts(run_id, parent)
        if not any(entry.path == path and not entry.is_dir for entry in entries):
            return None
        return await self.source.download_artifact(run_id, path)

    # -- showing ---------------------------------------------------------------------

    def _switch(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = view
        focus = {"compare-text": "#compare-text", "compare-grid": "#compare-table"}.get(view)
        if focus is not None:
            self.query_one(focus).focus()  # arrows and page keys scroll what is shown
        self.refresh_bindings()

    def show_message(self, message: str, *, error: bool = False) -> None:
        self.query_one("#compare-message", Static).update(literal(message, "bold red" if error else "", max_len=2000))
        self._switch("compare-message")

    def _set_title(self, text: Text) -> None:
        self.query_one("#compare-title", Static).update(text)

    @property
    def current_run(self) -> Any:
        """The run comparison on show (`RunComparison`), or None."""
        if self.result is None or not self.result.runs:
            return None
        return self.result.runs[self.run_index % len(self.result.runs)]

    def _update_header(self) -> None:
        result = self.result
        if result is None:
            return
        title = literal(self.path, "bold", max_len=200)
        title.append(f"  {result.kind}", style="cyan")
        run = self.current_run
        if run is not None:
            title.append("  baseline ")
            title.append_text(literal(result.baseline or "", "bold", max_len=60))
            title.append(" vs ")
            title.append_text(literal(run.label, "bold", max_len=60))
            if len(result.runs) > 1:
                title.append(f" ({self.run_index + 1}/{len(result.runs)}, [ ] switch)", style="dim")
            title.append("  ")
            title.append_text(literal(run.summary(), "yellow" if not run.equal else "green", max_len=120))
        self._set_title(title)
        notes = self.query_one("#compare-notes", Static)
        lines = self._note_lines(result)
        notes.update(Text("\n").join(lines))
        notes.set_class(not lines, "-empty")

    def _note_lines(self, result: ArtifactComparison) -> list[Text]:
        lines = []
        if result.missing:
            line = literal(f"missing in: {', '.join(result.missing)}", "bold yellow", max_len=300)
            line.append("  (p picks a file of the same name elsewhere in that run)", style="dim")
            lines.append(line)
        for run in self.runs:
            if run.run_id in self.overrides:
                lines.append(literal(f"{run.label}: compared its {self.overrides[run.run_id]}", "dim"))
        lines += [literal(error, "red", max_len=300) for error in self.errors]
        lines += [literal(f"note: {note}", "dim", max_len=300) for note in result.notes]
        run = self.current_run
        if run is not None:
            lines += [
                literal(f"{run.label}: {note}", "dim", max_len=300)
                for note in run.diff.notes
                if note not in result.notes
            ]
        return lines

    async def show_result(self) -> None:
        """Show the comparison by its kind, for the run currently selected against the baseline."""
        result = self.result
        if result is None:
            return
        self._update_header()
        if result.kind == "none":
            self.show_message(f"No ticked run has {self.path}.")
        elif result.kind == "text":
            self._show_text()
        elif result.kind in ("structured", "table"):
            self._show_grid()
        elif result.kind == "image":
            await self._show_images()
        else:
            lines = [f"{run.label}: {run.summary()}{byte_sizes(run.diff)}" for run in result.runs]
            self.show_message("Binary files, compared byte for byte:\n" + "\n".join(lines))

    # -- text --------------------------------------------------------------------------

    def _show_text(self) -> None:
        run = self.current_run
        if run is None:
            self.show_message(
                f"Only {self.result.baseline if self.result else ''} has {self.path}: nothing to compare."
            )
            return
        if run.equal:
            self.show_message(f"{run.label}: identical to the baseline.")
            return
        self._render_text(run.label, run.diff, self.side_by_side, self.size.width)

    @work(exclusive=True, group="compare-render", exit_on_error=False)
    async def _render_text(self, label: str, diff: TextDiff, side_by_side: bool, width: int) -> None:
        """Build the display lines in a thread (a large log diff has 100,000s of them)."""
        base = self.result.baseline if self.result else ""
        if side_by_side:
            rendering = await asyncio.to_thread(side_by_side_lines, diff, width)
        else:
            rendering = await asyncio.to_thread(unified_lines, diff, self.path, base or "", label)
        self.rendering, self.hunk = rendering, -1
        view = self.query_one(DiffLinesView)
        view.load(rendering.lines)
        self._switch("compare-text")
        if rendering.hunk_starts:
            self.call_after_refresh(self._go_hunk, 0)  # once the view is laid out and can scroll

    def _go_hunk(self, index: int) -> None:
        starts = self.rendering.hunk_starts
        if not starts:
            return
        self.hunk = max(0, min(index, len(starts) - 1))
        self.query_one(DiffLinesView).show_line(starts[self.hunk])
        self.notify(f"hunk {self.hunk + 1} of {len(starts)}", timeout=2)

    # -- structured and tables ------------------------------------------------------------

    def _show_grid(self) -> None:
        result = self.result
        grid = result.grid(changed_only=self.changed_only) if result else None
        if result is None or grid is None:
            return
        run = self.current_run
        lines: list[Text] = []
        if run is not None and isinstance(run.diff, StructuredDiff) and not run.equal:
            lines = change_lines(run.diff, MAX_CHANGE_LINES)
        shown = "changed rows only" if self.changed_only else "all rows"
        hidden = f", {grid.hidden:,} unchanged hidden" if grid.hidden else ""
        empty = "no row differs from the baseline; " if not grid.cells else ""
        lines.append(Text(f"{empty}{shown}{hidden} · d toggles · n/N next/previous change", style="dim"))
        self.query_one("#compare-changes", Static).update(Text("\n").join(lines))
        columns, rows = grid_table(grid)
        table = self.query_one("#compare-table", VirtualTable)
        table.set_columns(columns)
        table.set_rows(rows, keep_cursor=False)
        table.fixed_columns = grid.key_columns
        self._switch("compare-grid")

    # -- images ----------------------------------------------------------------------------

    async def _show_images(self) -> None:
        result = self.result
        box = self.query_one("#compare-images", Container)
        await box.remove_children()
        if result is None:
            return
        stacked, panels = image_panels(result, self.images, self.size.width, self.size.height - 4)
        box.set_class(stacked, "-stacked")
        await box.mount_all(panels)
        self._switch("compare-images")

    # -- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only the keys that apply to what is shown."""
        result = self.result
        kind = result.kind if result else ""
        if action in ("next_change", "previous_change"):
            return kind in ("text", "structured", "table") or None
        if action in ("next_run", "previous_run"):
            return (result is not None and len(result.runs) > 1) or None
        if action == "side_by_side":
            return kind == "text" or None
        if action == "changed_only":
            return kind in ("structured", "table") or None
        if action == "key_column":
            return kind == "table" or None
        if action == "pick_file":
            return (result is not None and bool(result.missing)) or None
        return True

    def action_close(self) -> None:
        """Close the view, cancelling downloads and the comparison still running."""
        self.workers.cancel_all()
        self.dismiss(None)

    def action_key_column(self) -> None:
        """Pick the table column whose values match rows across runs, then compare again."""
        grid = self.result.grid() if self.result and self.result.kind == "table" else None
        if grid is None:
            return

        def chosen(name: str | None) -> None:
            if name is not None:
                self.key = name
                self.load()

        names = table_column_names(grid)
        self.app.push_screen(PickOneScreen("Match rows by which column?", [(n, n) for n in names]), chosen)

    def action_reload_compare(self) -> None:
        """Fetch and compare the files again."""
        self.load()

    def action_next_change(self) -> None:
        """Next hunk of a text diff, or next changed row of a table."""
        self._move_change(1)

    def action_previous_change(self) -> None:
        """Previous hunk of a text diff, or previous changed row of a table."""
        self._move_change(-1)

    def _move_change(self, step: int) -> None:
        current = self.query_one(ContentSwitcher).current
        if current == "compare-text":
            self._go_hunk(self.hunk + step)
        elif current == "compare-grid":
            table = self.query_one("#compare-table", VirtualTable)
            index = table.cursor_row + step
            while 0 <= index < table.row_count:
                if any(cell.flag != "same" for cell in table.rows[index].cells[1:]):
                    table.cursor_row = index
                    return
                index += step

    async def action_next_run(self) -> None:
        """Compare the next ticked run against the baseline."""
        await self._select_run(1)

    async def action_previous_run(self) -> None:
        """Compare the previous ticked run against the baseline."""
        await self._select_run(-1)

    async def _select_run(self, step: int) -> None:
        if self.result is not None and self.result.runs:
            self.run_index = (self.run_index + step) % len(self.result.runs)
            await self.show_result()

    async def action_side_by_side(self) -> None:
        """Toggle a side-by-side text diff (when the screen is wide enough)."""
        if not self.side_by_side and self.size.width < SIDE_BY_SIDE_MIN_WIDTH:
            self.notify(f"Side by side needs {SIDE_BY_SIDE_MIN_WIDTH} columns; this screen has {self.size.width}")
            return
        self.side_by_side = not self.side_by_side
        await self.show_result()

    async def action_changed_only(self) -> None:
        """Toggle between the changed rows and every row of a table or structured diff."""
        self.changed_only = not self.changed_only
        await self.show_result()

    # -- picking a file by hand for a run lacking the path ------------------------------------

    def action_pick_file(self) -> None:
        """For a run lacking the path: list its files of the same name and compare the chosen one."""
        if self.result is None or not self.result.missing:
            return
        missing = [run for run, label in zip(self.runs, self.result.labels) if label in self.result.missing]
        if len(missing) == 1:
            self._find_candidates(missing[0])
            return
        options = [(run.run_id, run.label) for run in missing]

        def chosen(run_id: str | None) -> None:
            run = next((r for r in missing if r.run_id == run_id), None)
            if run is not None:
                self._find_candidates(run)

        self.app.push_screen(PickOneScreen("Pick a file for which run?", options), chosen)

    @work(exclusive=True, group="compare-pick", exit_on_error=False)
    async def _find_candidates(self, run: CompareRun) -> None:
        name = self.path.rsplit("/", 1)[-1]
        self.notify(f"Looking for {name} in {clean(run.label, max_len=60)} …", timeout=2)
        try:
            found = await _find_named(self.source, run.run_id, name)
        except Exception as exc:  # noqa: BLE001 - one line
            self.notify(f"Cannot list {clean(run.label, max_len=60)}: {error_line(exc)}", severity="error")
            return
        if not found:
            self.notify(f"{clean(run.label, max_len=60)} has no file named {clean(name)}", severity="warning")
            return
        options = [(entry.path, f"{entry.path}  {human_size(entry.size)}") for entry in found]

        def chosen(path: str | None) -> None:
            if path:
                self.overrides[run.run_id] = path
                self.load()

        self.app.push_screen(PickOneScreen(f"{clean(run.label, max_len=60)}: compare which file?", options), chosen)


async def _find_named(source: ArtifactSource, run_id: str, name: str) -> list[ArtifactEntry]:
    """Files called `name` anywhere in a run's artifacts, walking at most MAX_LISTED entries."""
    found: list[ArtifactEntry] = []
    folders: list[str | None] = [None]
    seen = 0
    while folders and seen < MAX_LISTED:
        folder = folders.pop(0)
        for entry in await source.list_artifacts(run_id, folder):
            seen += 1
            if entry.is_dir:
                folders.append(entry.path)
            elif entry.name == name:
                found.append(entry)
    return found
