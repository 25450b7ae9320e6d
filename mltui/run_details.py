"""One run in full, read through an MlflowClient: step counts, datasets, parent and children.

Called by `Store.run_detail` in its worker thread with the live client; it
never imports mlflow itself (the objects it reads are duck-typed), so the store
stays the only module that does. Step counts come from one SQL query on a
SQLite store, else from metric histories when a run has few metrics: a REST
store would otherwise need one request per metric.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mltui.models import PARENT_TAG, DatasetInput, Run, RunDetail, RunRef

STEP_COUNT_CAP = 50  # metrics whose histories are fetched to count steps, where SQL cannot count them
CHILDREN_CAP = 200
CONTEXT_TAG = "mlflow.data.context"


def fetch_run_detail(client: Any, run_id: str, sqlite_db: Path | None, to_run: Callable[[Any], Run]) -> RunDetail:
    """Everything the detail view shows of `run_id` (blocking: call it from a thread).

    `to_run` is the store's conversion of an mlflow Run into plain data.
    """
    raw = client.get_run(run_id)
    run = to_run(raw)
    detail = RunDetail(run, step_counts(client, run, sqlite_db), datasets(raw))
    if run.parent_id:
        detail.parent = run_ref(client, run.parent_id)
    if "'" not in run_id and "\\" not in run_id:  # ids are hex; anything else is not put in a filter
        found = client.search_runs(
            [run.experiment_id],
            filter_string=f"tags.{PARENT_TAG} = '{run_id}'",
            max_results=CHILDREN_CAP + 1,
            order_by=["attributes.start_time ASC"],
        )
        detail.children = [RunRef(r.info.run_id, r.info.run_name or r.info.run_id[:8]) for r in found]
        detail.more_children = len(detail.children) > CHILDREN_CAP
        del detail.children[CHILDREN_CAP:]
    return detail


def step_counts(client: Any, run: Run, sqlite_db: Path | None) -> dict[str, int | None]:
    """Logged steps per metric: one SQL query on SQLite, else a history per metric when there are few."""
    if sqlite_db is not None:
        with contextlib.suppress(sqlite3.Error):
            counts = sqlite_step_counts(sqlite_db, run.run_id)
            return {key: counts.get(key) for key in run.metrics}
    if len(run.metrics) > STEP_COUNT_CAP:
        return dict.fromkeys(run.metrics)
    return {key: len({m.step for m in client.get_metric_history(run.run_id, key)}) for key in run.metrics}


def sqlite_step_counts(db: Path, run_id: str) -> dict[str, int]:
    """Distinct logged steps per metric of one run, straight from MLflow's SQLite schema."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT key, COUNT(DISTINCT step) FROM metrics WHERE run_uuid = ? GROUP BY key", (run_id,)
        ).fetchall()
    finally:
        con.close()
    return {str(key): int(count) for key, count in rows}


def datasets(run: Any) -> list[DatasetInput]:
    """The dataset inputs of an `mlflow.entities.Run`, as plain data."""
    inputs = getattr(run, "inputs", None)
    found = []
    for item in getattr(inputs, "dataset_inputs", None) or []:
        data = item.dataset
        context = next((tag.value for tag in item.tags or [] if tag.key == CONTEXT_TAG), "")
        found.append(
            DatasetInput(data.name or "", data.digest or "", data.source_type or "", context or "", data.source or "")
        )
    return found


def run_ref(client: Any, run_id: str) -> RunRef:
    """A run's id and name; the name stays empty when the run cannot be read (deleted, elsewhere)."""
    try:
        return RunRef(run_id, client.get_run(run_id).info.run_name or "")
    except Exception:  # noqa: BLE001 - any failure to read the parent leaves just its id
        return RunRef(run_id, "")
