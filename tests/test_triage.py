"""Writes happen only on an explicit key, after confirmation when destructive, never read-only."""

from __future__ import annotations

import pytest
from conftest import highlight_option, log_run, make_experiment, new_client, open_first_experiment, settle, table_text
from mlflow import MlflowClient

from mltui.app import MltuiApp
from mltui.config import Config
from mltui.store import Store
from mltui.widgets.run_list import RunList


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
