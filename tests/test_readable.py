"""Readable at 80x24 and 120x40: the diff's Δ on screen, sideways scrolling, run detail, whole values.

Every assertion on what is visible reads the rendered screen, so a column
that exists but is scrolled off fails the test.
"""

from __future__ import annotations

import pytest
from conftest import (
    cursor_to_column,
    cursor_to_key,
    focus_by_tab,
    log_run,
    make_experiment,
    new_client,
    open_first_experiment,
    screen_text,
    settle,
)
from textual.widgets import Static

from mltui.app import MltuiApp
from mltui.config import Config
from mltui.models import NOTE_TAG, PARENT_TAG
from mltui.screens.cell_popup import CellPopup
from mltui.store import Store
from mltui.widgets.artifact_viewer import ArtifactViewer
from mltui.widgets.diff_view import DiffView
from mltui.widgets.run_detail import RunDetailView
from mltui.widgets.run_list import RunList
from mltui.widgets.virtual_table import VirtualTable

PER_CLASS_COLUMNS = [
    "positive_class",
    "true_negatives",
    "false_positives",
    "false_negatives",
    "true_positives",
    "recall",
    "precision",
    "f1score",
    "roc_auc",
    "precision_recall_auc",
]
LONG_VALUE = "conv3x3-" * 40 + "END"
NOTE = "# Why this run\nTried [a link](https://evil.example) and [bold]markup[/bold].\n\x1b[2J- lower C\n"


@pytest.fixture(scope="module")
def rich_store(tmp_path_factory):
    """An evaluate-style parent run (note, dataset, history, 10-column CSV, long param) with one child."""
    from mlflow.entities import Dataset, DatasetInput, InputTag

    root = tmp_path_factory.mktemp("readable")
    client = new_client(root)
    exp = make_experiment(client, root, "evaluate")
    parent = log_run(
        client,
        exp,
        "eval-logreg-pipeline",
        {"accuracy_score": 0.91, "auc_precise": 0.912345678},
        {"estimator": "LogisticRegression", "layers": LONG_VALUE},
        {NOTE_TAG: NOTE, "team": "churn"},
        start_time=2_000,
    )
    for step, value in enumerate([0.5, 0.6, 0.7]):
        client.log_metric(parent, "loss", value, step=step)
    client.log_inputs(
        parent,
        [
            DatasetInput(
                Dataset("churn-train", "a1b2c3d4", "local", "/data/churn.csv"),
                [InputTag("mlflow.data.context", "training")],
            )
        ],
    )
    rows = [",".join(PER_CLASS_COLUMNS)] + [
        ",".join([str(cls), "40", "3", "5", "52", "0.912", "0.945", "0.928", "0.957", "0.961"]) for cls in (0, 1)
    ]
    csv = root / "per_class_metrics.csv"
    csv.write_text("\n".join(rows) + "\n")
    client.log_artifact(parent, str(csv))
    child = log_run(
        client,
        exp,
        "fold-1",
        {"accuracy_score": 0.89},
        {"estimator": "LogisticRegression", "layers": "short"},
        {PARENT_TAG: parent},
        start_time=1_000,
    )
    return {"uri": f"sqlite:///{root}/mlflow.db", "parent": parent, "child": child}


async def tick(pilot, runs: RunList, run_ids) -> None:
    for run_id in run_ids:
        await cursor_to_key(pilot, runs.table, run_id)
        await pilot.press("space")
    await pilot.pause()


# -- the diff at the sizes people get over SSH -----------------------------------------


@pytest.mark.parametrize(("size", "rights"), [((120, 40), 0), ((80, 24), 6)])
async def test_two_runs_show_their_difference_without_maximizing(classifier_store, size, rights):
    app = MltuiApp(Store(classifier_store["uri"]), config=Config())
    async with app.run_test(size=size) as pilot:
        await open_first_experiment(app, pilot, "classifier")
        await tick(pilot, app.query_one(RunList), classifier_store["runs"])
        view = app.query_one(DiffView)
        await focus_by_tab(pilot, app, view.table)
        await settle(app, pilot)
        for _ in range(rights):  # sideways, with the column cursor, until the Δ shows
            if "+0.07 (+8.2%)" in screen_text(app):
                break
            await pilot.press("right")
            await pilot.pause()
        assert app.screen.maximized is None
        assert "+0.07 (+8.2%)" in screen_text(app)
        assert "0.85" in screen_text(app) or rights, "at 120 columns both values and the Δ fit at once"


async def test_hints_say_how_many_columns_are_off_screen(classifier_store):
    app = MltuiApp(Store(classifier_store["uri"]), config=Config())
    async with app.run_test(size=(100, 30)) as pilot:  # every pane shows: the diff gets about a third
        await open_first_experiment(app, pilot, "classifier")
        await tick(pilot, app.query_one(RunList), classifier_store["runs"])
        table = app.query_one(DiffView).table
        await focus_by_tab(pilot, app, table)
        assert table.hidden_columns()[1] > 0
        assert f"▸ {table.hidden_columns()[1]} more" in screen_text(app)
        await cursor_to_column(pilot, table, len(table.columns) - 1)
        left, right = table.hidden_columns()
        assert right == 0 and left > 0
        assert f"◂ {left} more" in screen_text(app)
        assert "accuracy" in screen_text(app), "the key column stays put"


async def test_csv_preview_scrolls_to_its_last_column(rich_store):
    app = MltuiApp(Store(rich_store["uri"]), config=Config())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first_experiment(app, pilot, "evaluate")
        await cursor_to_key(pilot, app.query_one(RunList).table, rich_store["parent"])
        await settle(app, pilot)
        viewer = app.query_one(ArtifactViewer)
        tree = viewer.artifact_tree
        await focus_by_tab(pilot, app, tree)
        node = next(n for n in tree.root.children if n.data is not None and n.data.name == "per_class_metrics.csv")
        for _ in range(20):
            if tree.cursor_node is node:
                break
            await pilot.press("down")
        await pilot.press("enter")
        await settle(app, pilot)
        table = app.query_one("#preview-table", VirtualTable)
        assert len(table.columns) == 10
        await focus_by_tab(pilot, app, table)
        assert "precision_recall_auc" not in screen_text(app)
        for _ in range(10):
            await pilot.press("right")
        await pilot.pause()
        assert table.cursor_column == 9
        text = screen_text(app)
        assert "precision_recall_auc" in text and "0.961" in text
        assert "more" in text, "the hint says columns are off screen on the left"


# -- run detail -----------------------------------------------------------------------


async def test_one_ticked_run_shows_its_detail_and_the_highlight_follows(classifier_store):
    app = MltuiApp(Store(classifier_store["uri"]), config=Config())
    first, second = classifier_store["runs"]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first_experiment(app, pilot, "classifier")
        runs = app.query_one(RunList)
        await tick(pilot, runs, [first])
        await settle(app, pilot)
        view = app.query_one(DiffView)
        assert view.showing_detail
        detail = app.query_one(RunDetailView)
        await focus_by_tab(pilot, app, detail.table)
        await cursor_to_key(pilot, detail.table, "p:C")
        text = screen_text(app)
        assert "logreg-a" in text and "Params" in text and "1.0" in text and "max_iter" in text
        await focus_by_tab(pilot, app, runs.table)
        await cursor_to_key(pilot, runs.table, second)
        await settle(app, pilot)
        assert detail.run is not None and detail.run.run_id == second
        assert [line.value for line in detail.table.rows if line.key == "p:C"] == ["0.5"]
        await pilot.press("space")  # two ticks: the diff comes back
        await settle(app, pilot)
        assert not view.showing_detail and "+0.07 (+8.2%)" in screen_text(app)


async def test_detail_lists_steps_datasets_lineage_and_an_inert_note(rich_store):
    app = MltuiApp(Store(rich_store["uri"]), config=Config())
    async with app.run_test(size=(200, 50)) as pilot:
        await open_first_experiment(app, pilot, "evaluate")
        await cursor_to_key(pilot, app.query_one(RunList).table, rich_store["parent"])
        await settle(app, pilot)
        detail = app.query_one(RunDetailView)
        assert detail.detail is not None, "the full detail loaded"
        lines = {line.key: line for line in detail.table.rows}
        assert lines["m:loss"].extra == "3 steps" and lines["m:accuracy_score"].extra == "1 step"
        assert lines["ds:0"].label == "churn-train" and lines["ds:0"].extra == "training"
        assert "a1b2c3d4" in lines["ds:0"].value
        assert lines[f"child:{rich_store['child']}"].value == "fold-1"
        note = [line for line in detail.table.rows if line.section == "note" and not line.is_title]
        assert (note[0].value, note[0].style) == ("Why this run", "bold")
        assert all("\x1b" not in line.value for line in note)
        text = screen_text(app)
        assert "[a link](https://evil.example)" in text and "[bold]markup[/bold]" in text
        assert "Datasets" in text and "fold-1" in text


async def test_store_run_detail_of_a_child_names_its_parent(rich_store):
    store = Store(rich_store["uri"])
    detail = await store.run_detail(rich_store["child"])
    assert detail.parent is not None and detail.parent.name == "eval-logreg-pipeline"
    assert detail.children == [] and detail.metric_steps == {"accuracy_score": 1}


# -- the whole value of a cut cell -------------------------------------------------------


async def open_popup_value(app) -> str:
    popup = app.screen
    assert isinstance(popup, CellPopup)
    return str(popup.query_one("#cell-popup-value", Static).content)


async def test_enter_on_a_cut_cell_shows_the_whole_value_and_y_copies_it(rich_store):
    app = MltuiApp(Store(rich_store["uri"]), config=Config())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first_experiment(app, pilot, "evaluate")
        runs = app.query_one(RunList)
        await cursor_to_key(pilot, runs.table, rich_store["parent"])
        await settle(app, pilot)
        detail = app.query_one(RunDetailView)
        await focus_by_tab(pilot, app, detail.table)
        await cursor_to_key(pilot, detail.table, "p:layers")
        await cursor_to_column(pilot, detail.table, 1)
        assert "END" not in screen_text(app), "the value is cut on screen"
        await pilot.press("enter")
        await pilot.pause()
        assert LONG_VALUE in (await open_popup_value(app)).replace("\n", "")
        await pilot.press("y")
        assert app.clipboard == LONG_VALUE
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CellPopup)
        # the same in the diff of the two runs
        await focus_by_tab(pilot, app, runs.table)
        await tick(pilot, runs, [rich_store["parent"], rich_store["child"]])
        view = app.query_one(DiffView)
        await focus_by_tab(pilot, app, view.table)
        await cursor_to_key(pilot, view.table, "params:layers")
        index = next(i for i, c in enumerate(view.table.columns) if c.key.startswith("v:") and "eval" in c.label)
        await cursor_to_column(pilot, view.table, index)
        await pilot.press("enter")
        await pilot.pause()
        assert LONG_VALUE in (await open_popup_value(app)).replace("\n", "")
        await pilot.press("escape")
        await cursor_to_key(pilot, view.table, "section:params")
        await pilot.press("enter")  # a section row still folds
        await pilot.pause()
        assert not isinstance(app.screen, CellPopup) and view.table.index_of("params:layers") is None


async def test_run_list_enter_folds_parents_and_opens_other_cells(rich_store):
    app = MltuiApp(Store(rich_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "evaluate")
        table = app.query_one(RunList).table
        await cursor_to_key(pilot, table, rich_store["parent"])
        assert table.index_of(rich_store["child"]) is not None
        await pilot.press("enter")  # on the name of a parent: fold
        await pilot.pause()
        assert table.index_of(rich_store["child"]) is None
        index = next(i for i, c in enumerate(table.columns) if c.key == "status")
        await cursor_to_column(pilot, table, index)
        await pilot.press("enter")
        await pilot.pause()
        assert "FINISHED" in await open_popup_value(app)
        await pilot.press("escape")
        index = next(i for i, c in enumerate(table.columns) if c.key == "m:auc_precise")
        await cursor_to_column(pilot, table, index)
        assert "0.912345678" not in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert await open_popup_value(app) == "0.912345678", "a metric at full precision"


@pytest.mark.server
async def test_run_detail_over_rest_counts_steps_from_histories(mlflow_server):
    from mlflow import MlflowClient
    from mlflow.entities import Dataset, DatasetInput, InputTag

    client = MlflowClient(mlflow_server["uri"])
    exp = client.create_experiment("rest-detail")
    parent = log_run(client, exp, "rest-parent", {"accuracy": 0.9})
    for step, value in enumerate([0.9, 0.7, 0.5]):
        client.log_metric(parent, "loss", value, step=step)
    client.log_inputs(
        parent, [DatasetInput(Dataset("train", "ff00", "s3", "s3://b/k"), [InputTag("mlflow.data.context", "eval")])]
    )
    child = log_run(client, exp, "rest-child", {"accuracy": 0.8}, tags={PARENT_TAG: parent})
    detail = await Store(mlflow_server["uri"]).run_detail(parent)
    assert detail.metric_steps == {"accuracy": 1, "loss": 3}
    assert [(d.name, d.digest, d.source_type, d.context) for d in detail.datasets] == [("train", "ff00", "s3", "eval")]
    assert [(c.run_id, c.name) for c in detail.children] == [(child, "rest-child")]
