"""Writes happen only on an explicit key, after confirmation when destructive, never read-only."""

from __future__ import annotations

import pytest
from conftest import (
    cursor_to_key,
    highlight_option,
    log_run,
    make_experiment,
    new_client,
    open_first_experiment,
    settle,
    table_text,
)
from mlflow import MlflowClient
from textual.widgets import Button, Label

from mltui.app import MltuiApp
from mltui.config import Config
from mltui.screens.prompt import ConfirmScreen
from mltui.store import Store
from mltui.widgets.run_list import RunList
from mltui.widgets.status_bar import StatusBar


@pytest.fixture
def small_store(tmp_path):
    client = new_client(tmp_path)
    exp = make_experiment(client, tmp_path, "triage")
    run_id = log_run(client, exp, "candidate", {"acc": 0.9}, tags={"stage": "dev"})
    return {"uri": f"sqlite:///{tmp_path}/mlflow.db", "run_id": run_id, "client": client}


async def open_app(small_store, read_only=False):
    return MltuiApp(Store(small_store["uri"], read_only=read_only), config=Config())


async def test_tag_rename_and_note(small_store):
    app = await open_app(small_store)
    client: MlflowClient = small_store["client"]
    run_id = small_store["run_id"]
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "triage")
        await pilot.press("t", *"reviewed=yes", "enter")
        await settle(app, pilot)
        assert client.get_run(run_id).data.tags["reviewed"] == "yes"
        await pilot.press("r", "ctrl+a", "ctrl+k", *"champion", "enter")
        await settle(app, pilot)
        assert client.get_run(run_id).info.run_name == "champion"
        assert table_text(app.query_one(RunList).table)[1][1] == "champion"
        await pilot.press("n", *"looks good", "ctrl+s")
        await settle(app, pilot)
        assert client.get_run(run_id).data.tags["mlflow.note.content"] == "looks good"
        await pilot.press("T")
        await pilot.pause()
        option_list = app.screen.query_one("OptionList")
        labels = [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]
        await highlight_option(
            pilot, option_list, next(i for i, label in enumerate(labels) if label.startswith("stage"))
        )
        await pilot.press("enter")
        await settle(app, pilot)
        assert "stage" not in client.get_run(run_id).data.tags


async def test_delete_asks_and_undo_restores(small_store):
    app = await open_app(small_store)
    client: MlflowClient = small_store["client"]
    run_id = small_store["run_id"]
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "triage")
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("n")
        await settle(app, pilot)
        assert client.get_run(run_id).info.lifecycle_stage == "active", "saying no deletes nothing"
        await pilot.press("x", "y")
        await settle(app, pilot)
        assert client.get_run(run_id).info.lifecycle_stage == "deleted"
        assert app.query_one(RunList).table.row_count == 0
        await pilot.press("u")
        await settle(app, pilot)
        assert client.get_run(run_id).info.lifecycle_stage == "active"
        assert app.query_one(RunList).table.row_count == 1


async def test_read_only_refuses_every_write(small_store):
    app = await open_app(small_store, read_only=True)
    client: MlflowClient = small_store["client"]
    run_id = small_store["run_id"]
    before = client.get_run(run_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "triage")
        for key in ("t", "T", "r", "n", "x", "u"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.screen_stack[0], f"{key} opened a dialog in read-only mode"
        await settle(app, pilot)
        assert "READ-ONLY" in str(app.query_one("#status").render())
    after = client.get_run(run_id)
    assert after.data.tags == before.data.tags and after.info.lifecycle_stage == "active"


# -- writes act on what the user sees --------------------------------------------------------

CLASSIFIER = "/Users/ana/churn/classifier"
INVOCATION = "71f3f3199ea5e1f0"


@pytest.fixture
def demo_like(tmp_path):
    """The demo's shape: classifier runs, and one invocation spanning two harness experiments."""
    client = new_client(tmp_path)
    classifier = make_experiment(client, tmp_path, CLASSIFIER)
    ids = {}
    for i, name in enumerate(("logreg-baseline", "logreg-tuned", "random-forest")):
        ids[name] = log_run(client, classifier, name, {"accuracy": 0.8 + i / 100}, start_time=1_000 + i)
    for task in ("mmlu", "gsm8k"):
        exp = make_experiment(client, tmp_path, f"eval-harness/{task}")
        ids[task] = log_run(
            client,
            exp,
            "llama-3.1-8b-instruct",
            {f"{task}_accuracy": 0.7},
            {"invocation_id": INVOCATION},
            {"invocation_id": INVOCATION},
        )
    return {"uri": f"sqlite:///{tmp_path}/mlflow.db", "ids": ids}


def stages(uri: str, ids: dict[str, str]) -> dict[str, str]:
    """Each run's lifecycle stage, read back with a fresh client."""
    client = MlflowClient(uri)
    return {name: client.get_run(run_id).info.lifecycle_stage for name, run_id in ids.items()}


async def tick_the_invocation_then_open_the_classifier(app, pilot) -> RunList:
    """`:` the invocation id, tick both runs, then open the classifier experiment with Ctrl+P."""
    await settle(app, pilot)
    await pilot.press("colon", *INVOCATION, "enter")
    await settle(app, pilot)
    runs = app.query_one(RunList)
    assert sorted(names_in(runs)) == ["llama-3.1-8b-instruct", "llama-3.1-8b-instruct"]
    await pilot.press("space", "down", "space")
    await pilot.pause()
    assert len(runs.ticked) == 2
    assert app.query_one(StatusBar).ticks == "2 ticked"
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"open experiment classifier")
    await pilot.pause(0.5)
    await pilot.press("enter")
    await settle(app, pilot)
    assert sorted(names_in(runs)) == ["logreg-baseline", "logreg-tuned", "random-forest"]
    assert app.query_one(StatusBar).ticks == "2 ticked · 2 in other experiments"
    await cursor_to_key(pilot, runs.table, runs_by_name(runs)["random-forest"])
    return runs


def names_in(runs: RunList) -> list[str]:
    return [row[1].strip() for row in table_text(runs.table)[1:]]


def runs_by_name(runs: RunList) -> dict[str, str]:
    return {run.name: run.run_id for run in runs.runs.values()}


def dialog_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, ConfirmScreen), screen
    return "\n".join(str(label.render()) for label in screen.query("Label, #confirm-names"))


async def test_delete_after_ticks_elsewhere_names_and_deletes_only_the_highlighted_run(demo_like):
    """The issue's scenario: ticks in other experiments are never a silent target of `x`."""
    app = MltuiApp(Store(demo_like["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await tick_the_invocation_then_open_the_classifier(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        text = dialog_text(app)
        assert "random-forest" in text and f"({CLASSIFIER})" in text
        assert "llama" not in text and "mmlu" not in text, text
        await pilot.press("y")
        await settle(app, pilot)
    after = stages(demo_like["uri"], demo_like["ids"])
    assert after.pop("random-forest") == "deleted"
    assert set(after.values()) == {"active"}, after


async def test_ticked_runs_are_deleted_only_when_chosen_and_named_with_their_experiments(demo_like):
    app = MltuiApp(Store(demo_like["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        runs = await tick_the_invocation_then_open_the_classifier(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        assert "The 2 ticked runs instead" in str(app.screen.query_one("#other", Button).label)
        await pilot.press("a")
        await pilot.pause()
        text = dialog_text(app)
        assert "Delete 2 ticked runs?" in text and "2 of them are not in the list shown" in text
        assert "(eval-harness/mmlu)" in text and "(eval-harness/gsm8k)" in text
        assert "random-forest" not in text
        await pilot.press("n")
        await settle(app, pilot)
        assert set(stages(demo_like["uri"], demo_like["ids"]).values()) == {"active"}, "no deletes nothing"
        await pilot.press("x", "a", "y")
        await settle(app, pilot)
        assert not runs.ticked
        assert app.query_one(StatusBar).ticks == ""
    after = stages(demo_like["uri"], demo_like["ids"])
    assert (after["mmlu"], after["gsm8k"]) == ("deleted", "deleted")
    assert {after[name] for name in ("logreg-baseline", "logreg-tuned", "random-forest")} == {"active"}


async def test_tag_and_rename_act_on_the_highlighted_run_despite_ticks(demo_like):
    app = MltuiApp(Store(demo_like["uri"]), config=Config())
    client = MlflowClient(demo_like["uri"])
    ids = demo_like["ids"]
    async with app.run_test(size=(160, 48)) as pilot:
        await tick_the_invocation_then_open_the_classifier(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        assert "random-forest" in str(app.screen.query_one(Label).render())
        assert f"({CLASSIFIER})" in str(app.screen.query_one(Label).render())
        await pilot.press(*"reviewed=yes", "enter")
        await settle(app, pilot)
        await pilot.press("r", "ctrl+a", "ctrl+k", *"forest-2", "enter")
        await settle(app, pilot)
    assert client.get_run(ids["random-forest"]).data.tags.get("reviewed") == "yes"
    assert client.get_run(ids["random-forest"]).info.run_name == "forest-2"
    for task in ("mmlu", "gsm8k"):
        run = client.get_run(ids[task])
        assert "reviewed" not in run.data.tags and run.info.run_name == "llama-3.1-8b-instruct"


async def test_a_tag_without_equals_is_refused_with_a_hint_and_writes_nothing(demo_like):
    app = MltuiApp(Store(demo_like["uri"]), config=Config())
    client = MlflowClient(demo_like["uri"])
    before = client.get_run(demo_like["ids"]["random-forest"]).data.tags
    async with app.run_test(size=(160, 48)) as pilot:
        await tick_the_invocation_then_open_the_classifier(app, pilot)
        await pilot.press("t", *"reviewed", "enter")
        await settle(app, pilot)
        assert app.screen is app.screen_stack[0], "the prompt closed"
        assert [n.message for n in app._notifications][-1:] == ["Write the tag as key=value."]
    assert client.get_run(demo_like["ids"]["random-forest"]).data.tags == before


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
async def test_no_run_selected_never_breaks_mid_word(small_store, size):
    app = await open_app(small_store)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        words = {word for line in lines for word in line.replace("│", " ").split()}
        # The first screen may already highlight a run (the newest experiment opens): the message
        # then shows only where nothing is highlighted; wherever it shows, its words are whole.
        assert not {"select", "sel", "ed", "ected", "lected", "elected"} & words, "\n".join(lines)
