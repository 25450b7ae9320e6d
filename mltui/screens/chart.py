"""A metric's history for the ticked runs, as a line chart."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from mltui.charts import SMOOTHING, X_AXES, History, Series, points_per_series, prepare
from mltui.models import Run, StoreError
from mltui.sources import HistorySource
from mltui.text import clean

# Up to this many points in all, a redraw is computed on the UI thread (well under
# 10 ms) so keys answer at once; larger histories are prepared in a thread.
INLINE_POINTS = 50_000


class BackgroundPlot(PlotextPlot):
    """A PlotextPlot whose build runs in a thread; `render` only shows the last build.

    plotext rasterises every line segment in pure Python: 2,000 min/max points of a
    noisy million-step history zigzag over the full height and take a second to
    build. Built here off the UI thread, for the current size and theme.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lock = threading.Lock()  # one build at a time touches the plotext figure
        self._drawing: Callable[[Plot], None] | None = None
        self._built: Text | None = None
        self._built_for: tuple[int, int, str] | None = None
        self._building_for: tuple[int, int, str] | None = None

    def draw(self, drawing: Callable[[Plot], None]) -> None:
        """Replace the figure's contents with what `drawing` plots; rebuilt in a thread."""
        self._drawing = drawing
        self._built_for = None
        self._start_build()

    def _target(self) -> tuple[int, int, str]:
        return self.size.width, self.size.height, self._get_plotext_theme_name(self.app.theme)

    def _start_build(self) -> None:
        target = self._target()
        if target != self._building_for and target[0] > 0 and target[1] > 0:
            self._building_for = target
            self._build(target)

    def render(self) -> RenderResult:
        if self._built_for != self._target():
            self._start_build()  # resized, re-themed or redrawn: show the last build meanwhile
        return self._built if self._built is not None else Text("drawing…", style="dim")

    @work(thread=True, exclusive=True, group="plot-build")
    def _build(self, target: tuple[int, int, str]) -> None:
        width, height, theme = target
        with self._lock:
            drawing, self._drawing = self._drawing, None
            plt = self._plot
            if drawing is not None:
                drawing(plt)
            plt.plotsize(width, height)
            plt._set_size(width, height)  # as PlotextPlot.render does (textual-plotext issue 5)
            plt.theme(theme)
            built = Text.from_ansi(plt.build())
        try:
            self.app.call_from_thread(self._install, target, built)
        except RuntimeError:  # the app closed while this thread worked
            pass

    def _install(self, target: tuple[int, int, str], built: Text) -> None:
        self._built, self._built_for = built, target
        if self._building_for == target:
            self._building_for = None
        self.refresh()


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
            yield BackgroundPlot(id="chart-plot")
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
        budget = points_per_series(len(self.histories))
        return {
            run_id: prepare(history, axis, smoothing, log_scale, budget) for run_id, history in self.histories.items()
        }

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
        self.series, self.notes, lines = {}, {}, []
        for run in self.runs:
            series = prepared.get(run.run_id, Series([], []))
            self.series[run.run_id] = (series.xs, series.ys)
            self.notes[run.run_id] = series.note()
            if series.xs:
                lines.append((series.xs, series.ys, self._label(run, series)))

        def drawing(plt: Plot) -> None:
            plt.clear_data()
            plt.clear_figure()
            for xs, ys, label in lines:
                plt.plot(xs, ys, label=label, marker="braille")
            plt.xlabel("step" if axis == "step" else "minutes since start")
            plt.yscale("log" if log_scale else "linear")

        self.query_one(BackgroundPlot).draw(drawing)
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
