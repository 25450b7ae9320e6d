"""End to end against an MLflow tracking server backed by PostgreSQL (issue 15).

1,000 runs logged through MlflowClient over REST, then the real app: tree counts,
the run list, a filter, a sort, a diff, an artifact preview, a tag written and read
back, and `mltui diff` in a subprocess. Driven by keys; asserted on screen text.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from servers import MlflowServer, patient_requests, say
from ui_text import focus_pane, maximized, open_experiment, screen_text, wait_for_text, wait_until

from mltui.app import MltuiApp
from mltui.store import Store

pytest_plugins = ("servers",)
pytestmark = [pytest.mark.server, pytest.mark.timeout(900)]

BULK_EXPERIMENT = "sweep-1k"
BULK_RUNS = 1_000
BEST_RUN = "sweep-0000-best"  # the oldest run, so only a sort brings it to the top
PAIR_EXPERIMENT = "classifier"
PAIR = {
    "logreg-a": {"accuracy": 0.85, "precision": 0.88, "recall": 0.82, "f1_score": 0.85},
    "logreg-b": {"accuracy": 0.92, "precision": 0.91, "recall": 0.93, "f1_score": 0.92},
}
ARTIFACT = "summary.txt"
ARTIFACT_TEXT = "churn classifier summary: holdout accuracy 0.85\n"
BASE_MS = 1_748_854_800_000
REPO = Path(__file__).resolve().parent.parent


def bulk_values(index: int, rng: random.Random) -> tuple[dict[str, float], dict[str, str]]:
    accuracy = 0.999 if index == 0 else round(rng.uniform(0.5, 0.98), 4)
    metrics = {
        "accuracy": accuracy,
        "loss": round(1 - accuracy + rng.uniform(0, 0.05), 4),
        "f1": round(accuracy - 0.01, 4),
    }
    params = {
        "lr": str(rng.choice([0.1, 0.01, 0.001])),
        "batch_size": str(rng.choice([32, 64, 128])),
        "seed": str(index),
    }
    return metrics, params


def log_bulk(client, experiment_id: str) -> dict[str, float]:
    """Log BULK_RUNS runs: create_run + log_batch each, eight at a time; return accuracy by name."""
    from mlflow.entities import Metric, Param

    rng = random.Random(15)
    plans = [(i, *bulk_values(i, rng)) for i in range(BULK_RUNS)]

    def log_one(plan: tuple[int, dict[str, float], dict[str, str]]) -> tuple[str, float]:
        index, metrics, params = plan
        name = BEST_RUN if index == 0 else f"sweep-{index:04d}"
        start = BASE_MS + index * 60_000
        run = client.create_run(experiment_id, run_name=name, start_time=start, tags={"team": "churn"})
        client.log_batch(
            run.info.run_id,
            metrics=[Metric(k, v, start, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
        )
        return name, metrics["accuracy"]

    with ThreadPoolExecutor(8) as pool:
        return dict(pool.map(log_one, plans))


@pytest.fixture(scope="module")
def pg_store(postgres_mlflow_server: MlflowServer, pytestconfig) -> dict:
    """The PostgreSQL-backed server, filled: a 1,000-run experiment and the classifier pair."""
    from mlflow import MlflowClient

    logging.getLogger("mlflow").setLevel(logging.ERROR)  # no "View run at" line per run
    client = MlflowClient(postgres_mlflow_server.uri)
    started = time.monotonic()
    with patient_requests():
        accuracy = log_bulk(client, client.create_experiment(BULK_EXPERIMENT))
        bulk_seconds = time.monotonic() - started
        pair_exp = client.create_experiment(PAIR_EXPERIMENT)
        ids = {}
        for offset, (name, metrics) in enumerate(PAIR.items()):
            run = client.create_run(pair_exp, run_name=name, start_time=BASE_MS + offset * 60_000)
            client.log_batch(run.info.run_id, metrics=[_metric(k, v) for k, v in metrics.items()])
            client.set_terminated(run.info.run_id)
            ids[name] = run.info.run_id
        client.log_text(ids["logreg-a"], ARTIFACT_TEXT, ARTIFACT)
    say(
        pytestconfig,
        f"postgres smoke: logged {BULK_RUNS:,} runs in {bulk_seconds:.1f} s, setup {time.monotonic() - started:.1f} s",
    )
    return {"uri": postgres_mlflow_server.uri, "ids": ids, "accuracy": accuracy, "bulk_seconds": bulk_seconds}


def _metric(key: str, value: float):
    from mlflow.entities import Metric

    return Metric(key, value, BASE_MS, 0)


def test_server_holds_every_run(pg_store):
    """What was logged over REST is in PostgreSQL, read back by a fresh client."""
    from mlflow import MlflowClient

    client = MlflowClient(pg_store["uri"])
    experiment = client.get_experiment_by_name(BULK_EXPERIMENT)
    runs = client.search_runs([experiment.experiment_id], max_results=5000)
    assert len(runs) == BULK_RUNS
    best = client.search_runs([experiment.experiment_id], order_by=["metrics.accuracy DESC"], max_results=1)
    assert best[0].info.run_name == BEST_RUN


async def test_app_against_postgres_server(pg_store):
    expected_filtered = sum(1 for value in pg_store["accuracy"].values() if value > 0.9)
    assert 0 < expected_filtered < BULK_RUNS
    app = MltuiApp(Store(pg_store["uri"]))
    async with app.run_test(size=(160, 48)) as pilot:
        # The tree: both experiments, the big one with its run count.
        await wait_until(pilot, lambda t: f"{BULK_EXPERIMENT}  {BULK_RUNS:,}" in t, what="the run count in the tree")
        assert PAIR_EXPERIMENT in screen_text(app)

        # The run list: all 1,000 runs load; the oldest (best) one is not on screen yet.
        await open_experiment(pilot, BULK_EXPERIMENT, "sweep-0999")
        text = await wait_until(pilot, lambda t: f"{BULK_RUNS:,} runs" in t and "loading" not in t, what="all runs")
        assert BEST_RUN not in text

        # A filter narrows the list.
        await pilot.press("slash", *"metrics.accuracy > 0.9", "enter")
        await wait_for_text(pilot, f"{expected_filtered:,} runs")
        await pilot.press("slash", "ctrl+u", "enter")
        await wait_for_text(pilot, f"{BULK_RUNS:,} runs")

        # A sort on accuracy (walk the columns right until `s` sorts by it) brings the best run up.
        for _ in range(12):
            await pilot.press("right", "s")
            if "sort: accuracy" in screen_text(app):
                break
        else:
            raise AssertionError(f"no column sorted by accuracy:\n{screen_text(app)}")
        await pilot.press("home")  # the loaded rows sort in place, the cursor stays on its run: go to the top
        await wait_for_text(pilot, BEST_RUN)

        # The classifier pair: tick both, baseline on logreg-a, the diff (maximized: `z`) shows +0.07.
        await open_experiment(pilot, PAIR_EXPERIMENT, "logreg-a")
        await focus_pane(pilot, "Runs")
        await pilot.press("home", "space", "down", "space")
        assert "-0.07" in await maximized(pilot, "Diff", "accuracy")  # the first ticked (newest) is the baseline
        await focus_pane(pilot, "Runs")
        await pilot.press("b")  # the cursor is on logreg-a: make it the baseline
        assert "+0.07" in await maximized(pilot, "Diff", "Baseline logreg-a")

        # The artifact of the highlighted run (logreg-a): listed, then previewed.
        await focus_pane(pilot, "Artifacts")
        await wait_for_text(pilot, ARTIFACT)
        await pilot.press("down", "enter")
        await maximized(pilot, "Artifacts", ARTIFACT_TEXT.strip())

        # A triage write, read back by a fresh client.
        await focus_pane(pilot, "Runs")
        await pilot.press("t", *"reviewed=yes", "enter")
        await wait_until(pilot, lambda t: re.search(r"reviewed +yes", t) is not None, what="the new tag in the diff")
    from mlflow import MlflowClient

    run = MlflowClient(pg_store["uri"]).get_run(pg_store["ids"]["logreg-a"])
    assert run.data.tags.get("reviewed") == "yes"


def test_cli_diff_against_postgres_server(pg_store):
    a, b = pg_store["ids"]["logreg-a"], pg_store["ids"]["logreg-b"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "mltui", "diff", "--tracking-uri", pg_store["uri"], a, b, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["baseline"] == a
    deltas = {row["key"]: row["deltas"][b] for row in document["rows"] if row["section"] == "metrics"}
    assert deltas["accuracy"] == pytest.approx(0.07)
    assert deltas["precision"] == pytest.approx(0.03)
    assert deltas["recall"] == pytest.approx(0.11)
    assert deltas["f1_score"] == pytest.approx(0.07)
