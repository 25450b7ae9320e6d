"""The run list: one row per run, ticks with a baseline, streamed in pages."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from mltui.formatting import format_duration, format_number, format_time
from mltui.models import Experiment, Run
from mltui.store import StoreError
from mltui.text import clean, literal

TICK_COL = "tick"
STATUS_STYLE = {"FINISHED": "green", "RUNNING": "yellow", "FAILED": "red", "KILLED": "red dim", "SCHEDULED": "cyan"}


class RunTable(DataTable):
    """The focusable table inside the run list."""

    DEFAULT_CSS = "RunTable { height: 1fr; }"


class RunList(Vertical):
    """Runs of the opened experiments; space ticks, b sets the baseline."""

    BINDINGS = [
        Binding("space", "tick", "Tick"),
        Binding("a", "tick_all", "Tick all"),
        Binding("A", "clear_ticks", "Clear ticks"),
        Binding("b", "baseline", "Baseline"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
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

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.runs: dict[str, Run] = {}
        self.ticked: dict[str, Run] = {}
        self.baseline_id: str | None = None
        self.experiments: list[Experiment] = []
        self.metric_keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("Open an experiment (Enter in the tree) to list its runs.", id="run-list-title")
        yield RunTable(cursor_type="row", zebra_stripes=True, id="run-table")

    @property
    def table(self) -> RunTable:
        return self.query_one(RunTable)

    # -- loading -------------------------------------------------------------

    def open(self, experiments: list[Experiment]) -> None:
        """List the runs of `experiments`, cancelling any load in progress."""
        self.experiments = experiments
        names = ", ".join(clean(e.name, max_len=60) for e in experiments)
        self.query_one("#run-list-title", Static).update(Text(f"Runs of {names}", style="bold"))
        self.load()

    @work(exclusive=True, group="runs")
    async def load(self) -> None:
        """Stream runs page by page; the first page replaces the old rows."""
        ids = [e.experiment_id for e in self.experiments]
        first = True
        try:
            async for page in self.app.store.iter_runs(ids):
                if first:
                    self._reset()
                    first = False
                self._add_runs(page)
                self.post_message(self.Progress(len(self.runs), done=False))
        except StoreError as exc:
            self.post_message(self.Progress(len(self.runs), done=True, error=str(exc)))
            return
        if first:
            self._reset()
        self.post_message(self.Progress(len(self.runs), done=True))

    def _reset(self) -> None:
        self.runs.clear()
        self.metric_keys = []
        table = self.table
        table.clear(columns=True)
        table.add_column("", key=TICK_COL, width=3)
        table.add_column("Run", key="name")
        if len(self.experiments) > 1:
            table.add_column("Experiment", key="experiment")
        table.add_column("Status", key="status")
        table.add_column("Started", key="start")
        table.add_column("Duration", key="duration")

    def _add_runs(self, runs: list[Run]) -> None:
        table = self.table
        new_keys = sorted({k for run in runs for k in run.metrics} - set(self.metric_keys))
        for key in new_keys:
            table.add_column(literal(key, max_len=40), key=f"m:{key}", default=Text(""))
        self.metric_keys.extend(new_keys)
        names = {e.experiment_id: e.name for e in self.experiments}
        for run in runs:
            self.runs[run.run_id] = run
            cells = [self._tick_cell(run.run_id), literal(run.name, max_len=60)]
            if len(self.experiments) > 1:
                cells.append(literal(names.get(run.experiment_id, run.experiment_id), max_len=40))
            cells += [
                Text(run.status, style=STATUS_STYLE.get(run.status, "")),
                Text(format_time(run.start_time)),
                Text(format_duration(run.duration_ms)),
            ]
            cells += [Text(format_number(run.metrics.get(k)), justify="right") for k in self.metric_keys]
            table.add_row(*cells, key=run.run_id)

    # -- ticks -----------------------------------------------------------------

    def _tick_cell(self, run_id: str) -> Text:
        if run_id == self.baseline_id:
            return Text("★", style="bold yellow")
        return Text("☑", style="bold green") if run_id in self.ticked else Text("☐", style="dim")

    def _refresh_tick(self, run_id: str) -> None:
        if run_id in self.runs:
            self.table.update_cell(run_id, TICK_COL, self._tick_cell(run_id))

    def _set_ticks(self, ticked: dict[str, Run], baseline_id: str | None) -> None:
        """Apply a new tick set; the first ticked run is the baseline unless chosen."""
        touched = set(self.ticked) | set(ticked) | {self.baseline_id, baseline_id}
        self.ticked = ticked
        if baseline_id not in ticked:
            baseline_id = next(iter(ticked), None)
        self.baseline_id = baseline_id
        for run_id in touched - {None}:
            self._refresh_tick(run_id)
        self.post_message(self.TicksChanged(list(ticked.values()), baseline_id))

    def highlighted_run(self) -> Run | None:
        table = self.table
        if table.row_count == 0:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self.runs.get(row_key.value)

    def action_tick(self) -> None:
        run = self.highlighted_run()
        if run is None:
            return
        ticked = dict(self.ticked)
        if ticked.pop(run.run_id, None) is None:
            ticked[run.run_id] = run
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

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    @on(DataTable.RowHighlighted, "#run-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.RunHighlighted(self.runs.get(event.row_key.value)))
