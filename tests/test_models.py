"""Models: the registry in the tree, versions in the run-list pane, jumps to runs, ticks, alias writes.

Every test runs on a real SQLite store; the main flow runs again through a
real `mlflow server` on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import cell_texts, focus_by_tab, log_run, make_experiment, new_client, press_until, row_for, settle
from mlflow import MlflowClient

from mltui.app import MltuiApp
from mltui.config import Config
from mltui.models import ReadOnlyError, StoreError
from mltui.modelview import model_label
from mltui.store import Store
from mltui.widgets.diff_view import DiffView
from mltui.widgets.experiment_tree import ExperimentTree
from mltui.widgets.model_versions import ModelVersions
from mltui.widgets.models_tree import ModelEntry, ModelsHeading, ModelsNote
from mltui.widgets.run_detail import RunDetailView
from mltui.widgets.run_list import RunList
from mltui.widgets.status_bar import StatusBar
from mltui.widgets.virtual_table import VirtualTable

ACCURACIES = (0.80, 0.85, 0.92)


def seed_registry(client, experiment_id: str, model: str) -> list[str]:
    """Three runs, three versions of `model` (v1..v3), @champion on v2 and @challenger on v3."""
    run_ids = [
        log_run(client, experiment_id, f"train-{i + 1}", {"accuracy": acc, "loss": 1 - acc}, {"C": str(i + 1)})
        for i, acc in enumerate(ACCURACIES)
    ]
    client.create_registered_model(model, description="churn model")
    for i, run_id in enumerate(run_ids):
        client.create_model_version(model, source=f"runs:/{run_id}/model", run_id=run_id, description=f"try {i + 1}")
    client.set_registered_model_alias(model, "champion", "2")
    client.set_registered_model_alias(model, "challenger", "3")
    return run_ids


@pytest.fixture(scope="module")
def registry_template(tmp_path_factory):
    """Built once (a new SQLite store costs seconds); each test writes to a copy of its database."""
    root = tmp_path_factory.mktemp("registry")
    client = new_client(root)
    exp = make_experiment(client, root, "churn")
    run_ids = seed_registry(client, exp, "churn-classifier")
    client.create_registered_model("fraud-detector")
    logged = client.create_logged_model(exp, name="churn-xgb", source_run_id=run_ids[2], model_type="xgboost")
    client.log_metric(run_ids[2], "val_auc", 0.97, model_id=logged.model_id)
    return {
        "db": root / "mlflow.db",
        "experiment": "churn",
        "model": "churn-classifier",
        "runs": run_ids,
        "exp_id": exp,
    }


@pytest.fixture
def registry_store(registry_template, tmp_path):
    shutil.copyfile(registry_template["db"], tmp_path / "mlflow.db")
    return {**registry_template, "uri": f"sqlite:///{tmp_path}/mlflow.db"}


@pytest.fixture
def server_registry(mlflow_server):
    """A fresh experiment and model on the session's server (names unique: tests share that server)."""
    client = MlflowClient(mlflow_server["uri"])
    suffix = uuid.uuid4().hex[:6]
    experiment, model = f"rest-churn-{suffix}", f"rest-churn-classifier-{suffix}"
    exp = client.create_experiment(experiment)
    run_ids = seed_registry(client, exp, model)
    return {"uri": mlflow_server["uri"], "experiment": experiment, "model": model, "runs": run_ids, "exp_id": exp}


@pytest.fixture(params=["sqlite", "server"])
def any_registry(request):
    return request.getfixturevalue("registry_store" if request.param == "sqlite" else "server_registry")


# -- moving as a user does -----------------------------------------------------------


def tree_lines(tree: ExperimentTree) -> list[str]:
    lines = []
    for index in range(tree.last_line + 1):
        node = tree.get_node_at_line(index)
        if node is not None:
            lines.append(str(node.label))
    return lines


async def cursor_to_node(pilot, tree: ExperimentTree, wanted) -> None:
    def reached() -> bool:
        return tree.cursor_node is not None and wanted(tree.cursor_node.data)

    await press_until(pilot, reached, lambda: tree.cursor_line, ("down", "up"))


async def open_models_section(app, pilot) -> ExperimentTree:
    await settle(app, pilot)
    tree = app.query_one(ExperimentTree)
    await focus_by_tab(pilot, app, tree)
    await cursor_to_node(pilot, tree, lambda data: isinstance(data, ModelsHeading))
    if not tree.cursor_node.is_expanded:
        await pilot.press("enter")
        await settle(app, pilot)
    return tree


async def open_model(app, pilot, name: str) -> ModelVersions:
    tree = await open_models_section(app, pilot)
    await cursor_to_node(pilot, tree, lambda data: isinstance(data, ModelEntry) and data.model.name == name)
    await pilot.press("enter")
    await settle(app, pilot)
    versions = app.query_one(ModelVersions)
    assert versions.display and app.focused is versions.table
    return versions


def version_row(versions: ModelVersions, label: str) -> list[str]:
    for row in cell_texts(versions.table):
        if row[1] == label:
            return row
    raise AssertionError(f"no version {label} in {cell_texts(versions.table)}")


async def cursor_to_version(pilot, versions: ModelVersions, label: str) -> None:
    table = versions.table
    index = [row[1] for row in cell_texts(table)].index(label)
    await press_until(pilot, lambda: table.cursor_row == index, lambda: table.cursor_row, ("down", "up"))


# -- the store's registry methods ----------------------------------------------------


async def test_store_lists_models_with_filter_and_pages(registry_store):
    store = Store(registry_store["uri"])
    models, token = await store.search_registered_models()
    assert sorted(m.name for m in models) == ["churn-classifier", "fraud-detector"] and token is None
    churn = next(m for m in models if m.name == "churn-classifier")
    assert churn.latest_version == 3 and churn.aliases == {"champion": 2, "challenger": 3}
    assert model_label(churn) == "churn-classifier  v3  @challenger @champion"
    models, _ = await store.search_registered_models("name LIKE '%churn%'")
    assert [m.name for m in models] == ["churn-classifier"]
    first, token = await store.search_registered_models(max_results=1)
    assert len(first) == 1 and token
    second, token = await store.search_registered_models(page_token=token, max_results=1)
    assert {first[0].name, second[0].name} == {"churn-classifier", "fraud-detector"}
    with pytest.raises(StoreError) as bad:
        await store.search_registered_models("nonsense ~~ 'x'")
    assert "\n" not in str(bad.value)


async def test_store_versions_carry_aliases_and_runs(registry_store):
    store = Store(registry_store["uri"])
    versions = await store.model_versions("churn-classifier")
    assert [(v.version, v.aliases, v.run_name) for v in versions] == [
        (3, ["challenger"], "train-3"),
        (2, ["champion"], "train-2"),
        (1, [], "train-1"),
    ]
    assert versions[0].run_id == registry_store["runs"][2] and versions[0].experiment_id == registry_store["exp_id"]
    logged = await store.search_logged_models([registry_store["exp_id"]])
    assert [(m.name, m.metrics, m.run_name) for m in logged] == [("churn-xgb", {"val_auc": 0.97}, "train-3")]


async def test_store_writes_and_read_only(registry_store):
    store = Store(registry_store["uri"])
    await store.set_model_alias("churn-classifier", "staging", 1)
    await store.set_model_version_tag("churn-classifier", 1, "validated", "yes")
    await store.update_model_version_description("churn-classifier", 1, "first try")
    await store.delete_model_alias("churn-classifier", "challenger")
    fresh = MlflowClient(registry_store["uri"])
    assert str(fresh.get_model_version_by_alias("churn-classifier", "staging").version) == "1"
    version = fresh.get_model_version("churn-classifier", "1")
    assert version.tags == {"validated": "yes"} and version.description == "first try"
    assert "challenger" not in fresh.get_registered_model("churn-classifier").aliases
    locked = Store(registry_store["uri"], read_only=True)
    with pytest.raises(ReadOnlyError):
        await locked.set_model_alias("churn-classifier", "champion", 1)
    assert str(fresh.get_model_version_by_alias("churn-classifier", "champion").version) == "2"


class _NoRegistry(BaseHTTPRequestHandler):
    """A tracking server without the registry API: experiments answer, registry endpoints 404."""

    def _answer(self) -> None:
        found = "/experiments/search" in self.path
        body = {"experiments": []} if found else {"error_code": "ENDPOINT_NOT_FOUND", "message": "No such endpoint"}
        data = json.dumps(body).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def no_registry_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NoRegistry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_a_server_without_registry_shows_one_line(no_registry_server):
    app = MltuiApp(Store(no_registry_server), config=Config())
    async with app.run_test(size=(120, 40)) as pilot:
        tree = await open_models_section(app, pilot)
        notes = [str(n.label) for n in tree.models_section.node.children if isinstance(n.data, ModelsNote)]
        assert len(notes) == 1 and notes[0].startswith("✖ No model registry here"), notes


# -- the UI, over SQLite and over a real server ----------------------------------------


async def test_tree_versions_goto_and_diff(any_registry):
    model, runs = any_registry["model"], any_registry["runs"]
    app = MltuiApp(Store(any_registry["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        tree = await open_models_section(app, pilot)
        assert f"{model}  v3  @challenger @champion" in tree_lines(tree)
        versions = await open_model(app, pilot, model)
        assert [row[1] for row in cell_texts(versions.table)] == ["v3", "v2", "v1"]
        assert version_row(versions, "v2")[2] == "@champion"
        assert version_row(versions, "v3")[2] == "@challenger"
        assert version_row(versions, "v1")[3] == f"train-1 {runs[0][:8]}"
        await cursor_to_version(pilot, versions, "v2")
        await pilot.press("space")
        await cursor_to_version(pilot, versions, "v3")
        await pilot.press("space")
        await settle(app, pilot)
        diff = app.query_one(DiffView)
        assert row_for(diff.table, "accuracy")[2:5] == ["0.85", "0.92", "+0.07 (+8.2%)"]
        assert [c.label.split("\n")[0] for c in diff.table.columns[2:4]] == ["v2 train-2", "v3 train-3"]
        await pilot.press("enter")
        await settle(app, pilot)
        run_list = app.query_one(RunList)
        assert run_list.display and not versions.display
        assert [e.name for e in run_list.experiments] == [any_registry["experiment"]]
        assert run_list.highlighted_run().run_id == runs[2]
        assert app.focused is run_list.table


async def test_filter_in_models_section(registry_store):
    app = MltuiApp(Store(registry_store["uri"]), config=Config())
    async with app.run_test(size=(120, 40)) as pilot:
        tree = await open_models_section(app, pilot)
        assert any(line.startswith("fraud-detector") for line in tree_lines(tree))
        await pilot.press("slash", *"name LIKE '%churn%'", "enter")
        await settle(app, pilot)
        names = [m.name for m in tree.models_section.models]
        assert names == ["churn-classifier"]
        assert not any(line.startswith("fraud-detector") for line in tree_lines(tree))
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"bogus ~~ 1", "enter")
        await settle(app, pilot)
        assert [m.name for m in tree.models_section.models] == ["churn-classifier"], "a bad filter keeps the list"
        assert any(line.startswith("✖") for line in tree_lines(tree))


async def test_set_and_remove_alias_from_the_versions_list(any_registry):
    model = any_registry["model"]
    app = MltuiApp(Store(any_registry["uri"]), config=Config())
    fresh = MlflowClient(any_registry["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        versions = await open_model(app, pilot, model)
        await cursor_to_version(pilot, versions, "v1")
        await pilot.press("at", *"staging", "enter")
        await settle(app, pilot)
        assert str(fresh.get_model_version_by_alias(model, "staging").version) == "1"
        assert version_row(versions, "v1")[2] == "@staging"
        # moving @champion from v2 asks first; "n" leaves it where it was
        await pilot.press("at")
        await pilot.pause()
        await pilot.press("enter", *"champion", "enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("n")
        await settle(app, pilot)
        assert str(fresh.get_model_version_by_alias(model, "champion").version) == "2"
        # removing asks too
        await cursor_to_version(pilot, versions, "v3")
        await pilot.press("at", "down", "enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("y")
        await settle(app, pilot)
        assert "challenger" not in fresh.get_registered_model(model).aliases
        assert version_row(versions, "v3")[2] == ""
        tree = app.query_one(ExperimentTree)
        assert f"{model}  v3  @champion @staging" in tree_lines(tree)


async def test_tag_and_description(registry_store):
    app = MltuiApp(Store(registry_store["uri"]), config=Config())
    fresh = MlflowClient(registry_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        versions = await open_model(app, pilot, "churn-classifier")
        await cursor_to_version(pilot, versions, "v2")
        await pilot.press("t", *"validated=yes", "enter")
        await settle(app, pilot)
        await pilot.press("n", "end", *" - good enough", "ctrl+s")
        await settle(app, pilot)
        version = fresh.get_model_version("churn-classifier", "2")
        assert version.tags == {"validated": "yes"}
        assert version.description == "try 2 - good enough"
        assert version_row(versions, "v2")[7] == "validated=yes"


async def test_read_only_refuses_registry_writes(registry_store):
    app = MltuiApp(Store(registry_store["uri"], read_only=True), config=Config())
    fresh = MlflowClient(registry_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        versions = await open_model(app, pilot, "churn-classifier")
        await cursor_to_version(pilot, versions, "v1")
        for key in ("at", "t", "n"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.screen_stack[0], f"{key} opened a dialog in read-only mode"
        assert any("Read-only mode" in n.message for n in app._notifications)
    assert fresh.get_registered_model("churn-classifier").aliases == {"champion": 2, "challenger": 3}
    assert fresh.get_model_version("churn-classifier", "1").tags == {}


async def test_logged_models_from_the_tree(registry_store):
    app = MltuiApp(Store(registry_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        tree = await open_models_section(app, pilot)
        await cursor_to_node(pilot, tree, lambda data: type(data).__name__ == "LoggedModelsEntry")
        await pilot.press("enter")
        await settle(app, pilot)
        versions = app.query_one(ModelVersions)
        rows = cell_texts(versions.table)
        assert len(rows) == 1 and rows[0][1] == "churn-xgb"
        assert rows[0][2] == f"train-3 {registry_store['runs'][2][:8]}" and rows[0][3] == "0.97"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.query_one(RunList).highlighted_run().run_id == registry_store["runs"][2]
        assert "not in the list" not in app.query_one(StatusBar).error


async def test_logged_models_from_the_run_detail(registry_store):
    app = MltuiApp(Store(registry_store["uri"]), experiment="churn", config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        detail = app.query_one(RunDetailView)
        await focus_by_tab(pilot, app, detail.query_one(VirtualTable))
        await pilot.press("L")
        await settle(app, pilot)
        versions = app.query_one(ModelVersions)
        rows = cell_texts(versions.table)
        assert versions.display and not app.query_one(RunList).display
        assert [row[1] for row in rows] == ["churn-xgb"]


# -- pure helpers: labels, cells, quoting ----------------------------------------------


def test_labels_and_cells_render_untrusted_text_literally():
    from mltui.models import LoggedModel, ModelVersion, RegisteredModel
    from mltui.modelview import LoggedRow, VersionRow, logged_columns, row_cell

    hostile = RegisteredModel("[bold]x[/]\x1b]52;c;SGk=\x07", latest_version=7, aliases={"champion": 7, "old": 6})
    assert model_label(hostile) == "[bold]x[/]  v7  @champion @old"
    version = ModelVersion(
        "m", 7, run_id="a" * 32, description="line one\nline two", aliases=["champion"], tags={"k": "\x1b[31mred"}
    )
    row = VersionRow(version)
    assert row_cell(row, "tick", True)[0] == "☑" and row_cell(row, "tick", False)[0] == "☐"
    assert row_cell(row, "run", False) == ("(run not found) aaaaaaaa", "dim")
    assert row_cell(row, "description", False)[0] == "line one"
    assert row_cell(row, "tags", False)[0] == "k=red"
    assert row_cell(VersionRow(ModelVersion("m", 1)), "run", False)[0] == "—"
    logged = LoggedModel("m-1", "model", "1", metrics={"auc": float("nan"), "loss": float("inf")})
    columns = logged_columns([logged])
    assert columns[:5] == ["tick", "name", "run", "metric:auc", "metric:loss"]
    assert [row_cell(LoggedRow(logged), c, False)[0] for c in columns[3:5]] == ["nan", "inf"]


def test_version_filter_quotes_names():
    from mltui.store_registry import version_filter

    assert version_filter("churn") == "name='churn'"
    assert version_filter("bob's model") == 'name="bob\'s model"'
    with pytest.raises(StoreError):
        version_filter("""both ' and " """)


def test_alias_holder_and_diff_names():
    from mltui.models import ModelVersion
    from mltui.modelview import VersionRow, diff_name
    from mltui.widgets.model_edits import alias_holder

    rows = [VersionRow(ModelVersion("m", 2, aliases=["champion"])), VersionRow(ModelVersion("m", 3))]
    assert alias_holder(rows, "m", "champion").version == 2
    assert alias_holder(rows, "m", "challenger") is None
    assert alias_holder(rows, "other", "champion") is None
    assert diff_name(rows[0], "train-2", single_model=True) == "v2 train-2"
    assert diff_name(rows[0], "train-2", single_model=False) == "m v2 train-2"


async def test_models_section_pages(registry_store):
    app = MltuiApp(Store(registry_store["uri"]), config=Config())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        tree = app.query_one(ExperimentTree)
        tree.models_section.page_size = 1
        await open_models_section(app, pilot)
        assert len(tree.models_section.models) == 1
        assert "… more models (Enter)" in tree_lines(tree)
        await cursor_to_node(pilot, tree, lambda data: type(data).__name__ == "MoreModels")
        await pilot.press("enter")
        await settle(app, pilot)
        assert sorted(m.name for m in tree.models_section.models) == ["churn-classifier", "fraud-detector"]
        assert "… more models (Enter)" not in tree_lines(tree)
        await pilot.press("R")  # a reload rebuilds the tree: the section stays open and reads page one again
        await settle(app, pilot)
        assert tree.models_section.node.is_expanded and len(tree.models_section.models) == 1
        assert "… more models (Enter)" in tree_lines(tree)


async def test_going_to_a_deleted_source_run_says_so(registry_store):
    MlflowClient(registry_store["uri"]).delete_run(registry_store["runs"][0])
    app = MltuiApp(Store(registry_store["uri"]), config=Config())
    async with app.run_test(size=(120, 40)) as pilot:
        versions = await open_model(app, pilot, "churn-classifier")
        await cursor_to_version(pilot, versions, "v1")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.query_one(RunList).display
        assert (
            app.query_one(StatusBar).error
            == f"Run {registry_store['runs'][0][:8]} is not in the list (deleted, or folded away)"
        )
