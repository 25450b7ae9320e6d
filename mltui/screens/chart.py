"""A metric's history for the ticked runs, as a line chart."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot

from mltui.charts import SMOOTHING, X_AXES, Point, plottable, smooth, x_values
from mltui.models import Run, StoreError
from mltui.sources import HistorySource
from mltui.text import clean


class ChartScreen(ModalScreen[None]):
    """Loads the histories in a worker, then draws one line per run."""

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
        self.histories: dict[str, list[Point]] = {}
        self.axis = X_AXES[0]
        self.log_scale = False
        self.smoothing = SMOOTHING[0]
        self.series: dict[str, tuple[list[float], list[float]]] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="chart-body"):
            yield Static(Text(f"{clean(self.key)}: loading history…"), id="chart-title")
            yield PlotextPlot(id="chart-plot")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="chart")
    async def load(self) -> None:
        try:
            for run in self.runs:
                self.histories[run.run_id] = await self.history.metric_history(run.run_id, self.key)
        except StoreError as exc:
            self.query_one("#chart-title", Static).update(Text(f"✖ {exc}", style="red"))
            return
        self.redraw()

    def redraw(self) -> None:
        """Draw every run's line with the current axis, scale and smoothing."""
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        self.series = {}
        for run in self.runs:
            points = self.histories.get(run.run_id, [])
            xs, ys = plottable(
                x_values(points, self.axis), smooth([p[2] for p in points], self.smoothing), self.log_scale
            )
            self.series[run.run_id] = (xs, ys)
            if xs:
                plt.plot(xs, ys, label=clean(run.name, max_len=30), marker="braille")
        plt.xlabel("step" if self.axis == "step" else "minutes since start")
        plt.yscale("log" if self.log_scale else "linear")
        plot.refresh()
        empty = [clean(r.name, max_len=30) for r in self.runs if not self.series.get(r.run_id, ([], []))[0]]
        title = Text(clean(self.key, max_len=80), style="bold")
        title.append(
            f"  x: {self.axis} · {'log' if self.log_scale else 'linear'} · smoothing {self.smoothing:g}", style="dim"
        )
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
