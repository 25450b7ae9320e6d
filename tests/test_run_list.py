"""The run list at work on real stores: filter, sort, go to, nesting, groups, deleted, columns."""

from __future__ import annotations

import shutil

import lookup_stores
import pytest
from conftest import (
    cursor_to_column,
    cursor_to_experiment,
    cursor_to_key,
    cursor_to_row,
    focus_by_tab,
    highlight_option,
    log_run,
    make_experiment,
    new_client,
    open_first_experiment,
    screen_text,
    settle,
    table_text,
)
from textual.app import App
from textual.widgets import Input, OptionList

from mltui.app import MltuiApp
from mltui.config import Config
from mltui.models import Experiment, Run
from mltui.store import Store
from mltui.widgets.diff_view import DiffView
from mltui.widgets.filter_bar import FilterInput
from mltui.widgets.run_list import RunList
from mltui.widgets.status_bar import StatusBar

INVOCATION = "71f3f3199ea5e1f0"

twin_prefix_store = lookup_stores.twin_prefix_store  # a shared fixture


@pytest.fixture(scope="module")
def triage_store(tmp_path_factory):
    """Two harness experiments sharing an invocation id, and a sweep with children."""
    root = tmp_path_factory.mktemp("triage")
    client = new_client(root)
    mmlu = make_experiment(client, root, "eval-harness/mmlu")
    gsm = make_experiment(client, root, "eval-harness/gsm8k")
    sweep = make_experiment(client, root, "sweeps/lr")
    ids = {}
    for exp, task in ((mmlu, "mmlu"), (gsm, "gsm8k")):
        ids[f"{task}-llama"] = log_run(
            client,
            exp,
            f"{task}-llama",
            {"score": 0.61 if task == "mmlu" else 0.42},
            {"invocation_id": INVOCATION, "model": "llama"},
            {"invocation_id": INVOCATION},
        )
        ids[f"{task}-mistral"] = log_run(
            client,
            exp,
            f"{task}-mistral",
            {"score": 0.55 if task == "mmlu" else 0.47},
            {"invocation_id": "c2a9e0d41b7f3865", "model": "mistral"},
            {"invocation_id": "c2a9e0d41b7f3865"},
        )
    parent = log_run(client, sweep, "sweep-parent", {"best": 0.9}, start_time=1_000)
    ids["parent"] = parent
    for i, (lr, model, acc) in enumerate(
        [("0.1", "resnet", 0.70), ("0.01", "resnet", 0.80), ("0.001", "vit", 0.90), ("0.0001", "vit", 0.60)]
    ):
        ids[f"lr-{lr}"] = log_run(
            client,
            sweep,
            f"lr-{lr}",
            {"val_accuracy": acc, "val_loss": 1 - acc},
            {"lr": lr, "model": model},
            {"mlflow.parentRunId": parent},
            start_time=2_000 + i,
        )
    gone = log_run(client, sweep, "discarded", {"val_accuracy": 0.1}, start_time=9_000)
    client.delete_run(gone)
    return {"uri": f"sqlite:///{root}/mlflow.db", "root": root, "ids": ids}


def names(run_list: RunList) -> list[str]:
    return [row[1].strip() for row in table_text(run_list.table)[1:]]


def column(run_list: RunList, label: str) -> list[str]:
    header, *rows = table_text(run_list.table)
    index = header.index(label)
    return [row[index] for row in rows]


async def test_filter_narrows_and_a_broken_filter_keeps_rows(triage_store):
    app = MltuiApp(Store(triage_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "sweeps/lr")
        runs = app.query_one(RunList)
        assert len(names(runs)) == 5
        await pilot.press("slash")
        box = app.query_one(FilterInput)
        assert box.has_focus
        box.value = "metrics.val_accuracy > 0.75"
        await pilot.press("enter")
        await settle(app, pilot)
        assert sorted(names(runs)) == ["lr-0.001", "lr-0.01"]
        await pilot.press("slash")
        box.value = "metrics.val_accuracy >>> oops"
        await pilot.press("enter")
        await settle(app, pilot)
        assert sorted(names(runs)) == ["lr-0.001", "lr-0.01"], "the last good rows stay"
        error = str(app.query_one("#run-filter-error").render())
        assert "✖" in error and "last good filter" in error
        assert runs.filter_string == "metrics.val_accuracy > 0.75"
        # history: up recalls the broken filter, up again the good one
        await pilot.press("up", "up")
        assert box.value == "metrics.val_accuracy > 0.75"


async def test_sort_by_metric_orders_rows(triage_store):
    app = MltuiApp(Store(triage_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "sweeps/lr")
        runs = app.query_one(RunList)
        header = table_text(runs.table)[0]
        await cursor_to_column(pilot, runs.table, header.index("val_accuracy"))
        await pilot.press("s")
        await settle(app, pilot)
        values = [v for v in column(runs, "val_accuracy") if v]
        assert values == ["0.9", "0.8", "0.7", "0.6"]
        await pilot.press("s")
        await settle(app, pilot)
        assert [v for v in column(runs, "val_accuracy") if v] == ["0.6", "0.7", "0.8", "0.9"]
        assert "sort: val_accuracy ↑" in str(app.query_one("#run-list-title").render())


async def test_goto_invocation_id_finds_runs_across_experiments(triage_store):
    app = MltuiApp(Store(triage_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("colon")
        await pilot.press(*INVOCATION, "enter")
        await settle(app, pilot)
        runs = app.query_one(RunList)
        assert sorted(names(runs)) == ["gsm8k-llama", "mmlu-llama"]
        assert sorted(column(runs, "Experiment")) == ["eval-harness/gsm8k", "eval-harness/mmlu"]
        assert app.focused is runs.table


async def test_goto_key_value_and_unknown(triage_store):
    app = MltuiApp(Store(triage_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"model=mistral", "enter")
        await settle(app, pilot)
        assert sorted(names(app.query_one(RunList))) == ["gsm8k-mistral", "mmlu-mistral"]
        run_id = triage_store["ids"]["lr-0.01"]
        await pilot.press("colon", *run_id, "enter")
        await settle(app, pilot)
        assert names(app.query_one(RunList)) == ["lr-0.01"]
        await pilot.press("colon", *"no-such-thing", "enter")
        await settle(app, pilot)
        assert "No run matches 'no-such-thing'" in app.query_one(StatusBar).error
        assert names(app.query_one(RunList)) == ["lr-0.01"], "what the user had stays"


async def test_children_nest_under_their_parent_and_fold(triage_store):
    app = MltuiApp(Store(triage_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "sweeps/lr")
        runs = app.query_one(RunList)
        shown = names(runs)
        assert shown[0] == "▾ sweep-parent"
        assert all(name.startswith("lr-") for name in shown[1:])
        assert all(row[1].startswith("    lr-") for row in table_text(runs.table)[1:][1:])
        await cursor_to_row(pilot, runs.table, 0)
        await pilot.press("enter")
        assert names(runs) == ["▸ sweep-parent (+4)"]
        await pilot.press("enter")
        assert names(runs) == shown, "unfolding puts the children back, in order"
        assert runs.table.cursor_row == 0
        await pilot.press("enter")
        await pilot.press("c")
        await pilot.pause()
        assert len(runs.ticked) == 5, "the parent and its four children"


@pytest.mark.parametrize("threaded_from", [5_000, 0], ids=["on-the-spot", "in-a-thread"])
async def test_group_by_shows_mean_per_group(triage_store, monkeypatch, threaded_from):
    monkeypatch.setattr(RunList, "THREADED_LAYOUT_FROM", threaded_from)
    app = MltuiApp(Store(triage_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "sweeps/lr")
        runs = app.query_one(RunList)
        await pilot.press("B")
        await pilot.pause()
        screen = app.screen
        option_list = screen.query_one("OptionList")
        labels = [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]
        await highlight_option(pilot, option_list, labels.index("param model"))
        await pilot.press("enter")
        await settle(app, pilot)
        rows = {row[1].strip(): row for row in table_text(runs.table)[1:]}
        header = table_text(runs.table)[0]
        acc = header.index("val_accuracy")
        assert rows["▸ model=resnet (2)"][acc] == "0.75 (0.7–0.8)"
        assert rows["▸ model=vit (2)"][acc] == "0.75 (0.6–0.9)"
        await cursor_to_key(pilot, runs.table, "group:p:model=resnet")
        await pilot.press("enter")
        assert names(runs)[1:5] == ["▾ model=resnet (2)", "lr-0.01", "lr-0.1", "▸ model=vit (2)"]
        await pilot.press("enter")
        assert names(runs)[1:] == ["▸ model=resnet (2)", "▸ model=vit (2)"]
        await cursor_to_key(pilot, runs.table, "group:p:model=vit")
        await pilot.press("space")
        await pilot.pause()
        assert sorted(r.name for r in runs.ticked.values()) == ["lr-0.0001", "lr-0.001"]


async def test_deleted_runs_show_on_toggle(triage_store):
    app = MltuiApp(Store(triage_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "sweeps/lr")
        runs = app.query_one(RunList)
        assert "discarded" not in names(runs)
        await pilot.press("D")
        await settle(app, pilot)
        assert "discarded" in names(runs)
        assert column(runs, "Status")[names(runs).index("discarded")] == "deleted"


async def test_column_choice_is_remembered(triage_store, tmp_path, monkeypatch):
    """Type to narrow, space ticks the highlighted column, all without leaving the search box."""
    monkeypatch.setenv("MLTUI_CONFIG_DIR", str(tmp_path))
    app = MltuiApp(Store(triage_store["uri"]), config=Config.load())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "sweeps/lr")
        runs = app.query_one(RunList)
        assert "val_loss" in table_text(runs.table)[0]
        await pilot.press("C")
        await pilot.pause()
        search = app.screen.query_one("#pick-filter", Input)
        picker = app.screen.query_one("#pick-list", OptionList)
        assert app.focused is search
        assert picker_lines(picker)[0] == "☑ metric best", "shown columns are ticked: every metric"
        assert "☐ param lr" in picker_lines(picker)
        await pilot.press(*"val_")
        assert picker_lines(picker) == ["☑ metric val_accuracy", "☑ metric val_loss"]
        await pilot.press("down", "space")  # val_loss off
        assert picker_lines(picker) == ["☑ metric val_accuracy", "☐ metric val_loss"]
        assert search.value == "val_" and app.focused is search, "space toggled instead of typing"
        await pilot.press("up", "up", "space", "space")  # on and off again: val_accuracy stays
        await pilot.press(*["backspace"] * 4, *"lr")
        assert picker_lines(picker) == ["☐ param lr"]
        await pilot.press("space")
        assert picker_lines(picker) == ["☑ param lr"]
        await pilot.press("enter")
        await pilot.pause()
        header = table_text(runs.table)[0]
        assert "val_loss" not in header and "lr" in header and "val_accuracy" in header
    saved = Config.load()
    assert any("p:lr" in cols and "m:val_loss" not in cols for cols in saved.columns.values())


def picker_lines(picker: OptionList) -> list[str]:
    return [str(picker.get_option_at_index(i).prompt) for i in range(picker.option_count)]


async def test_filter_history_up_gives_the_most_recent_first_down_goes_forward(triage_store):
    app = MltuiApp(Store(triage_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "sweeps/lr")
        for text in ("metrics.val_accuracy > 0.1", "metrics.val_accuracy > 0.2", "metrics.val_accuracy > 0.3"):
            await pilot.press("slash", "ctrl+a", "ctrl+k", *text, "enter")
            await settle(app, pilot)
        await pilot.press("slash")
        box = app.query_one(FilterInput)
        await pilot.press("ctrl+a", "ctrl+k", *"draft")
        await pilot.press("up")
        assert box.value == "metrics.val_accuracy > 0.3", "the last filter first"
        await pilot.press("up")
        assert box.value == "metrics.val_accuracy > 0.2"
        await pilot.press("up", "up")
        assert box.value == "metrics.val_accuracy > 0.1", "the oldest stops the walk"
        await pilot.press("down")
        assert box.value == "metrics.val_accuracy > 0.2"
        await pilot.press("down", "down")
        assert box.value == "draft", "past the newest, what was being typed comes back"


async def test_c_on_a_sweep_parent_compares_against_a_child_that_shares_metrics(triage_store):
    app = MltuiApp(Store(triage_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "sweeps/lr")
        runs = app.query_one(RunList)
        await cursor_to_key(pilot, runs.table, triage_store["ids"]["parent"])
        await pilot.press("c")
        await settle(app, pilot)
        assert len(runs.ticked) == 5
        first_child = names(runs)[1].strip()
        assert runs.ticked[runs.baseline_id].name == first_child, "the first child, not the metric-less parent"
        assert column(runs, "")[1] == "★"
        diff = app.query_one(DiffView)
        accuracy = next(row for row in diff.result.rows if row.key == "val_accuracy")
        assert [cell.delta_text != "" for cell in accuracy.cells].count(True) == 3, "deltas for the other children"


async def test_ticked_experiments_list_together(triage_store):
    app = MltuiApp(Store(triage_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        from mltui.widgets.experiment_tree import ExperimentTree

        tree = app.query_one(ExperimentTree)
        await focus_by_tab(pilot, app, tree)
        for name in ("eval-harness/mmlu", "eval-harness/gsm8k"):
            await cursor_to_experiment(pilot, tree, name)
            await pilot.press("space")
        await pilot.press("enter")
        await settle(app, pilot)
        runs = app.query_one(RunList)
        assert len(names(runs)) == 4
        assert set(column(runs, "Experiment")) == {"eval-harness/mmlu", "eval-harness/gsm8k"}


async def test_copied_mlruns_folder_opens(tmp_path):
    import os

    from mlflow import MlflowClient

    source = tmp_path / "cluster" / "mlruns"
    client = MlflowClient(source.as_uri())
    exp = client.create_experiment("copied")
    log_run(client, exp, "from-the-cluster", {"accuracy": 0.5})
    copy = tmp_path / "here" / "mlruns"
    shutil.copytree(source, copy)
    store = Store(str(copy))
    assert store.note and "MLFLOW_ALLOW_FILE_STORE" in store.note
    app = MltuiApp(store, experiment="copied", config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert names(app.query_one(RunList)) == ["from-the-cluster"]
        assert os.environ["MLFLOW_ALLOW_FILE_STORE"] == "true"


@pytest.mark.parametrize("threaded_from", [5_000, 0], ids=["on-the-spot", "in-a-thread"])
async def test_pages_stream_visibly_and_nest_at_the_end(triage_store, monkeypatch, threaded_from):
    """Pages of one run: rows show while fetching, children land under the parent at the end.

    Big lists re-nest in a thread while pages keep arriving; `threaded_from=0` takes that path here.
    """
    monkeypatch.setattr(RunList, "THREADED_LAYOUT_FROM", threaded_from)
    app = MltuiApp(Store(triage_store["uri"], page_sizes=(1, 1)), config=Config())
    progress = []
    async with app.run_test(size=(160, 48)) as pilot:
        runs = app.query_one(RunList)
        original = runs.post_message

        def spy(message):
            if isinstance(message, RunList.Progress) and not message.done:
                progress.append((runs.table.row_count, runs.loading, runs.table.size.height))
            return original(message)

        await settle(app, pilot)  # the first screen opens the newest run's experiment by itself
        runs.post_message = spy
        await open_first_experiment(app, pilot, "sweeps/lr")
        assert [p[0] for p in progress] == [1, 2, 3, 4, 5], "one page, one more row"
        assert all(loading is False and height > 0 for _, loading, height in progress), "rows visible while fetching"
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = names(runs)
        assert shown[0] == "▾ sweep-parent" and len(shown) == 5
        assert sorted(runs.table._index) == sorted(runs.runs), "every run shows, once"


async def test_pages_arriving_during_a_threaded_layout_are_kept(monkeypatch, tmp_path):
    """A sweep streaming in while the tree re-nests in a thread: no run is lost or doubled."""
    monkeypatch.setattr(RunList, "THREADED_LAYOUT_FROM", 0)
    parent = Run("p" * 32, "parent", "1")
    kids = [Run(f"{i:032x}", f"child-{i}", "1", tags={"mlflow.parentRunId": parent.run_id}) for i in range(6)]

    store = Store(f"sqlite:///{tmp_path}/never-opened.db")  # the pages are handed in below

    class Bare(App):
        def compose(self):
            yield RunList(Config(), store, store)

    app = Bare()
    async with app.run_test(size=(120, 30)) as pilot:
        runs = app.query_one(RunList)
        runs.experiments = [Experiment("1", "sweep")]
        runs.fetching = True
        runs._reset()
        runs._add_runs(kids[:2])  # first rows: laid out on the spot
        assert runs.table.row_count == 2 and not runs.row_layout.pending
        runs.row_layout.last_rebuild = 0.0
        runs._add_runs(kids[2:4])  # due for a layout: it goes to a thread
        assert runs.row_layout.pending
        runs._add_runs([parent])  # arrives while the thread works: shown at once
        runs._add_runs(kids[4:])
        assert runs.table.row_count == 7
        runs.fetching = False
        runs.row_layout.relayout()  # what the end of RunList.load does
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert names(runs) == ["▾ parent"] + [f"child-{i}" for i in range(6)]
        assert sorted(runs.table._index) == sorted(runs.runs)


async def test_live_refresh_updates_running_runs_in_place(tmp_path):
    client = new_client(tmp_path)
    exp = make_experiment(client, tmp_path, "live")
    done = log_run(client, exp, "finished-run", {"acc": 0.5}, start_time=1)
    running = log_run(client, exp, "training", {"acc": 0.1}, start_time=2, status="RUNNING")
    app = MltuiApp(Store(f"sqlite:///{tmp_path}/mlflow.db"), config=Config(live_interval=1.0))
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "live")
        runs = app.query_one(RunList)
        await cursor_to_key(pilot, runs.table, done)
        await pilot.press("space")
        await cursor_to_key(pilot, runs.table, running)
        await pilot.press("space", "w")
        assert "● live" in str(app.query_one("#run-list-title").render())
        client.log_metric(running, "acc", 0.7)
        client.set_terminated(running)
        runs.refresh_running()
        await settle(app, pilot)
        row = names(runs).index("training")
        assert column(runs, "acc")[row] == "0.7"
        assert column(runs, "Status")[row] == "FINISHED"
        assert runs.table.cursor_key == running, "the cursor stays"
        assert set(runs.ticked) == {done, running}, "the ticks stay"
        await pilot.press("w")
        assert "● live" not in str(app.query_one("#run-list-title").render())


async def test_live_refresh_adds_runs_created_since_and_times_running_runs(tmp_path):
    import time

    client = new_client(tmp_path)
    exp = make_experiment(client, tmp_path, "live")
    now = int(time.time() * 1000)
    done = log_run(client, exp, "finished-run", {"acc": 0.5}, start_time=now - 600_000)
    running = log_run(client, exp, "training", {"acc": 0.1}, start_time=now - 125_000, status="RUNNING")
    app = MltuiApp(Store(f"sqlite:///{tmp_path}/mlflow.db"), config=Config(live_interval=60.0))
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "live")
        runs = app.query_one(RunList)
        assert column(runs, "Duration")[names(runs).index("training")].startswith("2m "), "elapsed, not blank"
        await cursor_to_key(pilot, runs.table, done)
        await pilot.press("space", "w")
        fresh = log_run(client, exp, "started-later", {"acc": 0.9, "new_metric": 1.0}, status="RUNNING")
        runs.refresh_running()
        await settle(app, pilot)
        assert names(runs) == ["started-later", "training", "finished-run"], "newest first, nothing lost"
        assert column(runs, "new_metric")[0] == "1", "its new metric gets a column"
        assert runs.table.cursor_key == done, "the cursor stays on its run"
        assert set(runs.ticked) == {done}, "the ticks stay"
        assert "3 runs" in app.query_one(StatusBar).activity
        runs.refresh_running()
        await settle(app, pilot)
        assert sorted(runs.runs) == sorted([done, running, fresh]), "a second refresh adds nothing twice"


async def test_stored_infinities_read_inf_in_the_list_and_the_diff(twin_prefix_store):
    app = MltuiApp(Store(twin_prefix_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "edge")
        runs = app.query_one(RunList)
        odd = names(runs).index("odd-values")
        assert column(runs, "pos_inf")[odd] == "inf" and column(runs, "neg_inf")[odd] == "-inf"
        await pilot.press("a")
        await settle(app, pilot)
        diff = app.query_one(DiffView)
        for key, shown in (("pos_inf", "inf"), ("neg_inf", "-inf")):
            row = next(row for row in diff.result.rows if row.key == key)
            cell = next(cell for cell in row.cells if cell.text == shown)
            assert cell.delta_text == "" and cell.verdict is None
        screen = screen_text(app)
        assert "e+308" not in screen
