"""The diff pane: ticked runs side by side, with differences against a baseline.

With fewer than two runs ticked it shows the highlighted run in full instead
(`RunDetailView`), so the pane is never just a hint.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, Static

from mltui.diff import DEFAULT_LOWER_IS_BETTER, MISSING, DiffOptions, DiffResult, DiffRow, build_diff, is_lower_better
from mltui.models import Run, StoreError
from mltui.sources import HistorySource, RunDetailSource
from mltui.text import literal
from mltui.widgets.diff_columns import diff_columns, key_text
from mltui.widgets.run_detail import RunDetailView
from mltui.widgets.virtual_table import Column, VirtualTable

VERDICT_STYLE = {"better": "green", "worse": "red", "same": "dim"}
SECTION_TITLES = {"metrics": "Metrics", "params": "Params", "tags": "Tags", "info": "Run info"}
HISTORY_CONCURRENCY = 8
MAX_RUNS = 50  # columns beyond this stop being readable; the summary says what was left out
SYNC_CELLS = 4000  # smaller diffs are computed at once, larger ones in a thread
DIFF_ONLY_ACTIONS = {"changed_only", "value_mode", "flip", "export", "chart"}


@dataclass(slots=True)
class SectionLine:
    """The foldable title row of a section."""

    section: str
    rows: int
    changed: int
    folded: bool
    is_title = True  # drawn across the whole row

    @property
    def key(self) -> str:
        return f"section:{self.section}"


@dataclass(slots=True)
class RowLine:
    row: DiffRow

    @property
    def key(self) -> str:
        return f"{self.row.section}:{self.row.key}"


def diff_cell(line: SectionLine | RowLine, column: Column) -> tuple[str, str]:
    """Text and style of one diff cell: values, deltas coloured by verdict, best underlined."""
    if isinstance(line, SectionLine):
        if column.key not in ("key", VirtualTable.TITLE.key):
            return "", ""
        title = f"{'▸' if line.folded else '▾'} {SECTION_TITLES[line.section]}  {line.changed}/{line.rows} differ"
        return title, "bold reverse"
    row = line.row
    if column.key == "changed":
        return ("●", "magenta") if row.changed else ("", "")
    if column.key == "key":
        return key_text(row), "cyan" if row.lower_is_better else ""
    kind, _, index = column.key.partition(":")
    cell = row.cells[int(index)]
    if kind == "v":
        return cell.text, "dim" if cell.text == MISSING else ("bold underline" if cell.is_best else "")
    return cell.delta_text, VERDICT_STYLE.get(cell.verdict or "", "")


def _whole(raw: object) -> str:
    if raw is None:
        return MISSING
    return repr(raw) if isinstance(raw, float) else str(raw)


class DiffView(Vertical):
    """Compares the ticked runs; recomputed whenever ticks or options change."""

    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    DiffView > ContentSwitcher { height: 1fr; }
    """

    BINDINGS = [
        Binding("d", "changed_only", "Changed only"),
        Binding("m", "value_mode", "Latest/best"),
        Binding("~", "flip", "Flip direction"),
        Binding("full_stop", "system_tags", "System tags"),
        Binding("enter", "select", "Fold/whole value", show=False),
        Binding("e", "export", "Export"),
        Binding("p", "chart", "Chart"),
    ]

    class ExportRequested(Message):
        """The user wants the current table written out."""

        def __init__(self, result: DiffResult) -> None:
            self.result = result
            super().__init__()

    def __init__(
        self,
        history: HistorySource,
        lower_is_better: tuple[str, ...],
        detail: RunDetailSource,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.history = history
        self.detail_source = detail
        self.highlighted: Run | None = None
        self.runs: list[Run] = []
        self.baseline_id: str | None = None
        self.options = DiffOptions(lower_is_better=DEFAULT_LOWER_IS_BETTER + tuple(lower_is_better))
        self.collapsed: set[str] = set()
        self.extremes: dict[str, dict[str, tuple[float, float]]] = {}
        self.result: DiffResult | None = None

    def compose(self) -> ComposeResult:
        yield Static("Tick two or more runs (space) to compare them.", id="diff-summary")
        with ContentSwitcher(initial="run-detail", id="diff-switcher"):
            yield VirtualTable(diff_cell, fixed_columns=2, full_value=self._cell_value, id="diff-table")
            yield RunDetailView(self.detail_source, id="run-detail")

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#diff-table", VirtualTable)

    @property
    def detail(self) -> RunDetailView:
        return self.query_one(RunDetailView)

    @property
    def showing_detail(self) -> bool:
        return self.query_one(ContentSwitcher).current == "run-detail"

    def _switch(self, detail: bool) -> None:
        """Show the run detail or the diff table, keeping the focus in this pane."""
        if detail == self.showing_detail:
            return
        had_focus = self.app.focused is not None and self in self.app.focused.ancestors
        self.query_one(ContentSwitcher).current = "run-detail" if detail else "diff-table"
        if had_focus:
            (self.detail.table if detail else self.table).focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The diff's own keys leave the footer while the pane shows a single run."""
        return not (action in DIFF_ONLY_ACTIONS and self.is_mounted and self.showing_detail)

    def show_highlighted(self, run: Run | None) -> None:
        """The run list's cursor moved: with fewer than two ticks, show that run."""
        self.highlighted = run
        if len(self.runs) < 2:
            self.detail.show(run)

    def show_runs(self, runs: list[Run], baseline_id: str | None) -> None:
        """Compare `runs` against `baseline_id`."""
        self.runs = runs
        self.baseline_id = baseline_id
        if self.options.value_mode == "best":
            self.load_best_values()
        self.refresh_diff()

    def refresh_diff(self) -> None:
        """Recompute the diff and redraw the table, keeping the cursor row."""
        if len(self.runs) < 2:
            self.result = None
            self.workers.cancel_group(self, "diff-compute")
            self.table.set_columns([])
            self.table.set_rows([], keep_cursor=False)
            count = len(self.runs)
            self.query_one("#diff-summary", Static).update(
                Text(
                    f"Run detail · {count} ticked: tick one more (space) to compare"
                    if count
                    else "Run detail · tick two or more runs (space) to compare them",
                    style="dim",
                )
            )
            self._switch(detail=True)
            self.detail.show(self.highlighted)
            return
        self._switch(detail=False)
        runs = self._compared_runs()
        cells = len(runs) * max(len(run.metrics) + len(run.params) + len(run.tags) for run in runs)
        if cells <= SYNC_CELLS:
            self._show(build_diff(runs, self.baseline_id, self.options, self._best_values()))
        else:
            self._compute_in_thread(runs)

    def _compared_runs(self) -> list[Run]:
        """At most MAX_RUNS runs, the baseline always among them."""
        if len(self.runs) <= MAX_RUNS:
            return self.runs
        base = [run for run in self.runs if run.run_id == self.baseline_id]
        others = [run for run in self.runs if run.run_id != self.baseline_id]
        return (base + others)[:MAX_RUNS]

    @work(exclusive=True, group="diff-compute", description="compute the diff")  # no repr() of every run
    async def _compute_in_thread(self, runs: list[Run]) -> None:
        """Large diffs (50 runs x 200 metrics) are computed off the UI thread."""
        self.query_one("#diff-summary", Static).update(Text(f"Comparing {len(runs)} runs…", style="dim"))
        result = await asyncio.to_thread(build_diff, runs, self.baseline_id, self.options, self._best_values())
        self._show(result)

    def _show(self, result: DiffResult) -> None:
        self.result = result
        self._render_table(result)
        self.query_one("#diff-summary", Static).update(self._summary(result))

    def _cursor_row_key(self) -> str | None:
        return self.table.cursor_key

    def _summary(self, result: DiffResult) -> Text:
        base = result.runs[0]
        text = Text("Baseline ", style="dim")
        text.append_text(literal(base.name, "bold yellow", max_len=50))
        text.append(f" · {len(result.runs)} runs · ", style="dim")
        if len(self.runs) > len(result.runs):
            text.append(f"showing {len(result.runs)} of {len(self.runs)} ticked · ", style="yellow")
        text.append(
            "best values" if result.options.value_mode == "best" else "latest values",
            style="bold cyan" if result.options.value_mode == "best" else "",
        )
        if result.options.changed_only:
            text.append(f" · changed only, {result.hidden} identical rows hidden", style="magenta")
        missing = result.missing_summary()
        if missing:
            text.append("\n")
            text.append_text(literal("⚠ " + missing, "yellow", max_len=300))
        return text

    # -- rendering ---------------------------------------------------------------

    def _render_table(self, result: DiffResult) -> None:
        lines: list[SectionLine | RowLine] = []
        for section in result.options.sections:
            rows = result.rows_in(section)
            if rows:
                folded = section in self.collapsed
                lines.append(SectionLine(section, len(rows), sum(r.changed for r in rows), folded))
                if not folded:
                    lines.extend(RowLine(row) for row in rows)
        self.table.set_columns(diff_columns(result, self._pane_width()))
        self.table.set_rows(lines)

    def _pane_width(self) -> int | None:
        """Cells the table can use, a vertical scrollbar's worth kept free; None before the first layout."""
        width = self.content_size.width
        return width - 1 if width > 0 else None

    def on_resize(self) -> None:
        if self.result is not None:
            self.table.set_columns(diff_columns(self.result, self._pane_width()))

    def _cell_value(self, line: SectionLine | RowLine, column: Column) -> tuple[str, str]:
        """The whole of a diff cell, for the popup: full precision, uncut."""
        if isinstance(line, SectionLine):
            return "Section", SECTION_TITLES[line.section]
        row = line.row
        if column.key in ("key", "changed"):
            return f"{SECTION_TITLES[row.section]} key", row.key
        kind, _, index = column.key.partition(":")
        run = self.result.runs[int(index)] if self.result else None
        cell = row.cells[int(index)]
        title = f"{run.name if run else ''} ({run.short_id if run else ''}) · {row.key}"
        if kind == "v":
            return title, _whole(cell.raw)
        return f"Δ {title}", cell.delta_text if cell.delta is None else f"{cell.delta_text}  (Δ = {cell.delta!r})"

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
        self.detail.show_system_tags = self.options.show_system_tags
        self.detail.rerender()
        self.refresh_diff()

    def action_flip(self) -> None:
        current = self._current_row()
        if current is None or current[0] != "metrics":
            self.notify("Put the cursor on a metric row to flip its direction.", severity="warning")
            return
        self.options = replace(self.options, flipped=self.options.flipped ^ {current[1]})
        self.refresh_diff()

    def action_select(self) -> None:
        """Fold a section on its title row; on any other cell, show the whole value."""
        current = self._current_row()
        if current is None:
            return
        if current[0] != "section":
            self.table.action_show_value()
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

        key = current[1]
        self.app.push_screen(ChartScreen(self.history, key, [run for run in self.runs if key in run.metrics]))

    @work(exclusive=True, group="diff-history")
    async def load_best_values(self) -> None:
        """Fetch metric histories so 'best' can mean the min or max over steps."""
        wanted = [
            (run.run_id, key)
            for run in self.runs
            for key in run.metrics
            if key not in self.extremes.get(run.run_id, {})
        ]
        if not wanted:
            return
        gate = asyncio.Semaphore(HISTORY_CONCURRENCY)

        async def fetch(run_id: str, key: str) -> None:
            async with gate:
                points = await self.history.metric_history(run_id, key)
            values = [value for _, _, value in points if value == value]
            if values:
                self.extremes.setdefault(run_id, {})[key] = (min(values), max(values))

        try:
            await asyncio.gather(*(fetch(run_id, key) for run_id, key in wanted))
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
        self.refresh_diff()

    @on(VirtualTable.CursorMoved)
    def _stop_cursor_moved(self, event: VirtualTable.CursorMoved) -> None:
        event.stop()
