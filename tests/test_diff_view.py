"""The diff pane on a real store: many runs, changed-only, missing values, best values, export."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from conftest import (
    cell_texts,
    cursor_to_key,
    cursor_to_row,
    focus_by_tab,
    make_experiment,
    new_client,
    open_first_experiment,
    row_for,
    screen_text,
    settle,
)

from mltui.app import MltuiApp
from mltui.config import Config
from mltui.store import Store
from mltui.widgets.diff_view import DiffView
from mltui.widgets.run_list import RunList


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("three")
    client = new_client(root)
    exp = make_experiment(client, root, "three")
    specs = [
        ("base", {"accuracy": [0.80, 0.85], "loss": [0.6, 0.4]}, {"C": "1.0", "seed": "1"}),
        ("better", {"accuracy": [0.95, 0.92], "loss": [0.3, 0.2], "f1": [0.9]}, {"C": "0.5", "seed": "1"}),
        ("worse", {"accuracy": [0.70], "loss": [0.7]}, {"C": "2.0", "seed": "1"}),
    ]
    ids = []
    for i, (name, history, params) in enumerate(specs):
        run_id = client.create_run(exp, run_name=name, start_time=1_000 + i).info.run_id
        for key, values in history.items():
            for step, value in enumerate(values):
                client.log_metric(run_id, key, value, step=step)
        for key, value in params.items():
            client.log_param(run_id, key, value)
        client.set_terminated(run_id)
        ids.append(run_id)
    return {"uri": f"sqlite:///{root}/mlflow.db", "ids": ids}


async def tick_all_with_base_first(app, pilot):
    runs = app.query_one(RunList)
    for name in ("base", "better", "worse"):
        run_id = next(r.run_id for r in runs.runs.values() if r.name == name)
        await cursor_to_key(pilot, runs.table, run_id)
        await pilot.press("space")
    await pilot.pause()


@asynccontextmanager
async def three_ticked(uri: str, config: Config | None = None, size: tuple[int, int] = (180, 50)):
    """The app on the three-run store with base, better, worse ticked in that order."""
    app = MltuiApp(Store(uri), config=config or Config())
    async with app.run_test(size=size) as pilot:
        await open_first_experiment(app, pilot, "three")
        await tick_all_with_base_first(app, pilot)
        yield app, pilot


async def test_three_runs_two_difference_columns_and_missing(three_runs):
    async with three_ticked(three_runs["uri"]) as (app, pilot):
        view = app.query_one(DiffView)
        labels = [c.label for c in view.table.columns]
        assert sum(label.startswith("Δ ") for label in labels) == 2
        accuracy = row_for(view.table, "accuracy")
        assert accuracy[2:7] == ["0.85", "0.92", "+0.07 (+8.2%)", "0.7", "-0.15 (-18%)"]
        loss = row_for(view.table, "loss")
        assert loss[4] == "-0.2 (-50%)"
        f1 = row_for(view.table, "f1")
        assert f1[2] == "—" and f1[5] == "—"
        summary = str(view.query_one("#diff-summary").render())
        assert "1 metric missing in 2 runs" in summary


async def test_three_runs_and_both_differences_fit_at_200_columns(three_runs):
    async with three_ticked(three_runs["uri"], size=(200, 50)) as (app, pilot):
        await settle(app, pilot)
        screen = screen_text(app)
        assert "+0.07 (+8.2%)" in screen and "-0.15 (-18%)" in screen and "-0.2 (-50%)" in screen
        table = app.query_one(DiffView).table
        assert table.hidden_columns() == (0, 0) and "more" not in screen.split("Diff")[1]


async def test_changed_only_hides_identical_rows(three_runs):
    async with three_ticked(three_runs["uri"]) as (app, pilot):
        view = app.query_one(DiffView)
        assert row_for(view.table, "seed")
        await focus_by_tab(pilot, app, view.table)
        await pilot.press("d")
        keys = [row[1] for row in cell_texts(view.table)]
        assert "seed" not in keys and "C" in keys
        assert "identical rows hidden" in str(view.query_one("#diff-summary").render())
        await pilot.press("d")
        assert row_for(view.table, "seed")


async def test_best_value_mode_and_direction_flip(three_runs):
    async with three_ticked(three_runs["uri"]) as (app, pilot):
        view = app.query_one(DiffView)
        await focus_by_tab(pilot, app, view.table)
        await pilot.press("m")
        await settle(app, pilot)
        accuracy = row_for(view.table, "accuracy")
        assert accuracy[2:4] == ["0.85", "0.95"], "best = max over the history"
        assert row_for(view.table, "loss")[2] == "0.4"
        assert "best values" in str(view.query_one("#diff-summary").render())
        # flip accuracy to lower-is-better: its best becomes the minimum
        keys = [row[1] for row in cell_texts(view.table)]
        await cursor_to_row(pilot, view.table, keys.index("accuracy"))
        await pilot.press("~")
        await settle(app, pilot)
        accuracy = row_for(view.table, "accuracy")
        assert accuracy[1] == "accuracy ↓"
        assert accuracy[2:4] == ["0.8", "0.92"]


async def test_export_markdown_writes_the_seed_row(classifier_store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = MltuiApp(Store(classifier_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "classifier")
        runs = app.query_one(RunList)
        for run_id in classifier_store["runs"]:
            await cursor_to_key(pilot, runs.table, run_id)
            await pilot.press("space")
        await focus_by_tab(pilot, app, app.query_one(DiffView).table)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")  # Markdown is first
        await pilot.pause()
    files = list(tmp_path.glob("mltui-diff-*.md"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "| metrics | accuracy | 0.85 | 0.92 | +0.07 (+8.2%) |" in text


async def test_chart_plots_each_ticked_runs_history(three_runs):
    async with three_ticked(three_runs["uri"]) as (app, pilot):
        view = app.query_one(DiffView)
        await focus_by_tab(pilot, app, view.table)
        keys = [row[1] for row in cell_texts(view.table)]
        await cursor_to_row(pilot, view.table, keys.index("accuracy"))
        await pilot.press("p")
        await settle(app, pilot)
        screen = app.screen
        assert screen.__class__.__name__ == "ChartScreen"
        ids = three_runs["ids"]
        assert screen.series[ids[0]] == ([0.0, 1.0], [0.80, 0.85])
        assert screen.series[ids[2]] == ([0.0], [0.70])
        await pilot.press("S")
        xs, ys = screen.series[ids[0]]
        assert ys[0] == 0.80 and abs(ys[1] - (0.6 * 0.80 + 0.4 * 0.85)) < 1e-12
        await pilot.press("l", "x")
        assert "x: time · log" in str(screen.query_one("#chart-title").render())
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]


async def test_configured_lower_is_better_names(three_runs):
    async with three_ticked(three_runs["uri"], Config(lower_is_better=["accuracy"])) as (app, pilot):
        accuracy = row_for(app.query_one(DiffView).table, "accuracy")
        assert accuracy[1] == "accuracy ↓"
        result = app.query_one(DiffView).result
        row = next(r for r in result.rows if r.key == "accuracy")
        assert [c.verdict for c in row.cells] == [None, "worse", "better"]


async def test_many_runs_are_capped_and_computed_off_the_ui_thread(tmp_path):
    from mlflow.entities import Metric

    client = new_client(tmp_path)
    exp = make_experiment(client, tmp_path, "wide")
    for i in range(55):
        run_id = client.create_run(exp, run_name=f"run-{i:02d}", start_time=1_000 + i).info.run_id
        client.log_batch(run_id, metrics=[Metric(f"m{k:03d}", i + k / 1000, 0, 0) for k in range(80)])
        client.set_terminated(run_id)
    app = MltuiApp(Store(f"sqlite:///{tmp_path}/mlflow.db"), config=Config())
    async with app.run_test(size=(180, 50)) as pilot:
        await open_first_experiment(app, pilot, "wide")
        await pilot.press("a")
        await settle(app, pilot)
        view = app.query_one(DiffView)
        assert len(view.result.runs) == 50
        assert "showing 50 of 55 ticked" in str(view.query_one("#diff-summary").render())
        assert sum(c.label.startswith("Δ ") for c in view.table.columns) == 49
        row = row_for(view.table, "m000")
        assert row[2] == view.result.runs[0].metrics["m000"].__format__("g")


async def test_sections_fold_and_system_tags_toggle(three_runs):
    async with three_ticked(three_runs["uri"]) as (app, pilot):
        view = app.query_one(DiffView)
        await focus_by_tab(pilot, app, view.table)
        keys = [row[1] for row in cell_texts(view.table)]
        assert "▾ Params  1/2 differ" in keys
        assert not any(k.startswith("mlflow.") for k in keys)
        await cursor_to_row(pilot, view.table, keys.index("▾ Params  1/2 differ"))
        await pilot.press("enter")
        keys = [row[1] for row in cell_texts(view.table)]
        assert "▸ Params  1/2 differ" in keys and "seed" not in keys and "C" not in keys
        assert view.table.cursor_key == "section:params", "the cursor stays on the folded section"
        await pilot.press("full_stop")
        keys = [row[1] for row in cell_texts(view.table)]
        assert "mlflow.runName" in keys
