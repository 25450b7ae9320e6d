"""`s` while runs are still streaming in: the two partial-load paths of the speed issue.

A database store sorts the rest by SQL (one new query, in the sorted order); a
tracking server's list is sorted where it is, with a notice, and the pages still
coming join in that order. The load is held between pages by a gate around the
real store, so the key press lands mid-load every time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from mltui.app import MltuiApp
from mltui.config import Config
from mltui.models import Run
from mltui.store import Store
from mltui.widgets.run_list import RunList
from tests.conftest import cursor_to_column, log_run, make_experiment, new_client, open_first_experiment, settle

ACCURACY = {"r1": 0.71, "r2": 0.93, "r3": 0.64, "r4": 0.88, "r5": None, "r6": 0.97}
ORDER_BY = ["metrics.`accuracy` DESC"]
SWEEP = "partial-sort-sweep"


def _log_sweep(client, exp: str) -> None:
    """Six runs started in name order, so the store's newest-first order is not the accuracy order."""
    for i, (name, accuracy) in enumerate(ACCURACY.items()):
        metrics = {"loss": 1.0 - i / 10} if accuracy is None else {"accuracy": accuracy}
        log_run(client, exp, name, metrics, start_time=1_700_000_000_000 + i * 1000)


@pytest.fixture(scope="module")
def sweep_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("partial-sort")
    client = new_client(root)
    exp = make_experiment(client, root, SWEEP)
    _log_sweep(client, exp)
    return {"uri": f"sqlite:///{root}/mlflow.db", "experiment_id": exp}


@pytest.fixture(scope="module")
def sweep_server(mlflow_server):
    """The same sweep in a real tracking server, in an experiment of its own."""
    from mlflow import MlflowClient

    client = MlflowClient(mlflow_server["uri"])
    exp = client.create_experiment(SWEEP)
    _log_sweep(client, exp)
    return {"uri": mlflow_server["uri"], "experiment_id": exp}


class GatedSource:
    """The real store as the run list sees it, in pages of two; an unsorted load stops after its first page."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.gate = asyncio.Event()
        self.queries: list[list[str] | None] = []

    async def iter_runs(
        self, experiment_ids, filter_string="", order_by=None, include_deleted=False, **_
    ) -> AsyncIterator[list[Run]]:
        self.queries.append(order_by)
        pages = self.store.iter_runs(
            experiment_ids, filter_string, order_by, include_deleted, first_page=2, page_size=2
        )
        async for page in pages:
            yield page
            if order_by is None:
                await self.gate.wait()

    async def refresh_runs(self, experiment_ids, run_ids):
        return await self.store.refresh_runs(experiment_ids, run_ids)

    async def runs_since(self, experiment_ids, since_ms, filter_string="", include_deleted=False):
        return await self.store.runs_since(experiment_ids, since_ms, filter_string, include_deleted)

    @property
    def sorts_in_sql(self) -> bool:
        return self.store.sorts_in_sql  # True on a database store; False over a server (its sort can take minutes)


def _names(runs: RunList) -> list[str]:
    return [row.run.name for row in runs.table.rows]


async def _until(pilot, reached, what: str) -> None:
    for _ in range(400):
        if reached():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def _held_after_one_page(app, pilot) -> tuple[RunList, GatedSource]:
    """Open the sweep, then reload it through a gate: two runs shown, four still to come."""
    await open_first_experiment(app, pilot, SWEEP)
    runs = app.query_one(RunList)
    assert [e.name for e in runs.experiments] == [SWEEP]
    source = runs.source = GatedSource(app.store)
    runs.table.focus()
    await pilot.press("R")
    await _until(pilot, lambda: source.queries and len(runs.table.rows) == 2 and runs.fetching, "the first page")
    assert _names(runs) == ["r6", "r5"], "newest first, as the store gives them"
    index = next(i for i, c in enumerate(runs.table.columns) if c.key == "m:accuracy")
    await cursor_to_column(pilot, runs.table, index)
    return runs, source


def _sorted_names() -> list[str]:
    present = sorted((n for n, a in ACCURACY.items() if a is not None), key=lambda n: -ACCURACY[n])
    return present + [n for n, a in ACCURACY.items() if a is None]


async def test_sort_mid_load_on_a_database_store_asks_sql_for_the_sorted_order(sweep_store):
    from mlflow import MlflowClient

    app = MltuiApp(Store(sweep_store["uri"]), config=Config())
    async with app.run_test(size=(160, 40)) as pilot:
        runs, source = await _held_after_one_page(app, pilot)
        assert source.sorts_in_sql
        await pilot.press("s")
        await settle(app, pilot)  # the held load was cancelled; the sorted one ran through
        assert source.queries == [None, ORDER_BY], "one new query, sorted by the database"
        expected = [
            r.info.run_name
            for r in MlflowClient(sweep_store["uri"]).search_runs([sweep_store["experiment_id"]], order_by=ORDER_BY)
        ]
        assert _names(runs) == expected == _sorted_names()
        assert not runs.sorted_here and not runs.fetching
        assert "sort: accuracy ↓" in str(app.query_one("#run-list-title").render())


@pytest.mark.server
async def test_sort_mid_load_over_a_server_sorts_what_is_loaded_with_a_notice(sweep_server):
    app = MltuiApp(Store(sweep_server["uri"]), config=Config())
    async with app.run_test(size=(160, 40)) as pilot:
        runs, source = await _held_after_one_page(app, pilot)
        assert not source.sorts_in_sql
        await pilot.press("s")
        await pilot.pause()
        assert _names(runs) == ["r6", "r5"], "the two loaded runs, sorted here (r5 has no accuracy: last)"
        notices = [n.message for n in app._notifications]
        assert any("Sorted the 2 runs loaded so far here" in m and "R reloads" in m for m in notices), notices
        assert source.queries == [None], "no query: a server's sort may run for minutes"
        source.gate.set()
        await settle(app, pilot)
        assert _names(runs) == _sorted_names(), "the later pages joined in the sorted order"
        assert source.queries == [None]
        await pilot.press("R")  # asked for: the whole list, sorted by the store
        await _until(pilot, lambda: len(source.queries) == 2 and not runs.fetching, "the sorted reload")
        assert source.queries == [None, ORDER_BY]
        assert _names(runs) == _sorted_names() and not runs.sorted_here
