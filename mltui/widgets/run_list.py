"""The run list: runs streamed in pages, ticks with a baseline, filter, sort, tree and groups."""

from __future__ import annotations

from typing import TypeAlias

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from mltui.config import Config
from mltui.models import Experiment, Run, StoreError
from mltui.runview import (
    CellContext,
    GroupRow,
    ListTitle,
    Row,
    RunRow,
    add_keys,
    cell_text,
    column_value,
    next_sort,
    order_by_clause,
)
from mltui.screens.pick import PickColumnsScreen, PickOneScreen
from mltui.sources import RunSource, TriageWriter
from mltui.ticks import Ticks, family_baseline, tick_summary
from mltui.widgets.filter_bar import FilterBar, FilterInput
from mltui.widgets.run_columns import (
    SAMPLE_ROWS,
    choice_key,
    column_options,
    group_options,
    table_columns,
    visible_columns,
)
from mltui.widgets.run_layout import RunLayout
from mltui.widgets.run_live import LiveRefresh
from mltui.widgets.run_messages import Progress, RunHighlighted, TicksChanged, TickSummary
from mltui.widgets.triage import TRIAGE_BINDINGS, Triage
from mltui.widgets.virtual_table import Column, VirtualTable


class RunList(Vertical):
    """Runs of the opened experiments (or of a lookup); see BINDINGS for its keys."""

    ALLOW_MAXIMIZE = True
    THREADED_LAYOUT_FROM = 5_000  # runs; smaller lists re-nest in a few ms on the spot

    BINDINGS = [
        Binding("space", "tick", "Tick"),
        Binding("a", "tick_all", "Tick all"),
        Binding("A", "clear_ticks", "Clear"),
        Binding("b", "baseline", "Baseline"),
        Binding("c", "tick_family", "Tick +children", show=False),
        Binding("enter", "fold", "Fold/whole value", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("s", "sort", "Sort"),
        Binding("C", "choose_columns", "Columns"),
        Binding("B", "group_by", "Group"),
        Binding("D", "toggle_deleted", "Deleted"),
        Binding("w", "toggle_live", "Live"),
        *TRIAGE_BINDINGS,
    ]

    # What the list tells the App (see mltui.widgets.run_messages).
    TicksChanged: TypeAlias = TicksChanged
    RunHighlighted: TypeAlias = RunHighlighted
    TickSummary: TypeAlias = TickSummary
    Progress: TypeAlias = Progress

    def __init__(self, config: Config, runs: RunSource, writer: TriageWriter, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config
        self.source = runs
        self.triage = Triage(self, writer)
        self.row_layout = RunLayout(self, threaded_from=self.THREADED_LAYOUT_FROM)
        self.runs: dict[str, Run] = {}
        self.ticks = Ticks()
        self.experiments: list[Experiment] = []
        self.experiment_names: dict[str, str] = {}  # every experiment listed this session: ticks outlive lists
        self.lookup: str | None = None
        self.filter_string = ""
        self.sort: tuple[str, bool] | None = None  # (column, descending)
        self.sorted_here = False  # the loaded rows are sorted in memory, not in the order they were queried
        self.show_deleted = False
        self.group_by: str | None = None
        self.keys: dict[str, set[str]] = {"m": set(), "p": set(), "t": set()}
        self.fetching = False
        self._parent_ids: set[str] = set()
        self.live = LiveRefresh(self, runs, config.live_interval)
        self.newest_start = 0  # epoch ms: live refresh asks for runs started since
        self._ctx = CellContext(self.ticked, None, {})

    def compose(self) -> ComposeResult:
        yield Static("Open an experiment (Enter in the tree) to list its runs.", id="run-list-title")
        yield FilterBar(self.config.filter_history, id="run-filter-bar")
        yield VirtualTable(self._render_cell, fixed_columns=2, full_value=self._whole_value, id="run-table")

    @property
    def table(self) -> VirtualTable:
        return self.query_one(VirtualTable)

    # -- what to list --------------------------------------------------------------

    def open(self, experiments: list[Experiment]) -> None:
        """List the runs of `experiments`, cancelling any load in progress."""
        self.experiments = experiments
        self._remember_names(experiments)
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
        self._remember_names(experiments)
        self.group_by = None
        self._reset()
        self._add_runs(runs)
        self._update_title()
        self.post_message(self.Progress(len(runs), done=True))
        self._post_tick_summary()

    def _remember_names(self, experiments: list[Experiment]) -> None:
        self.experiment_names.update((e.experiment_id, e.name) for e in experiments)

    def _update_title(self) -> None:
        title = ListTitle(
            [e.name for e in self.experiments],
            self.lookup,
            len(self.runs),
            self.filter_string,
            self.sort,
            self.group_by,
            self.show_deleted,
            live=self.live.on,
        )
        self.query_one("#run-list-title", Static).update(Text.assemble(*title.parts()))

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
            async for page in self.source.iter_runs(
                ids, candidate, self._server_order(), include_deleted=self.show_deleted
            ):
                if first:
                    self._take_filter(candidate)
                    first = False
                self._add_runs(page)
                self.post_message(self.Progress(len(self.runs), done=False))
        except StoreError as exc:
            self.fetching = False
            if self.row_layout.stale:
                self.row_layout.rebuild_now()
            if first and filter_string is not None:
                self.query_one(FilterBar).rejected(str(exc))
            self.post_message(self.Progress(len(self.runs), done=True, error=str(exc)))
            return
        self.fetching = False
        if first:
            self._take_filter(candidate)
        if self.row_layout.stale:
            self.row_layout.relayout()
        self._update_title()
        self.post_message(self.Progress(len(self.runs), done=True))
        self._post_tick_summary()

    def _reset(self) -> None:
        self.runs.clear()
        self.sorted_here = False
        self.row_layout.reset()
        self._parent_ids.clear()
        self.newest_start = 0
        self.keys = {"m": set(), "p": set(), "t": set()}
        self.table.set_rows([], keep_cursor=False)
        self._ctx.experiment_names = {e.experiment_id: e.name for e in self.experiments}
        self._update_title()

    def _add_runs(self, runs: list[Run]) -> None:
        """Take in one page: new keys may add columns; rows append when they can."""
        append = self._can_append(runs)
        self._take_in(runs)
        if append:
            self.table.append_rows([RunRow(run) for run in runs])
            return
        self.row_layout.take_page(runs)

    def _take_in(self, runs: list[Run]) -> None:
        """Hold `runs` and note their parents, start times and keys (new keys add columns)."""
        for run in runs:
            self.runs[run.run_id] = run
            if run.parent_id:
                self._parent_ids.add(run.parent_id)
            if run.start_time and run.start_time > self.newest_start:
                self.newest_start = run.start_time
        if add_keys(self.keys, runs) or not self.table.columns:
            self._set_columns()

    def _can_append(self, runs: list[Run]) -> bool:
        """Plain pages append; nesting, groups and local sorts need a rebuild."""
        if self.group_by or self._sorts_locally():
            return False
        return not any(run.parent_id or run.run_id in self._parent_ids for run in runs)

    def _sorts_locally(self) -> bool:
        """Sorts MLflow cannot do (duration) and lookups (no reload) sort here."""
        return self.sort is not None and (self.lookup is not None or self.sorted_here or not self._server_order())

    def layout_order(self) -> tuple[list[Run], tuple[str, bool] | None, str | None]:
        """The runs, the sort to apply here (None when MLflow sorted them) and the grouping."""
        return list(self.runs.values()), self.sort if self._sorts_locally() else None, self.group_by

    def show_rows(self, rows: list[Row]) -> None:
        """Show a finished layout (groups change the column widths)."""
        self.table.set_rows(rows)
        if self.group_by:
            self._set_columns()

    def show_unplaced(self, runs: list[Run]) -> None:
        """Runs not laid out yet: shown at the end meanwhile, unless groups or a local sort would mislead."""
        if not (self.group_by or self._sorts_locally()):
            self.table.append_rows([RunRow(run) for run in runs])

    def replace_runs(self, fresh: list[Run]) -> None:
        """Show runs as the store now has them, in place: cursor, ticks and order stay."""
        changed = [run for run in fresh if run.run_id in self.runs]
        self.row_layout.tree = None  # it holds the old Run objects: the next fold rebuilds
        for run in changed:
            self.runs[run.run_id] = run
            index = self.table.index_of(run.run_id)
            if index is not None and isinstance(self.table.rows[index], RunRow):
                self.table.rows[index].run = run
        if self.group_by:
            self.row_layout.rebuild_now()  # group stats move with the values
        else:
            self.table.invalidate([run.run_id for run in changed])
        if self.ticks.refresh(changed):
            self.post_message(self.TicksChanged(list(self.ticked.values()), self.baseline_id))

    def forget_runs(self, run_ids: list[str]) -> None:
        """Drop deleted runs from the list and the ticks (or reload to show them marked)."""
        if self.show_deleted:
            self.load()
        for run_id in run_ids:
            self.runs.pop(run_id, None)
        self.row_layout.rebuild_now()
        if self.ticks.drop(run_ids):
            self._ticks_changed()

    # -- columns ----------------------------------------------------------------------

    def visible_columns(self) -> list[str]:
        return visible_columns(self.experiments, self.keys, self.config.columns.get(choice_key(self.experiments)))

    def _set_columns(self) -> None:
        sample = self.table.rows[:SAMPLE_ROWS] or [RunRow(run) for run in list(self.runs.values())[:SAMPLE_ROWS]]
        self.table.set_columns(table_columns(self.visible_columns(), sample, self._ctx, bool(self.group_by)))

    def _render_cell(self, row: Row, column: Column) -> tuple[str, str]:
        self._ctx.baseline_id = self.baseline_id
        return cell_text(row, column.key, self._ctx)

    def _whole_value(self, row: Row, column: Column) -> tuple[str, str]:
        """What Enter shows: a metric at full precision, any text uncut."""
        title = f"{column.label} · {row.run.name}" if isinstance(row, RunRow) else column.label
        raw = column_value(row.run, column.key) if isinstance(row, RunRow) and ":" in column.key else None
        if raw is None:
            return title, self._render_cell(row, column)[0].strip()
        return title, repr(raw) if isinstance(raw, float) else str(raw)

    # -- ticks ----------------------------------------------------------------------

    @property
    def ticked(self) -> dict[str, Run]:
        return self.ticks.runs

    @property
    def baseline_id(self) -> str | None:
        return self.ticks.baseline_id

    def _ticks_changed(self) -> None:
        self.table.invalidate()
        self.post_message(self.TicksChanged(list(self.ticked.values()), self.baseline_id))
        self._post_tick_summary()

    def _post_tick_summary(self) -> None:
        listed = {e.experiment_id for e in self.experiments}
        self.post_message(self.TickSummary(tick_summary(self.ticked.values(), self.runs, listed)))

    def experiment_name(self, run: Run) -> str:
        return self.experiment_names.get(run.experiment_id, run.experiment_id)

    def unlisted(self, runs: list[Run]) -> int:
        """How many of `runs` this list does not show."""
        return sum(run.run_id not in self.runs for run in runs)

    def highlight_run(self, run_id: str) -> bool:
        """Put the cursor on a listed run (the App's "go to this run"); False when it is not shown."""
        index = self.table.index_of(run_id)
        if index is None:
            return False
        self.table.cursor_row = index
        return True

    def highlighted_run(self) -> Run | None:
        row = self.table.cursor_row_object
        return row.run if isinstance(row, RunRow) else None

    def action_tick(self) -> None:
        row = self.table.cursor_row_object
        if isinstance(row, (GroupRow, RunRow)):
            self.ticks.toggle(row.members if isinstance(row, GroupRow) else [row.run])
            self._ticks_changed()

    def action_tick_family(self) -> None:
        """Tick a run with its children; in a sweep, a child that shares metrics becomes the baseline."""
        run = self.highlighted_run()
        if run is None:
            return
        children = [r for r in self.runs.values() if r.parent_id == run.run_id]
        self.ticks.toggle([run, *children])
        if children and run.run_id in self.ticked:
            self.ticks.make_baseline(family_baseline(run, children))
        self._ticks_changed()

    def action_tick_all(self) -> None:
        self.ticks.add(self.runs)
        self._ticks_changed()

    def action_clear_ticks(self) -> None:
        self.ticks.clear()
        self._ticks_changed()

    def action_baseline(self) -> None:
        run = self.highlighted_run()
        if run is not None:
            self.ticks.make_baseline(run)
            self._ticks_changed()

    # -- tree and groups -------------------------------------------------------------

    def action_fold(self) -> None:
        """Fold or unfold a group, or a parent run from its name; on any other cell, show the whole value."""
        row, column = self.table.cursor_row_object, self.table.cursor_column
        on_name = column < len(self.table.columns) and self.table.columns[column].key in ("tick", "name")
        if isinstance(row, GroupRow) or (isinstance(row, RunRow) and row.children and on_name):
            self.row_layout.fold()
        else:
            self.table.action_show_value()

    def action_group_by(self) -> None:
        def chosen(column: str | None) -> None:
            if column is None:
                return
            self.group_by = column or None
            self.row_layout.expanded.clear()
            self._update_title()
            self.row_layout.relayout(now=True)

        self.app.push_screen(PickOneScreen("Group runs by…", group_options(self.keys)), chosen)

    # -- filter, sort, columns, deleted, live -----------------------------------------

    def action_filter(self) -> None:
        self.query_one(FilterBar).open(self.filter_string)

    @on(FilterBar.Applied)
    def _apply_filter(self, event: FilterBar.Applied) -> None:
        event.stop()
        if event.text:
            self.config.remember_filter(event.text)
            self.config.save()
        if self.lookup is not None:
            self.lookup = None
        self.load(event.text)

    def _take_filter(self, text: str) -> None:
        """The store accepted `text`: it is the filter now, and the old rows go."""
        self.filter_string = text
        if self.query_one(FilterBar).accepted():
            self.table.focus()
        self._reset()

    @on(FilterInput.Closed)
    def _filter_closed(self, event: FilterInput.Closed) -> None:
        event.stop()
        self.table.focus()

    def action_sort(self) -> None:
        """Sort what is loaded without a new query; only a partial SQL-read list asks the database again."""
        columns = self.table.columns
        if not columns:
            return
        key = columns[self.table.cursor_column].key
        if key == "tick":
            return
        self.sort = next_sort(self.sort, key)
        self._update_title()
        if self.lookup is not None or self._sorts_locally():
            self.row_layout.relayout(now=True)
        elif self.fetching and self.source.sorts_in_sql:
            self.load()  # the rest is not loaded yet: the database sorts it in well under a second
        else:
            self.sort_in_memory()

    def sort_in_memory(self) -> None:
        """Sort the loaded rows here (in a thread past THREADED_LAYOUT_FROM runs); pages still coming join in order."""
        self.sorted_here = self.sort is not None
        self.row_layout.relayout(now=True)
        if self.fetching and self.sort is not None:
            self.app.notify(
                f"Sorted the {len(self.runs):,} runs loaded so far here; the rest join in order as they arrive. "
                "R reloads everything sorted by the server.",
                title="Sort",
                markup=False,
            )

    def action_choose_columns(self) -> None:
        def chosen(selected: list[str] | None) -> None:
            if selected is None:
                return
            self.config.columns[choice_key(self.experiments)] = selected
            self.config.save()
            self._set_columns()

        options = column_options(self.keys, self.visible_columns())
        self.app.push_screen(PickColumnsScreen("Columns to show", options), chosen)

    def action_toggle_deleted(self) -> None:
        self.show_deleted = not self.show_deleted
        self._update_title()
        if self.experiments and self.lookup is None:
            self.load()

    def action_toggle_live(self) -> None:
        self.live.toggle()
        self._update_title()

    def refresh_running(self) -> None:
        """One live refresh now (the timer calls this too)."""
        self.live.refresh()

    def live_failed(self, message: str) -> None:
        self.post_message(self.Progress(len(self.runs), done=True, error=message))

    def add_new_runs(self, new: list[Run]) -> None:
        """Runs created since the list loaded: newest first, at the top; cursor and ticks stay on their runs."""
        if not new:
            return
        new.sort(key=lambda r: -(r.start_time or 0))
        older = list(self.runs.values())
        self.runs.clear()
        self._take_in(new)
        self.runs.update((run.run_id, run) for run in older)
        self.row_layout.rebuild_now()
        self._update_title()
        self.post_message(self.Progress(len(self.runs), done=True))
        self._post_tick_summary()

    # -- writes (see Triage) ----------------------------------------------------------

    def action_tag(self) -> None:
        self.triage.tag()

    def action_untag(self) -> None:
        self.triage.untag()

    def action_rename(self) -> None:
        self.triage.rename()

    def action_note(self) -> None:
        self.triage.note()

    def action_delete(self) -> None:
        self.triage.delete()

    def action_undo_delete(self) -> None:
        self.triage.undo_delete()

    @on(VirtualTable.CursorMoved, "#run-table")
    def _highlighted(self, event: VirtualTable.CursorMoved) -> None:
        event.stop()
        row = event.row
        self.post_message(self.RunHighlighted(row.run if isinstance(row, RunRow) else None))
