"""The versions list: a registered model's versions (or experiments' logged models) in the run list's place.

Each row leads back to the run that produced it: `Enter` goes there, and
ticking rows ticks those runs for the diff, headed `v7 logreg-tuned` so the
diff compares versions. The registry writes (`@`, `t`, `n`) live in
`ModelEdits`.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from mltui.models import Experiment, RegisteredModel, Run, StoreError
from mltui.modelview import (
    VERSION_COLUMNS,
    LoggedRow,
    ModelRow,
    VersionRow,
    column_label,
    column_width,
    diff_name,
    logged_columns,
    row_cell,
)
from mltui.sources import RegistryWriter, VersionSource
from mltui.text import clean
from mltui.widgets.model_edits import ModelEdits
from mltui.widgets.virtual_table import Column, VirtualTable


class ModelVersions(Vertical):
    """Versions of one registered model, or logged models; see BINDINGS for its keys."""

    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    ModelVersions { height: 1fr; border: round $panel-lighten-2; }
    ModelVersions:focus-within { border: round $accent; }
    ModelVersions > #versions-title { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("enter", "goto_run", "Go to run"),
        Binding("space", "tick", "Tick"),
        Binding("A", "clear_ticks", "Clear"),
        Binding("at", "alias", "Alias"),
        Binding("t", "tag", "Tag"),
        Binding("n", "description", "Description"),
    ]

    class GoToRun(Message):
        """The user wants the run behind a version, in its experiment's run list."""

        def __init__(self, run_id: str, experiment_id: str) -> None:
            self.run_id = run_id
            self.experiment_id = experiment_id
            super().__init__()

    class TicksChanged(Message):
        """The ticked versions' runs (named after their versions), first one the baseline."""

        def __init__(self, runs: list[Run], baseline_id: str | None) -> None:
            self.runs = runs
            self.baseline_id = baseline_id
            super().__init__()

    class RunHighlighted(Message):
        """The cursor moved to a row with this source run (or to none)."""

        def __init__(self, run_id: str | None) -> None:
            self.run_id = run_id
            super().__init__()

    class ModelChanged(Message):
        """A write changed a registered model's aliases: the tree shows it anew."""

        def __init__(self, model: RegisteredModel) -> None:
            self.model = model
            super().__init__()

    def __init__(self, source: VersionSource, writer: RegistryWriter, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        self.edits = ModelEdits(self, writer)
        self.model: RegisteredModel | None = None
        self.logged_for: list[Experiment] | None = None
        self.ticked: dict[str, ModelRow] = {}
        self.error: str | None = None
        self._runs: dict[str, Run] = {}

    def compose(self) -> ComposeResult:
        yield Static("Open a model in the tree's Models section to list its versions.", id="versions-title")
        yield VirtualTable(self._render_cell, fixed_columns=2, id="versions-table")

    def on_mount(self) -> None:
        self.border_title = "Model versions"

    @property
    def table(self) -> VirtualTable:
        return self.query_one(VirtualTable)

    @property
    def rows(self) -> list[ModelRow]:
        return list(self.table.rows)

    # -- what to list ------------------------------------------------------------------

    def show_model(self, model: RegisteredModel) -> None:
        """List the versions of `model` (newest first)."""
        self.model, self.logged_for = model, None
        self.border_title = "Model versions"
        self.load()

    def show_logged_models(self, experiments: list[Experiment]) -> None:
        """List the MLflow 3 logged models of `experiments`."""
        self.model, self.logged_for = None, experiments
        self.border_title = "Logged models"
        self.load()

    @work(exclusive=True, group="versions")
    async def load(self) -> None:
        """Fetch the rows in a worker (a newer load cancels an older one)."""
        await self.fetch_rows()

    async def fetch_rows(self) -> None:
        """Fetch the rows; a failure leaves one line saying why."""
        self.error = None
        self._title("loading…")
        try:
            if self.model is not None:
                versions = await self.source.model_versions(self.model.name)
                rows: list[ModelRow] = [VersionRow(v) for v in versions]
                columns = VERSION_COLUMNS
                self._model_seen(rows)
            elif self.logged_for is not None:
                models = await self.source.search_logged_models([e.experiment_id for e in self.logged_for])
                rows = [LoggedRow(m) for m in models]
                columns = logged_columns(models)
            else:
                return
        except StoreError as exc:
            self.error = str(exc)
            self.table.set_rows([], keep_cursor=False)
            self._title()
            return
        self.table.set_columns([Column(key, column_label(key), column_width(key, rows)) for key in columns])
        self.table.set_rows(rows)
        self._title()

    def _model_seen(self, rows: list[ModelRow]) -> None:
        """Tell the tree the aliases and newest version as the versions just read say."""
        if self.model is None:
            return
        versions = [row.version for row in rows if isinstance(row, VersionRow)]
        aliases = {alias: v.version for v in versions for alias in v.aliases}
        latest = max((v.version for v in versions), default=None)
        if aliases != self.model.aliases or latest != self.model.latest_version:
            self.model = replace(self.model, aliases=aliases, latest_version=latest)
            self.post_message(self.ModelChanged(self.model))

    def _title(self, activity: str = "") -> None:
        text = Text()
        if self.model is not None:
            text.append(clean(self.model.name, max_len=80), style="bold")
            text.append(f" · {self.table.row_count} versions", style="dim")
        elif self.logged_for is not None:
            names = ", ".join(clean(e.name, max_len=40) for e in self.logged_for[:3])
            more = f" +{len(self.logged_for) - 3}" if len(self.logged_for) > 3 else ""
            text.append(f"Logged models of {names}{more}", style="bold")
            text.append(f" · {self.table.row_count}", style="dim")
        if self.ticked:
            text.append(f" · {len(self.ticked)} ticked", style="green")
        if activity:
            text.append(f" · {activity}", style="dim")
        if self.error:
            text.append("\n✖ " + clean(self.error, max_len=300), style="red")
        self.query_one("#versions-title", Static).update(text)

    def _render_cell(self, row: ModelRow, column: Column) -> tuple[str, str]:
        return row_cell(row, column.key, row.key in self.ticked)

    def highlighted_row(self) -> ModelRow | None:
        return self.table.cursor_row_object

    # -- go to the run, tick for the diff ----------------------------------------------

    def action_goto_run(self) -> None:
        row = self.highlighted_row()
        if row is None:
            return
        if not row.run_id or not row.experiment_id:
            self.notify("The run behind this row is not in this store.", severity="warning")
            return
        self.post_message(self.GoToRun(row.run_id, row.experiment_id))

    def action_tick(self) -> None:
        row = self.highlighted_row()
        if row is None:
            return
        if not row.run_id or not row.experiment_id:
            self.notify("The run behind this row is not in this store: nothing to compare.", severity="warning")
            return
        if self.ticked.pop(row.key, None) is None:
            self.ticked[row.key] = row
        self.table.invalidate([row.key])
        self._title()
        self.send_ticks()

    def action_clear_ticks(self) -> None:
        self.ticked.clear()
        self.table.invalidate()
        self._title()
        self.send_ticks()

    @work(exclusive=True, group="version-ticks")
    async def send_ticks(self) -> None:
        """Fetch the ticked rows' runs (once each) and hand them on, named after their versions."""
        rows = list(self.ticked.values())
        missing = [row.run_id for row in rows if row.run_id not in self._runs]
        try:
            for run in await self.source.get_runs(dict.fromkeys(missing)):
                self._runs[run.run_id] = run
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.post_message(self.TicksChanged(*self.ticked_runs(rows)))

    def ticked_runs(self, rows: list[ModelRow]) -> tuple[list[Run], str | None]:
        """One run a ticked row (a run behind two rows counts once), the first ticked the baseline."""
        single = len({row.version.name for row in rows if isinstance(row, VersionRow)}) <= 1
        runs: dict[str, Run] = {}
        for row in rows:
            run = self._runs.get(row.run_id)
            if run is not None and run.run_id not in runs:
                runs[run.run_id] = replace(run, name=diff_name(row, run.name, single))
        ordered = list(runs.values())
        return ordered, ordered[0].run_id if ordered else None

    @on(VirtualTable.CursorMoved, "#versions-table")
    def _highlighted(self, event: VirtualTable.CursorMoved) -> None:
        event.stop()
        row = event.row
        self.post_message(self.RunHighlighted(row.run_id if row is not None and row.run_id else None))

    # -- writes (see ModelEdits) -----------------------------------------------------

    def action_alias(self) -> None:
        self.edits.alias()

    def action_tag(self) -> None:
        self.edits.tag()

    def action_description(self) -> None:
        self.edits.description()
