"""A metric's history for the ticked runs, as a line chart."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot

from mltui.charts import SMOOTHING, X_AXES, History, Series, prepare
from mltui.models import Run, StoreError
from mltui.sources import HistorySource
from mltui.text import clean

# Up to this many points in all, a redraw is computed on the UI thread (well under
# 10 ms) so keys answer at once; larger histories are prepared in a thread.
INLINE_POINTS = 50_000


class ChartScreen(ModalScreen[None]):
    """Loads the histories in a worker, then draws one downsampled line per run."""

    BINDINGS = [
        Binding("escape,q,p", "dismiss", "Close"),
        Binding("x", "x_axis", "X axis"),
        Binding("l", "log_scale", "Log scale"),
        Binding("S", "smoothing", "Smoothing"),
    ]

    def __init__(self, history: HistorySource, key: str, runs: list[Run]) -> None:
        super().__init__()
        self.history = history
        self.key = key
        self.runs = runs
        self.histories: dict[str, History] = {}
        self.axis = X_AXES[0]
        self.log_scale = False
        self.smoothing = SMOOTHING[0]
        self.series: dict[str, tuple[list[float], list[float]]] = {}
        self.notes: dict[str, str] = {}
        self._generation = 0
        self._loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="chart-body"):
            yield Static(Text(f"{clean(self.key)}: loading history…"), id="chart-title")
            yield PlotextPlot(id="chart-plot")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="chart")
    async def load(self) -> None:
        """Fetch each run's history and pack it into arrays off the UI thread."""
        try:
            for run in self.runs:
                points = await self.history.metric_history(run.run_id, self.key)
                self.histories[run.run_id] = await asyncio.to_thread(History.from_points, points)
                del points  # the tuples cost ~6x the arrays
        except StoreError as exc:
            self.query_one("#chart-title", Static).update(Text(f"✖ {exc}", style="red"))
            return
        self._loaded = True
        self.redraw()

    def _settings(self) -> tuple[str, float, bool]:
        return self.axis, self.smoothing, self.log_scale

    def redraw(self) -> None:
        """Draw every run's line with the current axis, scale and smoothing."""
        if not self._loaded:
            return
        self._generation += 1
        if sum(len(h) for h in self.histories.values()) <= INLINE_POINTS:
            self._draw(self._generation, self._settings(), self._prepare(self._settings()))
            return
        self._show_title(busy=True)
        self._prepare_in_thread(self._generation, self._settings())

    def _prepare(self, settings: tuple[str, float, bool]) -> dict[str, Series]:
        axis, smoothing, log_scale = settings
        return {run_id: prepare(history, axis, smoothing, log_scale) for run_id, history in self.histories.items()}

    @work(thread=True, exclusive=True, group="chart-prepare")
    def _prepare_in_thread(self, generation: int, settings: tuple[str, float, bool]) -> None:
        series = self._prepare(settings)
        try:
            self.app.call_from_thread(self._draw, generation, settings, series)
        except RuntimeError:  # the app closed while this thread worked
            pass

    def _draw(self, generation: int, settings: tuple[str, float, bool], prepared: dict[str, Series]) -> None:
        """Hand the prepared lines to plotext, unless a newer redraw superseded them."""
        if generation != self._generation or not self.is_attached:
            return
        axis, _, log_scale = settings
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        self.series, self.notes = {}, {}
        for run in self.runs:
            series = prepared.get(run.run_id, Series([], []))
            self.series[run.run_id] = (series.xs, series.ys)
            self.notes[run.run_id] = series.note()
            if series.xs:
                plt.plot(series.xs, series.ys, label=self._label(run, series), marker="braille")
        plt.xlabel("step" if axis == "step" else "minutes since start")
        plt.yscale("log" if log_scale else "linear")
        plot.refresh()
        self._show_title(busy=False)

    @staticmethod
    def _label(run: Run, series: Series) -> str:
        """The legend entry: the run's name, then what its line leaves out."""
        note = series.note()
        return clean(run.name, max_len=30) + (f" ({note})" if note else "")

    def _show_title(self, busy: bool) -> None:
        title = Text(clean(self.key, max_len=80), style="bold")
        title.append(
            f"  x: {self.axis} · {'log' if self.log_scale else 'linear'} · smoothing {self.smoothing:g}", style="dim"
        )
        if busy:
            title.append("  drawing…", style="dim italic")
        else:
            empty = [
                clean(r.name, max_len=30) + (f" ({self.notes[r.run_id]})" if self.notes.get(r.run_id) else "")
                for r in self.runs
                if not self.series.get(r.run_id, ([], []))[0]
            ]
            if empty:
                title.append(f"  no points: {', '.join(empty)}", style="yellow")
        self.query_one("#chart-title", Static).update(title)

    def action_x_axis(self) -> None:
        self.axis = X_AXES[(X_AXES.index(self.axis) + 1) % len(X_AXES)]
        self.redraw()

    def action_log_scale(self) -> None:
        self.log_scale = not self.log_scale
        self.redraw()

    def action_smoothing(self) -> None:
        self.smoothing = SMOOTHING[(SMOOTHING.index(self.smoothing) + 1) % len(SMOOTHING)]
        self.redraw()
