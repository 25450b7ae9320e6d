"""The diff pane: ticked runs side by side, with differences against a baseline."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from mltui.diff import DEFAULT_LOWER_IS_BETTER, MISSING, DiffOptions, DiffResult, DiffRow, build_diff, is_lower_better
from mltui.models import Run
from mltui.store import StoreError
from mltui.text import literal

VERDICT_STYLE = {"better": "green", "worse": "red", "same": "dim"}
SECTION_TITLES = {"metrics": "Metrics", "params": "Params", "tags": "Tags", "info": "Run info"}
HISTORY_CONCURRENCY = 8


class DiffTable(DataTable):
    """The focusable table inside the diff pane."""

    DEFAULT_CSS = "DiffTable { height: 1fr; }"


class DiffView(Vertical):
    """Compares the ticked runs; recomputed whenever ticks or options change."""

    ALLOW_MAXIMIZE = True

    BINDINGS = [
        Binding("d", "changed_only", "Changed only"),
        Binding("m", "value_mode", "Latest/best"),
        Binding("~", "flip", "Flip direction"),
        Binding("full_stop", "system_tags", "System tags"),
        Binding("enter", "toggle_section", "Fold section", show=False),
        Binding("e", "export", "Export"),
        Binding("p", "chart", "Chart"),
    ]

    class ExportRequested(Message):
        """The user wants the current table written out."""

        def __init__(self, result: DiffResult) -> None:
            self.result = result
            super().__init__()

    def __init__(self, lower_is_better: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(**kwargs)
        self.runs: list[Run] = []
        self.baseline_id: str | None = None
        self.options = DiffOptions(lower_is_better=DEFAULT_LOWER_IS_BETTER + tuple(lower_is_better))
        self.collapsed: set[str] = set()
        self.extremes: dict[str, dict[str, tuple[float, float]]] = {}
        self.result: DiffResult | None = None

    def compose(self) -> ComposeResult:
        yield Static("Tick two or more runs (space) to compare them.", id="diff-summary")
        yield DiffTable(cursor_type="row", zebra_stripes=True, header_height=2, id="diff-table")

    @property
    def table(self) -> DiffTable:
        return self.query_one(DiffTable)

    def show_runs(self, runs: list[Run], baseline_id: str | None) -> None:
        """Compare `runs` against `baseline_id`."""
        self.runs = runs
        self.baseline_id = baseline_id
        if self.options.value_mode == "best":
            self.load_best_values()
        self.refresh_diff()

    def refresh_diff(self) -> None:
        """Recompute the diff and redraw the table, keeping the cursor row."""
        summary = self.query_one("#diff-summary", Static)
        table = self.table
        if len(self.runs) < 2:
            self.result = None
            table.clear(columns=True)
            count = len(self.runs)
            summary.update(f"{count} run ticked: tick one more (space) to compare." if count else
                           "Tick two or more runs (space) to compare them.")
            return
        self.result = build_diff(self.runs, self.baseline_id, self.options, self._best_values())
        cursor_key = self._cursor_row_key()
        self._render_table(self.result)
        summary.update(self._summary(self.result))
        if cursor_key is not None and cursor_key in table.rows:
            table.move_cursor(row=table.get_row_index(cursor_key), scroll=False)

    def _cursor_row_key(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _summary(self, result: DiffResult) -> Text:
        base = result.runs[0]
        text = Text("Baseline ", style="dim")
        text.append_text(literal(base.name, "bold yellow", max_len=50))
        text.append(f" · {len(result.runs)} runs · ", style="dim")
        text.append("best values" if result.options.value_mode == "best" else "latest values",
                    style="bold cyan" if result.options.value_mode == "best" else "")
        if result.options.changed_only:
            text.append(f" · changed only, {result.hidden} identical rows hidden", style="magenta")
        missing = result.missing_summary()
        if missing:
            text.append("\n")
            text.append_text(literal("⚠ " + missing, "yellow", max_len=300))
        return text

    # -- rendering ---------------------------------------------------------------

    def _render_table(self, result: DiffResult) -> None:
        table = self.table
        table.clear(columns=True)
        table.add_column("", key="changed", width=1)
        table.add_column("Key", key="key")
        for index, run in enumerate(result.runs):
            label = literal(run.name, "bold yellow" if index == 0 else "bold", max_len=28)
            label.append(f"\n{run.short_id}" + (" base" if index == 0 else ""), style="dim")
            table.add_column(label, key=f"v:{index}")
            if index:
                table.add_column(literal(f"Δ {run.name}", max_len=28).append("\nvs base", style="dim"), key=f"d:{index}")
        for section in result.options.sections:
            rows = result.rows_in(section)
            if not rows:
                continue
            self._add_section_header(section, rows)
            if section not in self.collapsed:
                for row in rows:
                    table.add_row(*self._row_cells(row), key=f"{section}:{row.key}")

    def _add_section_header(self, section: str, rows: list[DiffRow]) -> None:
        table = self.table
        folded = section in self.collapsed
        changed = sum(row.changed for row in rows)
        title = Text(f"{'▸' if folded else '▾'} {SECTION_TITLES[section]}", style="bold reverse")
        title.append(f" {len(rows)} rows, {changed} differ", style="dim")
        blank = [Text("")] * (len(table.columns) - 2)
        table.add_row(Text(""), title, *blank, key=f"section:{section}")

    def _row_cells(self, row: DiffRow) -> list[Text]:
        marker = Text("●", style="magenta") if row.changed else Text(" ")
        key_style = "" if row.lower_is_better is None else ("cyan" if row.lower_is_better else "")
        key = literal(row.key, key_style, max_len=60)
        if row.lower_is_better:
            key.append(" ↓", style="dim")
        cells = [marker, key]
        for index, cell in enumerate(row.cells):
            style = "dim" if cell.text == MISSING else ("bold underline" if cell.is_best else "")
            cells.append(literal(cell.text, style, max_len=80))
            if index:
                cells.append(Text(cell.delta_text, style=VERDICT_STYLE.get(cell.verdict or "", "")))
        return cells

    # -- actions -------------------------------------------------------------------

    def _current_row(self) -> tuple[str, str] | None:
        key = self._cursor_row_key()
        if key is None:
            return None
        section, _, name = key.partition(":")
        return section, name

    def action_changed_only(self) -> None:
        self.options = replace(self.options, changed_only=not self.options.changed_only)
        self.refresh_diff()

    def action_system_tags(self) -> None:
        self.options = replace(self.options, show_system_tags=not self.options.show_system_tags)
        self.refresh_diff()

    def action_flip(self) -> None:
        current = self._current_row()
        if current is None or current[0] != "metrics":
            self.notify("Put the cursor on a metric row to flip its direction.", severity="warning")
            return
        self.options = replace(self.options, flipped=self.options.flipped ^ {current[1]})
        self.refresh_diff()

    def action_toggle_section(self) -> None:
        current = self._current_row()
        if current is None or current[0] != "section":
            return
        self.collapsed ^= {current[1]}
        self.refresh_diff()

    def action_value_mode(self) -> None:
        best = self.options.value_mode != "best"
        self.options = replace(self.options, value_mode="best" if best else "latest")
        if best:
            self.load_best_values()
        self.refresh_diff()

    def action_export(self) -> None:
        if self.result is None:
            self.notify("Nothing to export: tick two or more runs first.", severity="warning")
            return
        self.post_message(self.ExportRequested(self.result))

    def _best_values(self) -> dict[str, dict[str, float]]:
        """Each run's best value per metric, by the metric's current direction."""
        best: dict[str, dict[str, float]] = {}
        for run_id, keys in self.extremes.items():
            for key, (low, high) in keys.items():
                lower = is_lower_better(key, self.options.lower_is_better, self.options.flipped)
                best.setdefault(run_id, {})[key] = low if lower else high
        return best

    def action_chart(self) -> None:
        current = self._current_row()
        if current is None or current[0] != "metrics":
            self.notify("Put the cursor on a metric row to chart its history.", severity="warning")
            return
        from mltui.screens.chart import ChartScreen

        self.app.push_screen(ChartScreen(current[1], [run for run in self.runs if current[1] in run.metrics]))

    @work(exclusive=True, group="diff-history")
    async def load_best_values(self) -> None:
        """Fetch metric histories so 'best' can mean the min or max over steps."""
        wanted = [(run.run_id, key) for run in self.runs for key in run.metrics
                  if key not in self.extremes.get(run.run_id, {})]
        if not wanted:
            return
        gate = asyncio.Semaphore(HISTORY_CONCURRENCY)

        async def fetch(run_id: str, key: str) -> None:
            async with gate:
                points = await self.app.store.metric_history(run_id, key)
            values = [value for _, _, value in points if value == value]
            if values:
                self.extremes.setdefault(run_id, {})[key] = (min(values), max(values))

        try:
            await asyncio.gather(*(fetch(run_id, key) for run_id, key in wanted))
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
        self.refresh_diff()

    @on(DataTable.RowHighlighted, "#diff-table")
    def _stop_highlight(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
