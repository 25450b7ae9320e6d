"""The run list: runs streamed in pages, ticks with a baseline, filter, sort, tree and groups."""

from __future__ import annotations

import asyncio
import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from mltui.config import Config
from mltui.models import Experiment, Run, StoreError
from mltui.runview import (
    CellContext,
    GroupRow,
    Row,
    RunRow,
    RunTree,
    cell_text,
    column_label,
    end_of_children,
    layout_rows,
    order_by_clause,
)
from mltui.screens.pick import PickColumnsScreen, PickOneScreen
from mltui.text import clean
from mltui.widgets.triage import TRIAGE_BINDINGS, TriageMixin
from mltui.widgets.virtual_table import Column, VirtualTable

FIXED_WIDTHS = {"tick": 1, "name": 28, "experiment": 22, "status": 8, "start": 16, "duration": 8}
MAX_VALUE_WIDTH = 24
REBUILD_EVERY = 2.0  # seconds at least between tree/group rebuilds while pages stream in
REBUILD_SHARE = 0.1  # and at most this share of the time spent rebuilding (big sweeps)
SAMPLE_ROWS = 300


class FilterInput(Input):
    """MLflow search syntax; up/down walk the history."""

    BINDINGS = [
        Binding("up", "history(-1)", "Older", show=False),
        Binding("down", "history(1)", "Newer", show=False),
        Binding("escape", "close", "Close", show=False),
    ]

    def __init__(self, history: list[str], **kwargs) -> None:
        super().__init__(placeholder="metrics.accuracy > 0.9 and params.C = '0.5'   (Enter apply, Esc close)", **kwargs)
        self.history = history
        self._position = len(history)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        self._position = max(0, min(len(self.history), self._position + step))
        self.value = self.history[self._position] if self._position < len(self.history) else ""
        self.cursor_position = len(self.value)

    def action_close(self) -> None:
        self.display = False
        self.parent.query_one(VirtualTable).focus()


class RunList(TriageMixin, Vertical):
    """Runs of the opened experiments (or of a lookup); see BINDINGS for its keys."""

    ALLOW_MAXIMIZE = True
    THREADED_LAYOUT_FROM = 5_000  # runs; smaller lists re-nest in a few ms on the spot

    BINDINGS = [
        Binding("space", "tick", "Tick"),
        Binding("a", "tick_all", "Tick all"),
        Binding("A", "clear_ticks", "Clear"),
        Binding("b", "baseline", "Baseline"),
        Binding("c", "tick_family", "Tick +children", show=False),
        Binding("enter", "fold", "Fold", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("s", "sort", "Sort"),
        Binding("C", "choose_columns", "Columns"),
        Binding("B", "group_by", "Group"),
        Binding("D", "toggle_deleted", "Deleted"),
        Binding("w", "toggle_live", "Live"),
        *TRIAGE_BINDINGS,
    ]

    class TicksChanged(Message):
        """The ticked runs or the baseline changed."""

        def __init__(self, runs: list[Run], baseline_id: str | None) -> None:
            self.runs = runs
            self.baseline_id = baseline_id
            super().__init__()

    class RunHighlighted(Message):
        """The cursor moved to another run (or to none)."""

        def __init__(self, run: Run | None) -> None:
            self.run = run
            super().__init__()

    class Progress(Message):
        """How far loading got; `error` is one line when it failed."""

        def __init__(self, loaded: int, done: bool, error: str | None = None) -> None:
            self.loaded = loaded
            self.done = done
            self.error = error
            super().__init__()

    def __init__(self, config: Config | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.config = config or Config()
        self.runs: dict[str, Run] = {}
        self.ticked: dict[str, Run] = {}
        self.baseline_id: str | None = None
        self.experiments: list[Experiment] = []
        self.lookup: str | None = None
        self.filter_string = ""
        self.sort: tuple[str, bool] | None = None  # (column, descending)
        self.show_deleted = False
        self.group_by: str | None = None
        self.expanded_groups: set[str] = set()
        self.collapsed: set[str] = set()
        self.keys: dict[str, set[str]] = {"m": set(), "p": set(), "t": set()}
        self.fetching = False
        self._parent_ids: set[str] = set()
        self._deleted_stack: list[list[str]] = []
        self._stale = False  # rows not yet in tree/group order (streaming)
        self._tree: RunTree | None = None  # parents and children as of the last rebuild
        self._last_rebuild = 0.0
        self._rebuild_cost = 0.0  # seconds the last rebuild took
        self._layout_generation = 0  # bumped whenever rows are laid out or reset
        self._relayout_pending = False  # a layout is computing in a thread
        self._live: Timer | None = None
        self._ctx = CellContext(self.ticked, None, {})

    def compose(self) -> ComposeResult:
        yield Static("Open an experiment (Enter in the tree) to list its runs.", id="run-list-title")
        yield FilterInput(self.config.filter_history, id="run-filter")
        yield Static("", id="run-filter-error")
        yield VirtualTable(self._render_cell, fixed_columns=2, id="run-table")

    def on_mount(self) -> None:
        self.query_one(FilterInput).display = False
        self.query_one("#run-filter-error").display = False

    @property
    def table(self) -> VirtualTable:
        return self.query_one(VirtualTable)

    # -- what to list --------------------------------------------------------------

    def open(self, experiments: list[Experiment]) -> None:
        """List the runs of `experiments`, cancelling any load in progress."""
        self.experiments = experiments
        self.lookup = None
        self.filter_string = ""
        self.sort = None
        self.group_by = None
        self._update_title()
        self.load()

    def show_lookup(self, text: str, runs: list[Run], experiments: list[Experiment]) -> None:
        """List the runs a "go to" found, whatever their experiments."""
        self.workers.cancel_group(self, "runs")
        self.lookup = text
        self.experiments = experiments
        self.group_by = None
        self._reset()
        self._add_runs(runs)
        self._update_title()
        self.post_message(self.Progress(len(runs), done=True))

    def _update_title(self) -> None:
        title = Text()
        if self.lookup is not None:
            title.append(f"Go to {clean(self.lookup, max_len=80)}", style="bold")
            title.append(f"  {len(self.runs)} runs in {len(self.experiments)} experiments", style="dim")
        else:
            names = ", ".join(clean(e.name, max_len=60) for e in self.experiments)
            title.append(f"Runs of {names}", style="bold")
        if self.filter_string:
            title.append("  filter: ", style="dim")
            title.append(clean(self.filter_string, max_len=120), style="cyan")
        if self.sort:
            arrow = "↓" if self.sort[1] else "↑"
            title.append(f"  sort: {column_label(self.sort[0])} {arrow}", style="dim")
        if self.group_by:
            title.append(f"  grouped by {column_label(self.group_by)}", style="magenta")
        if self.show_deleted:
            title.append("  +deleted", style="red")
        if self._live is not None:
            title.append("  ● live", style="bold yellow")
        self.query_one("#run-list-title", Static).update(title)

    # -- loading --------------------------------------------------------------------

    def _server_order(self) -> list[str] | None:
        if self.sort is None:
            return None
        clause = order_by_clause(*self.sort)
        return [clause] if clause else None

    @work(exclusive=True, group="runs")
    async def load(self, filter_string: str | None = None) -> None:
        """Stream runs page by page; the first page replaces the old rows.

        A failing first page (say, a bad filter) leaves the old rows in place.
        """
        if self.lookup is not None:
            return
        candidate = self.filter_string if filter_string is None else filter_string
        ids = [e.experiment_id for e in self.experiments]
        first = True
        self.fetching = True
        try:
            async for page in self.app.store.iter_runs(
                ids, candidate, self._server_order(), include_deleted=self.show_deleted
            ):
                if first:
                    self.filter_string = candidate
                    self._filter_ok()
                    self._reset()
                    first = False
                self._add_runs(page)
                self.post_message(self.Progress(len(self.runs), done=False))
        except StoreError as exc:
            self.fetching = False
            if self._stale:
                self._rebuild_rows()
            if first and filter_string is not None:
                self._filter_failed(str(exc))
            self.post_message(self.Progress(len(self.runs), done=True, error=str(exc)))
            return
        self.fetching = False
        if first:
            self.filter_string = candidate
            self._filter_ok()
            self._reset()
        if self._stale:
            self._relayout()
        self._update_title()
        self.post_message(self.Progress(len(self.runs), done=True))

    def _reset(self) -> None:
        self.runs.clear()
        self._tree = None
        self._layout_generation += 1
        self._relayout_pending = False
        self._parent_ids.clear()
        self.keys = {"m": set(), "p": set(), "t": set()}
        self.table.set_rows([], keep_cursor=False)
        self._ctx.experiment_names = {e.experiment_id: e.name for e in self.experiments}
        self._update_title()

    def _add_runs(self, runs: list[Run]) -> None:
        """Take in one page: new keys may add columns; rows append when they can."""
        append = self._can_append(runs)
        for run in runs:
            self.runs[run.run_id] = run
            if run.parent_id:
                self._parent_ids.add(run.parent_id)
        new_keys = False
        for prefix, attr in (("m", "metrics"), ("p", "params"), ("t", "tags")):
            before = len(self.keys[prefix])
            for run in runs:
                self.keys[prefix].update(getattr(run, attr))
            new_keys |= len(self.keys[prefix]) != before
        if new_keys or not self.table.columns:
            self._set_columns()
        if append:
            self.table.append_rows([RunRow(run) for run in runs])
            return
        soon = self._relayout_pending or time.monotonic() - self._last_rebuild < self._rebuild_pause()
        if self.fetching and soon:
            # Rebuilding the tree for every page would make a long load quadratic:
            # put the page in place at the next rebuild or at the end.
            self._stale = True
        else:
            self._relayout()
        if self._stale or self._relayout_pending:  # not in place yet: show it meanwhile
            if not (self.group_by or self._sorts_locally()):
                self.table.append_rows([RunRow(run) for run in runs])

    def _can_append(self, runs: list[Run]) -> bool:
        """Plain pages append; nesting, groups and local sorts need a rebuild."""
        if self.group_by or self._sorts_locally():
            return False
        return not any(run.parent_id or run.run_id in self._parent_ids for run in runs)

    def _sorts_locally(self) -> bool:
        """Sorts MLflow cannot do (duration) and lookups (no reload) sort here."""
        return self.sort is not None and (self.lookup is not None or not self._server_order())

    def _rebuild_rows(self) -> None:
        """Lay every loaded run out again (sort, groups, tree), right now."""
        self._stale = False
        self._last_rebuild = started = time.monotonic()
        rows, tree = layout_rows(*self._layout_inputs())
        self._show_layout(rows, tree)
        self._rebuild_cost = time.monotonic() - started

    def _layout_inputs(self) -> tuple:
        sort = self.sort if self._sorts_locally() else None
        return list(self.runs.values()), sort, self.group_by, set(self.expanded_groups), set(self.collapsed)

    def _show_layout(self, rows: list[Row], tree: RunTree | None) -> None:
        self._layout_generation += 1  # a layout still computing in a thread is now out of date
        self._relayout_pending = False
        self._tree = tree
        self.table.set_rows(rows)
        if self.group_by:
            self._set_columns()

    def _relayout(self, now: bool = False) -> None:
        """Lay the rows out again: on the spot when few, else in a thread so keys keep flowing.

        `now` (the user chose a sort or a grouping) supersedes a layout already
        computing; otherwise one in flight is left to finish and the rest waits.
        """
        if len(self.runs) < self.THREADED_LAYOUT_FROM or not self.table.row_count:
            self._rebuild_rows()  # small, or the first rows: show them now
        elif self._relayout_pending and not now:
            self._stale = True
        else:
            self._stale = False
            self._layout_generation += 1
            self._relayout_pending = True
            self._layout_in_thread(self._layout_generation, self._layout_inputs())

    # A fixed description: Textual would otherwise repr() every run passed in.
    @work(exclusive=True, group="layout", description="lay out the run list")
    async def _layout_in_thread(self, generation: int, inputs: tuple) -> None:
        self._last_rebuild = started = time.monotonic()
        try:
            rows, tree = await asyncio.to_thread(layout_rows, *inputs)
        finally:
            if generation == self._layout_generation:
                self._relayout_pending = False
        self._rebuild_cost = time.monotonic() - started
        if generation != self._layout_generation:
            return  # the list was reset or laid out again meanwhile
        self._show_layout(rows, tree)
        newer = list(self.runs.values())[len(inputs[0]) :]
        self._stale = bool(newer)
        if newer:  # pages that arrived while the thread worked: shown, put in place next time
            if not (self.group_by or self._sorts_locally()):
                self.table.append_rows([RunRow(run) for run in newer])
            if not self.fetching:
                self.call_later(self._relayout)  # once this worker is done

    def _rebuild_pause(self) -> float:
        """Seconds to wait between rebuilds while streaming: longer as they get costly."""
        return max(REBUILD_EVERY, self._rebuild_cost / REBUILD_SHARE)

    def replace_runs(self, fresh: list[Run]) -> None:
        """Show runs as the store now has them, in place: cursor, ticks and order stay."""
        changed = [run for run in fresh if run.run_id in self.runs]
        self._tree = None  # it holds the old Run objects: the next fold rebuilds
        for run in changed:
            self.runs[run.run_id] = run
            if run.run_id in self.ticked:
                self.ticked[run.run_id] = run
            index = self.table.index_of(run.run_id)
            if index is not None and isinstance(self.table.rows[index], RunRow):
                self.table.rows[index].run = run
        if self.group_by:
            self._rebuild_rows()  # group stats move with the values
        else:
            self.table.invalidate([run.run_id for run in changed])
        if any(run.run_id in self.ticked for run in changed):
            self.post_message(self.TicksChanged(list(self.ticked.values()), self.baseline_id))

    def forget_runs(self, run_ids: list[str]) -> None:
        """Drop deleted runs from the list and the ticks (or reload to show them marked)."""
        if self.show_deleted:
            self.load()
        for run_id in run_ids:
            self.runs.pop(run_id, None)
        self._rebuild_rows()
        if any(run_id in self.ticked for run_id in run_ids):
            self._set_ticks({k: v for k, v in self.ticked.items() if k not in run_ids}, self.baseline_id)

    # -- columns ----------------------------------------------------------------------

    def _column_key(self) -> str:
        return ",".join(sorted(e.experiment_id for e in self.experiments))

    def visible_columns(self) -> list[str]:
        fixed = (
            ["tick", "name"] + (["experiment"] if len(self.experiments) > 1 else []) + ["status", "start", "duration"]
        )
        chosen = self.config.columns.get(self._column_key())
        if chosen is None:
            return fixed + [f"m:{k}" for k in sorted(self.keys["m"])]
        return fixed + list(chosen)

    def _set_columns(self) -> None:
        columns = []
        sample = self.table.rows[:SAMPLE_ROWS] or [RunRow(run) for run in list(self.runs.values())[:SAMPLE_ROWS]]
        for key in self.visible_columns():
            label = column_label(key)
            if key in FIXED_WIDTHS:
                width = max(FIXED_WIDTHS[key], len(label))
                if key == "name" and sample:
                    width = min(40, max(width, *(len(cell_text(r, key, self._ctx)[0]) for r in sample)))
            else:
                values = [len(cell_text(r, key, self._ctx)[0]) for r in sample]
                limit = MAX_VALUE_WIDTH + (12 if self.group_by else 0)
                width = min(limit, max([len(label), 6, *values]))
            justify = "right" if key.startswith("m:") else "left"
            columns.append(Column(key, clean(label, max_len=60), width, justify))
        self.table.set_columns(columns)

    def _render_cell(self, row: Row, column: Column) -> tuple[str, str]:
        self._ctx.baseline_id = self.baseline_id
        return cell_text(row, column.key, self._ctx)

    # -- ticks ----------------------------------------------------------------------

    def _set_ticks(self, ticked: dict[str, Run], baseline_id: str | None) -> None:
        """Apply a new tick set; the first ticked run is the baseline unless chosen."""
        self.ticked.clear()
        self.ticked.update(ticked)
        if baseline_id not in ticked:
            baseline_id = next(iter(ticked), None)
        self.baseline_id = baseline_id
        self.table.invalidate()
        self.post_message(self.TicksChanged(list(ticked.values()), baseline_id))

    def highlighted_run(self) -> Run | None:
        row = self.table.cursor_row_object
        return row.run if isinstance(row, RunRow) else None

    def action_tick(self) -> None:
        row = self.table.cursor_row_object
        ticked = dict(self.ticked)
        if isinstance(row, GroupRow):
            self._toggle_many(ticked, row.members)
        elif isinstance(row, RunRow):
            if ticked.pop(row.run.run_id, None) is None:
                ticked[row.run.run_id] = row.run
        else:
            return
        self._set_ticks(ticked, self.baseline_id)

    @staticmethod
    def _toggle_many(ticked: dict[str, Run], runs: list[Run]) -> None:
        """Tick them all, or untick them all when they all are ticked."""
        if all(run.run_id in ticked for run in runs):
            for run in runs:
                ticked.pop(run.run_id, None)
        else:
            for run in runs:
                ticked.setdefault(run.run_id, run)

    def action_tick_family(self) -> None:
        run = self.highlighted_run()
        if run is None:
            return
        family = [run] + [r for r in self.runs.values() if r.parent_id == run.run_id]
        ticked = dict(self.ticked)
        self._toggle_many(ticked, family)
        self._set_ticks(ticked, self.baseline_id)

    def action_tick_all(self) -> None:
        self._set_ticks({**self.ticked, **self.runs}, self.baseline_id)

    def action_clear_ticks(self) -> None:
        self._set_ticks({}, None)

    def action_baseline(self) -> None:
        run = self.highlighted_run()
        if run is None:
            return
        ticked = dict(self.ticked)
        ticked.setdefault(run.run_id, run)
        self._set_ticks(ticked, run.run_id)

    # -- tree and groups -------------------------------------------------------------

    def action_fold(self) -> None:
        """Fold or unfold the highlighted parent run or group, in place."""
        index = self.table.cursor_row
        row = self.table.cursor_row_object
        if isinstance(row, GroupRow):
            self.expanded_groups ^= {row.key}
            row.collapsed = row.key not in self.expanded_groups
        elif isinstance(row, RunRow) and row.children:
            self.collapsed ^= {row.run.run_id}
            row.collapsed = row.run.run_id in self.collapsed
        else:
            return
        if self._stale or self._relayout_pending or (isinstance(row, RunRow) and self._tree is None):
            self._rebuild_rows()  # rows from before the latest pages: place those too
            return
        if row.collapsed:
            beneath: list[Row] = []
        elif isinstance(row, GroupRow):
            beneath = [RunRow(run, depth=1) for run in row.members]
        else:
            beneath = self._tree.subtree(row.run, row.depth, self.collapsed)
        self.table.invalidate([row.key])
        self.table.splice(index + 1, end_of_children(self.table.rows, index), beneath)

    def action_group_by(self) -> None:
        options = (
            [("", "(no grouping)")]
            + [(f"p:{k}", f"param {k}") for k in sorted(self.keys["p"])]
            + [(f"t:{k}", f"tag {k}") for k in sorted(self.keys["t"]) if not k.startswith("mlflow.")]
        )

        def chosen(column: str | None) -> None:
            if column is None:
                return
            self.group_by = column or None
            self.expanded_groups.clear()
            self._update_title()
            self._relayout(now=True)

        self.app.push_screen(PickOneScreen("Group runs by…", options), chosen)

    # -- filter, sort, columns, deleted, live -----------------------------------------

    def action_filter(self) -> None:
        box = self.query_one(FilterInput)
        box.display = True
        box.value = self.filter_string
        box.focus()

    @on(Input.Submitted, "#run-filter")
    def _apply_filter(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.config.remember_filter(text)
            self.config.save()
        if self.lookup is not None:
            self.lookup = None
        self.load(text)

    def _filter_ok(self) -> None:
        error = self.query_one("#run-filter-error", Static)
        error.display = False
        box = self.query_one(FilterInput)
        if box.display and box.has_focus:
            box.display = False
            self.table.focus()

    def _filter_failed(self, message: str) -> None:
        error = self.query_one("#run-filter-error", Static)
        error.update(Text("✖ " + message + "  (the rows below are from the last good filter)", style="red"))
        error.display = True

    def action_sort(self) -> None:
        columns = self.table.columns
        if not columns:
            return
        key = columns[self.table.cursor_column].key
        if key == "tick":
            return
        if self.sort is None or self.sort[0] != key:
            self.sort = (key, True)
        elif self.sort[1]:
            self.sort = (key, False)
        else:
            self.sort = None
        self._update_title()
        if self.lookup is not None or self._sorts_locally():
            self._relayout(now=True)
        else:
            self.load()

    def action_choose_columns(self) -> None:
        current = set(self.visible_columns())
        options = [
            (f"{p}:{k}", f"{kind} {k}", f"{p}:{k}" in current)
            for p, kind in (("m", "metric"), ("p", "param"), ("t", "tag"))
            for k in sorted(self.keys[p])
        ]

        def chosen(selected: list[str] | None) -> None:
            if selected is None:
                return
            self.config.columns[self._column_key()] = selected
            self.config.save()
            self._set_columns()

        self.app.push_screen(PickColumnsScreen("Columns to show", options), chosen)

    def action_toggle_deleted(self) -> None:
        self.show_deleted = not self.show_deleted
        self._update_title()
        if self.experiments and self.lookup is None:
            self.load()

    def action_toggle_live(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        else:
            self._live = self.set_interval(self.config.live_interval, self.refresh_running)
        self._update_title()

    @work(exclusive=True, group="live")
    async def refresh_running(self) -> None:
        """Refresh RUNNING runs in place: cursor, ticks and order stay."""
        if self.fetching or not self.experiments:
            return
        running = [run.run_id for run in self.runs.values() if run.status == "RUNNING"]
        try:
            fresh = await self.app.store.refresh_runs([e.experiment_id for e in self.experiments], running)
        except StoreError as exc:
            self.post_message(self.Progress(len(self.runs), done=True, error=f"live refresh: {exc}"))
            return
        self.replace_runs(fresh)

    @on(VirtualTable.CursorMoved, "#run-table")
    def _highlighted(self, event: VirtualTable.CursorMoved) -> None:
        event.stop()
        row = event.row
        self.post_message(self.RunHighlighted(row.run if isinstance(row, RunRow) else None))
