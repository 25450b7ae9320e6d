"""Drive the real app on real stores: open, tick, diff, errors."""

from __future__ import annotations

import pytest
from conftest import (
    cell_texts,
    cursor_to_row,
    log_run,
    make_experiment,
    new_client,
    open_first_experiment,
    row_for,
    settle,
)

from mltui.app import MltuiApp
from mltui.store import Store
from mltui.widgets.diff_view import DiffView
from mltui.widgets.experiment_tree import ExperimentTree
from mltui.widgets.run_list import RunList
from mltui.widgets.status_bar import StatusBar


async def test_tick_two_runs_shows_differences(classifier_store):
    app = MltuiApp(Store(classifier_store["uri"]))
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "classifier")
        runs = app.query_one(RunList)
        assert runs.table.row_count == 2
        assert app.focused is runs.table
        names = [row[1] for row in cell_texts(runs.table)]
        # tick the older run first so it becomes the baseline
        for name in ("logreg-a", "logreg-b"):
            await cursor_to_row(pilot, runs.table, names.index(name))
            await pilot.press("space")
        await pilot.pause()
        assert runs.table.cursor_row == names.index("logreg-b"), "the cursor stays on the ticked row"
        diff = app.query_one(DiffView).table
        accuracy = row_for(diff, "accuracy")
        assert accuracy[2:5] == ["0.85", "0.92", "+0.07 (+8.2%)"]
        assert row_for(diff, "precision")[4].startswith("+0.03")
        assert row_for(diff, "recall")[4].startswith("+0.11")
        assert row_for(diff, "f1_score")[4].startswith("+0.07")
        auc = row_for(diff, "auc")
        assert auc[2] == "—" and auc[3] == "0.95" and auc[4] == ""
        c_param = row_for(diff, "C")
        assert c_param[0] == "●" and c_param[2:4] == ["1.0", "0.5"]


async def test_baseline_key_swaps_the_sign(classifier_store):
    app = MltuiApp(Store(classifier_store["uri"]))
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "classifier")
        await pilot.press("a")
        runs = app.query_one(RunList)
        names = [row[1] for row in cell_texts(runs.table)]
        await cursor_to_row(pilot, runs.table, names.index("logreg-b"))
        await pilot.press("b")
        await pilot.pause()
        assert cell_texts(runs.table)[names.index("logreg-b")][0] == "★"
        accuracy = row_for(app.query_one(DiffView).table, "accuracy")
        assert accuracy[2:5] == ["0.92", "0.85", "-0.07 (-7.6%)"]
        await pilot.press("A")
        await pilot.pause()
        assert app.query_one(DiffView).table.row_count == 0
        assert {row[0] for row in cell_texts(runs.table)} == {"☐"}


async def test_unreachable_uri_shows_one_line_and_app_stays(tmp_path):
    app = MltuiApp(Store("http://127.0.0.1:9"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        status = app.query_one(StatusBar)
        assert "Cannot reach http://127.0.0.1:9" in status.error
        assert "\n" not in status.error
        await pilot.press("tab", "question_mark")
        assert app.screen.__class__.__name__ == "HelpScreen"


async def test_missing_sqlite_store_is_reported(tmp_path):
    app = MltuiApp(Store(f"sqlite:///{tmp_path}/nope.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        assert app.query_one(StatusBar).error == f"No MLflow database at {tmp_path}/nope.db"
    assert not (tmp_path / "nope.db").exists()


async def test_credentials_are_masked_in_status():
    app = MltuiApp(Store("http://alice:s3cret@127.0.0.1:9"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        status = app.query_one(StatusBar)
        rendered = str(status.render())
        assert "s3cret" not in rendered and "alice" not in rendered
        assert "http://***@127.0.0.1:9" in rendered


async def test_markup_in_names_renders_literally(tmp_path):
    client = new_client(tmp_path)
    exp = make_experiment(client, tmp_path, "[bold]nested[/]/exp")
    log_run(client, exp, "[bold red]x[/]", {"loss": 0.5}, {"p": "[link=http://e]y[/link]"})
    log_run(client, exp, "plain", {"loss": 0.4}, {"p": "z"})
    app = MltuiApp(Store(f"sqlite:///{tmp_path}/mlflow.db"))
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "[bold]nested[/]/exp")
        runs = app.query_one(RunList)
        assert "[bold red]x[/]" in [row[1] for row in cell_texts(runs.table)]
        await pilot.press("a")
        await pilot.pause()
        diff = app.query_one(DiffView).table
        assert row_for(diff, "p")[2:4] in (["[link=http://e]y[/link]", "z"], ["z", "[link=http://e]y[/link]"])
        loss = row_for(diff, "loss")
        assert loss[1] == "loss ↓"


async def test_experiment_option_opens_runs_with_focus(classifier_store):
    app = MltuiApp(Store(classifier_store["uri"]), experiment="classifier")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        runs = app.query_one(RunList)
        assert runs.table.row_count == 2
        assert app.focused is runs.table


async def test_nested_names_fold_into_folders(tmp_path):
    client = new_client(tmp_path)
    make_experiment(client, tmp_path, "/Users/ana/churn")
    make_experiment(client, tmp_path, "/Users/ana/fraud")
    app = MltuiApp(Store(f"sqlite:///{tmp_path}/mlflow.db"))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        tree = app.query_one(ExperimentTree)
        users = next(n for n in tree.root.children if str(n.label) == "Users")
        ana = users.children[0]
        assert str(ana.label) == "ana"
        assert sorted(str(n.label).split()[0] for n in ana.children) == ["churn", "fraud"]


def test_first_frame_paints_before_mlflow_is_imported(classifier_store):
    """In a fresh interpreter: the UI is up while mlflow is still being imported."""
    import subprocess
    import sys

    script = f"""
import asyncio, sys
from mltui.app import MltuiApp
from mltui.store import Store
from mltui.widgets.experiment_tree import ExperimentTree

async def main():
    app = MltuiApp(Store({classifier_store["uri"]!r}))
    async with app.run_test(size=(120, 30)) as pilot:
        print("first-frame-mlflow-loaded", "mlflow" in sys.modules and hasattr(sys.modules["mlflow"], "MlflowClient"))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        print("experiments", len(app.query_one(ExperimentTree).experiments()))

asyncio.run(main())
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "first-frame-mlflow-loaded False" in result.stdout, result.stdout + result.stderr
    assert "experiments 2" in result.stdout


@pytest.mark.server
async def test_rest_store_through_a_real_server(mlflow_server):
    from mlflow import MlflowClient

    client = MlflowClient(mlflow_server["uri"])
    exp = client.create_experiment("rest-classifier")
    for name, acc in (("rest-a", 0.85), ("rest-b", 0.92)):
        log_run(client, exp, name, {"accuracy": acc})
    app = MltuiApp(Store(mlflow_server["uri"]), experiment="rest-classifier")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        runs = app.query_one(RunList)
        assert sorted(row[1] for row in cell_texts(runs.table)) == ["rest-a", "rest-b"]
        names = [row[1] for row in cell_texts(runs.table)]
        for name in ("rest-a", "rest-b"):
            await cursor_to_row(pilot, runs.table, names.index(name))
            await pilot.press("space")
        await pilot.pause()
        assert row_for(app.query_one(DiffView).table, "accuracy")[2:5] == ["0.85", "0.92", "+0.07 (+8.2%)"]
        assert app.query_one(StatusBar).uri == mlflow_server["uri"]


async def test_z_maximizes_the_focused_pane_and_restores(classifier_store):
    app = MltuiApp(Store(classifier_store["uri"]), experiment="classifier")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("z")
        assert app.screen.maximized is app.query_one(RunList)
        await pilot.press("z")
        assert app.screen.maximized is None


async def test_command_palette_opens_an_experiment(classifier_store):
    app = MltuiApp(Store(classifier_store["uri"]))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"open experiment classifier")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(app, pilot)
        assert sorted(row[1] for row in cell_texts(app.query_one(RunList).table)) == ["logreg-a", "logreg-b"]


async def test_unknown_experiment_option_says_so(classifier_store):
    app = MltuiApp(Store(classifier_store["uri"]), experiment="nope")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert app.query_one(StatusBar).error == "No experiment named or numbered 'nope'"
        assert app.query_one(ExperimentTree).experiments(), "the tree is still there to use"
