"""The speed work, checked on real stores: the SQL fast path wired into the Store and the app,
counts that never page through a server, sorting without a new query, lazy imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mltui import fastpath, sqlfast
from mltui.app import MltuiApp
from mltui.config import Config
from mltui.store import Store
from mltui.widgets.experiment_tree import ExperimentTree
from mltui.widgets.filter_bar import FilterInput
from mltui.widgets.run_list import RunList
from mltui.widgets.status_bar import StatusBar
from tests.conftest import cursor_to_column, cursor_to_experiment, open_first_experiment, settle

ROOT = Path(__file__).resolve().parent.parent


def _shown_ids(runs: RunList) -> list[str]:
    return [row.run.run_id for row in runs.table.rows]


def _mlflow_order(uri: str, experiment_id: str, filter_string: str = "") -> list[str]:
    from mlflow import MlflowClient

    return [r.info.run_id for r in MlflowClient(uri).search_runs([experiment_id], filter_string)]


async def test_app_lists_runs_through_the_fast_path_in_mlflow_order(classifier_store):
    store = Store(classifier_store["uri"])
    app = MltuiApp(store, config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "classifier")
        runs = app.query_one(RunList)
        assert store._fast_ok is True, "the experiments were read by SQL"
        assert store.last_note == ""
        assert _shown_ids(runs) == _mlflow_order(classifier_store["uri"], classifier_store["experiment_id"])
        tree = app.query_one(ExperimentTree)
        assert "2" in str(tree.cursor_node.label).split()[-1]


def test_store_first_screen_needs_no_mlflow_import(classifier_store):
    """In a fresh interpreter, on SQLite: connect, the experiments, the newest run (where the first
    screen starts) and the first rows, with mlflow never imported; its import starts after that page."""
    code = f"""
import asyncio, sys, threading
from mltui.store import Store

async def main():
    store = Store({classifier_store["uri"]!r})
    await store.connect()
    experiments = await store.experiments()
    newest = await store.latest_run([e.experiment_id for e in experiments])
    print("newest", newest.name, "mlflow" in sys.modules)
    async for page in store.iter_runs([newest.experiment_id]):
        print("rows", len(page), "mlflow" in sys.modules)
    print("importing", any(t.name == "mltui-import-mlflow" for t in threading.enumerate()) or "mlflow" in sys.modules)

asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.split("\n")[:3] == ["newest logreg-b False", "rows 2 False", "importing True"], (
        out.stdout + out.stderr
    )


async def test_untranslatable_filter_goes_through_mlflow_with_a_note(classifier_store):
    store = Store(classifier_store["uri"])
    app = MltuiApp(store, config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "classifier")
        runs = app.query_one(RunList)
        await pilot.press("slash")
        app.query_one(FilterInput).value = "datasets.name = 'train'"
        await pilot.press("enter")
        await settle(app, pilot)
        assert runs.filter_string == "datasets.name = 'train'", "MLflow accepted the filter"
        assert _shown_ids(runs) == []
        status = app.query_one(StatusBar)
        assert not status.error
        assert "read through MLflow" in status.activity and "datasets" in status.activity
        await pilot.press("slash")
        app.query_one(FilterInput).value = "metrics.accuracy > 0.9"
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(_shown_ids(runs)) == 1
        assert "read through MLflow" not in status.activity, "a translatable filter is back on SQL"


async def test_unknown_schema_revision_falls_back_with_a_note(classifier_store, monkeypatch):
    monkeypatch.setattr(sqlfast, "KNOWN_REVISIONS", frozenset({"not-this-one"}))
    store = Store(classifier_store["uri"])
    app = MltuiApp(store, config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "classifier")
        runs = app.query_one(RunList)
        assert store._fast_ok is False
        assert _shown_ids(runs) == _mlflow_order(classifier_store["uri"], classifier_store["experiment_id"])
        assert "schema revision" in app.query_one(StatusBar).activity


async def test_sqlite_counts_are_exact(classifier_store):
    store = Store(classifier_store["uri"])
    await store.connect()
    counts = await store.run_counts([classifier_store["experiment_id"], "0"])
    assert counts == {classifier_store["experiment_id"]: 2, "0": 0}
    assert not any(c.at_least for c in counts.values())


@pytest.mark.server
async def test_rest_counts_read_one_page_and_say_at_least(mlflow_server, monkeypatch):
    from mlflow import MlflowClient

    client = MlflowClient(mlflow_server["uri"])
    exp = client.create_experiment("counted-by-one-page")
    for name in ("a", "b", "c"):
        client.create_run(exp, run_name=name)
    store = Store(mlflow_server["uri"])
    assert (await store.run_counts([exp]))[exp] == 3
    monkeypatch.setattr(fastpath, "REST_COUNT_PAGE", 2)
    count = (await store.run_counts([exp]))[exp]
    assert (int(count), count.at_least, str(count)) == (2, True, "2+")


class CountingSource:
    """The store as the run list sees it, counting the run queries it is asked for."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.queries: list[list[str] | None] = []

    def iter_runs(self, experiment_ids, filter_string="", order_by=None, include_deleted=False, **kwargs):
        self.queries.append(order_by)
        return self.store.iter_runs(experiment_ids, filter_string, order_by, include_deleted, **kwargs)

    async def refresh_runs(self, experiment_ids, run_ids):
        return await self.store.refresh_runs(experiment_ids, run_ids)

    @property
    def sorts_in_sql(self) -> bool:
        return self.store.sorts_in_sql


def _names(runs: RunList) -> list[str]:
    return [row.run.name for row in runs.table.rows]


async def test_sort_after_a_full_load_queries_nothing_and_puts_missing_values_last(classifier_store):
    store = Store(classifier_store["uri"])
    app = MltuiApp(store, config=Config())
    async with app.run_test(size=(200, 48)) as pilot:
        await open_first_experiment(app, pilot, "classifier")
        runs = app.query_one(RunList)
        source = runs.source = CountingSource(store)
        table = runs.table
        for column in ("m:auc", "m:accuracy"):
            index = next(i for i, c in enumerate(table.columns) if c.key == column)
            await cursor_to_column(pilot, table, index)
            await pilot.press("s")  # descending
            await settle(app, pilot)
            descending = _names(runs)
            await pilot.press("s")  # ascending
            await settle(app, pilot)
            ascending = _names(runs)
            if column == "m:auc":  # only logreg-b logged auc: the run without it is last both ways
                assert descending == ascending == ["logreg-b", "logreg-a"]
            else:
                assert (descending, ascending) == (["logreg-b", "logreg-a"], ["logreg-a", "logreg-b"])
            assert "sort:" in str(app.query_one("#run-list-title").render())
        assert source.queries == [], "sorting loaded runs asked the store for nothing"
        await pilot.press("s")  # unsorted: back to the order the store gave
        await settle(app, pilot)
        assert _shown_ids(runs) == _mlflow_order(classifier_store["uri"], classifier_store["experiment_id"])
        assert source.queries == []


@pytest.mark.server
async def test_remote_log_tail_is_fetched_by_range(mlflow_server, tmp_path, monkeypatch):
    from mlflow import MlflowClient

    client = MlflowClient(mlflow_server["uri"])
    run = client.create_run(client.create_experiment("tail-by-range"))
    log = tmp_path / "train.log"
    lines = b"".join(b"step %07d loss 0.5\n" % i for i in range(5 * 1024 * 1024 // 20 + 1))
    log.write_bytes(lines)
    client.log_artifact(run.info.run_id, str(log))
    seen = []
    keep_tail = fastpath.keep_tail

    def recording(response, max_bytes):
        seen.append((response.status_code, int(response.headers.get("Content-Length", -1))))
        return keep_tail(response, max_bytes)

    monkeypatch.setattr("mltui.store.fastpath.keep_tail", recording)
    store = Store(mlflow_server["uri"])
    tail = await store.read_artifact_tail(run.info.run_id, "train.log", 1 << 20)
    assert len(lines) > 5 * (1 << 20)
    assert tail == lines[-(1 << 20) :]
    assert seen == [(206, 1 << 20)], "only the last MiB crossed the wire"
    assert not list(Path(mlflow_server["root"]).glob("**/mltui-*")), "nothing written whole to disk"


def test_keep_tail_streams_a_server_that_ignores_range():
    body = bytes(i % 251 for i in range(3000))

    class Whole:  # the shape of a `requests` answer of 200: the whole body, in chunks
        status_code = 200

        def iter_content(self, chunk_size):
            for i in range(0, len(body), 7):
                yield body[i : i + 7]

    assert fastpath.keep_tail(Whole(), 50) == body[-50:]
    assert fastpath.keep_tail(Whole(), 5000) == body


def test_importing_the_app_loads_nothing_heavy():
    """In a fresh interpreter: the first frame waits for none of pandas, numpy, mlflow, SQLAlchemy, ..."""
    heavy = ["pandas", "numpy", "mlflow", "sqlalchemy", "pyarrow", "plotext", "textual_plotext", "PIL"]
    code = (
        "import sys, mltui.app;"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules),"
        " sorted(m for m in sys.modules if m.startswith('textual_image.') and m != 'textual_image._terminal'"
        " and not m.startswith('textual_image._posix')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[] []", out.stdout + out.stderr


@pytest.mark.server
async def test_leaving_a_load_stops_its_requests(mlflow_server, monkeypatch):
    """Opening another experiment mid-load cancels the old load: it sends no page after the one in flight.

    The server is slowed (0.3 s a page) for the first experiment only; its runs
    come two a page, so a load left running would send six requests.
    """
    import time

    from mlflow import MlflowClient
    from mlflow.utils import rest_utils

    client = MlflowClient(mlflow_server["uri"])
    slow = client.create_experiment("cancelled-midway")
    other = client.create_experiment("opened-instead")
    for i in range(12):
        client.create_run(slow, run_name=f"slow-{i:02d}")
    client.create_run(other, run_name="the-other-run")
    pages: list[float] = []
    real = rest_utils.http_request

    def observed(*args, **kwargs):
        body = kwargs.get("json") or {}
        is_page = str(kwargs.get("endpoint", "")).endswith("/runs/search") and body.get("max_results") == 2
        if is_page and slow in body.get("experiment_ids", []):
            pages.append(time.monotonic())
            time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(rest_utils, "http_request", observed)
    app = MltuiApp(Store(mlflow_server["uri"], page_sizes=(2, 2)), experiment="cancelled-midway", config=Config())
    async with app.run_test(size=(160, 40)) as pilot:
        runs = app.query_one(RunList)
        for _ in range(300):
            if runs.table.rows:
                break
            await pilot.pause(0.02)
        assert [row.run.name for row in runs.table.rows][:1] == ["slow-11"], "the first page is shown"
        tree = app.query_one(ExperimentTree)
        tree.focus()
        await pilot.pause()
        await cursor_to_experiment(pilot, tree, "opened-instead")
        await pilot.press("enter")
        left = time.monotonic()
        await pilot.pause(2.0)  # a load left running would send four more pages by now
        assert [row.run.name for row in runs.table.rows] == ["the-other-run"]
        assert len(pages) <= 3, f"{len(pages)} page requests for the experiment left"
        assert not [t for t in pages if t > left + 0.05], "no request started after the user moved on"
