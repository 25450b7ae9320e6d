"""Charts of hostile and huge histories: inf, NaN, MLflow's 1.797e308, a million steps."""

from __future__ import annotations

import asyncio
import math
import sys
import time
import tracemalloc

import numpy as np
import pytest
from conftest import cell_texts, cursor_to_key, make_experiment, new_client, open_first_experiment, screen_text, settle

from mltui.app import MltuiApp
from mltui.charts import MAX_POINTS, History, downsample, prepare, smooth
from mltui.config import Config
from mltui.store import Store
from mltui.widgets.diff_view import DiffView
from mltui.widgets.run_list import RunList

INF_STAND_IN = sys.float_info.max  # what MLflow's SQL stores save for inf


# -- pure preparation ----------------------------------------------------------------------


def test_non_finite_and_stand_in_values_are_left_out_and_counted():
    values = [1.0, math.inf, INF_STAND_IN, -INF_STAND_IN, math.nan, 1e303, -0.5, 2.0]
    history = History.from_points([(i, 60_000 * i, v) for i, v in enumerate(values)])
    series = prepare(history, "step", 0.0, False)
    assert series.xs == [0.0, 6.0, 7.0] and series.ys == [1.0, -0.5, 2.0]
    assert series.note() == "3 inf, 1 nan, 1 out of range left out"
    logged = prepare(history, "time", 0.0, True)
    assert logged.xs == [0.0, 7.0] and logged.ys == [1.0, 2.0]
    assert logged.note() == "3 inf, 1 nan, 1 out of range, 1 ≤0 on log scale left out"
    assert prepare(History.from_points([(0, 0, 1.0)]), "step", 0.9, True).note() == ""


def test_smoothing_matches_the_reference_ema_over_drawn_values():
    rng = np.random.default_rng(7)
    values = (rng.normal(size=3000) * 10.0 ** rng.integers(-5, 5, 3000)).tolist()
    history = History.from_points([(i, i, v) for i, v in enumerate(values)])
    for factor in (0.6, 0.9):
        drawn = prepare(history, "step", factor, False, max_points=10_000).ys
        reference = smooth(values, factor)
        assert np.allclose(drawn, reference, rtol=1e-9, atol=1e-12 * max(map(abs, values)))


def test_downsampling_keeps_every_buckets_extremes():
    xs = np.arange(100_000, dtype=float)
    ys = np.sin(xs / 500)
    ys[12_345], ys[77_777] = 50.0, -50.0  # single-step spikes must survive
    dx, dy = downsample(xs, ys, 1000)
    assert len(dx) <= 1000 and list(dx) == sorted(dx)
    assert 12_345.0 in dx and 77_777.0 in dx
    assert dy.max() == 50.0 and dy.min() == -50.0


def test_a_million_points_prepare_and_plot_within_bounds():
    """Figures for the issue: time (printed, not asserted) and traced peak memory (asserted)."""
    from textual_plotext.plot import Plot

    count = 1_000_000
    points = [(i, 1_700_000_000_000 + i * 10, math.sin(i / 1000) + 2) for i in range(count)]
    tracemalloc.start()
    try:
        started = time.perf_counter()
        history = History.from_points(points)
        packed = time.perf_counter()
        series = prepare(history, "step", 0.9, True)
        plot = Plot()
        plot.plotsize(200, 50)
        plot.plot(series.xs, series.ys, marker="braille")
        plot.yscale("log")
        plot.build()
        drawn = time.perf_counter()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"1M points: pack {packed - started:.2f} s, prepare+plot {drawn - packed:.2f} s, peak {peak / 1e6:.0f} MB")
    assert len(series.xs) <= MAX_POINTS
    assert peak < 200e6


# -- the real app --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def inf_store(tmp_path_factory):
    """Two runs; one's loss holds inf three times (saved by MLflow as 1.797e308) and a NaN."""
    root = tmp_path_factory.mktemp("inf")
    client = new_client(root)
    exp = make_experiment(client, root, "inf")
    ids = []
    for name, losses in (
        ("diverged", [1.0, math.inf, 0.5, math.inf, math.nan, -math.inf, 0.25]),
        ("steady", [0.9, 0.7, 0.6]),
    ):
        run_id = client.create_run(exp, run_name=name).info.run_id
        for step, value in enumerate(losses):
            client.log_metric(run_id, "loss", value, step=step)
        client.set_terminated(run_id)
        ids.append(run_id)
    return {"uri": f"sqlite:///{root}/mlflow.db", "ids": ids}


async def open_chart(app, pilot, run_ids: list[str], key: str, experiment: str):
    await open_first_experiment(app, pilot, experiment)
    runs = app.query_one(RunList)
    for run_id in run_ids:
        await cursor_to_key(pilot, runs.table, run_id)
        await pilot.press("space")
    await settle(app, pilot)
    view = app.query_one(DiffView)
    await pilot.press("tab")
    assert app.focused is view.table, app.focused
    keys = [row[1].split(" ")[0] for row in cell_texts(view.table)]
    view.table.cursor_row = keys.index(key)
    await pilot.press("p")
    await settle(app, pilot)
    for _ in range(100):  # a big history is prepared in a thread
        if app.screen.__class__.__name__ == "ChartScreen" and app.screen.series:
            break
        await pilot.pause(0.1)
    return app.screen


async def test_inf_loss_draws_and_the_legend_counts_what_is_left_out(inf_store):
    diverged, steady = inf_store["ids"]
    app = MltuiApp(Store(inf_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_chart(app, pilot, [diverged, steady], "loss", "inf")
        assert screen.__class__.__name__ == "ChartScreen"
        assert screen.series[diverged] == ([0.0, 2.0, 6.0], [1.0, 0.5, 0.25])
        assert screen.notes[diverged] == "3 inf, 1 nan left out" and screen.notes[steady] == ""
        text = screen_text(app)
        assert "diverged (3 inf, 1 nan left out)" in text
        await pilot.press("l", "S", "x")  # log scale, smoothing, time axis: still no crash
        await settle(app, pilot)
        assert app.screen is screen and "x: time · log · smoothing 0.6" in screen_text(app)
    assert app.return_code in (0, None)


class LoopLag:
    """The longest gap between turns of the running event loop (the UI thread) while it runs."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last - 0.005)
            last = now

    def stop(self) -> float:
        self._task.cancel()
        return self.worst


class MillionSteps:
    """A HistorySource holding one 1,000,000-step history, as `Store.metric_history` returns it.

    Logging a million points through MlflowClient and reading them back takes minutes
    (log_batch to SQLite ~0.25 s per 1,000; the file store's get_metric_history 8 min
    on a loaded box); that cost is the store's. What this test checks is the chart's.
    """

    def __init__(self) -> None:
        self.points = [(i, 1_700_000_000_000 + i * 10, math.sin(i / 1000) + 2) for i in range(1_000_000)]

    async def metric_history(self, run_id: str, key: str) -> list[tuple[int, int, float]]:
        return self.points if run_id == "long" else self.points[:3]


async def test_a_million_step_metric_draws_downsampled_off_the_ui_thread(inf_store):
    from mltui.models import Run
    from mltui.screens.chart import ChartScreen

    runs = [Run(run_id="long", name="long", experiment_id="0"), Run(run_id="short", name="short", experiment_id="0")]
    app = MltuiApp(Store(inf_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        source = MillionSteps()
        started = time.perf_counter()
        screen = ChartScreen(source, "loss", runs)
        await app.push_screen(screen)
        while "long" not in screen_text(app) and time.perf_counter() - started < 120:  # the legend is drawn
            await pilot.pause(0.05)
        print(f"1M-step chart on screen after {time.perf_counter() - started:.2f} s")
        xs, ys = screen.series["long"]
        assert 1000 < len(xs) <= MAX_POINTS and xs[0] == 0.0 and xs[-1] == 999_999.0
        assert min(ys) == pytest.approx(1.0, abs=1e-5) and max(ys) == pytest.approx(3.0, abs=1e-5)
        lag = LoopLag()
        pressed = time.perf_counter()
        await pilot.press("l")  # prepared in a thread: the UI loop keeps turning
        while "drawing…" in str(screen.query_one("#chart-title").render()):  # the thread's result
            await pilot.pause(0.05)
        await pilot.pause()
        redrawn = time.perf_counter() - pressed
        print(f"`l` on 1M points: redrawn after {redrawn:.2f} s, longest UI stall {lag.stop() * 1000:.0f} ms")
        assert "x: step · log" in screen_text(app)
        assert min(screen.series["long"][1]) > 0
