"""Shared fixtures and session helpers.

Real MLflow stores in temp dirs, a real `mlflow server`, and the few moves a
UI test makes the way a user does: wait for the app to settle, read a table,
press keys until the cursor is where the test wants it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

import pytest

os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
os.environ["MLTUI_CONFIG_DIR"] = tempfile.mkdtemp(prefix="mltui-test-config-")
os.environ.pop("MLFLOW_TRACKING_URI", None)


def new_client(root: Path):
    """A MlflowClient on a fresh SQLite store under `root`."""
    from mlflow import MlflowClient

    root.mkdir(parents=True, exist_ok=True)
    return MlflowClient(f"sqlite:///{root}/mlflow.db")


def make_experiment(client, root: Path, name: str) -> str:
    """Create an experiment whose artifacts live under `root/artifacts`."""
    return client.create_experiment(
        name, artifact_location=(root / "artifacts" / name.strip("/").replace("/", "_")).as_uri()
    )


def log_run(
    client,
    experiment_id: str,
    name: str,
    metrics=None,
    params=None,
    tags=None,
    start_time: int | None = None,
    status: str = "FINISHED",
) -> str:
    """Log one run with real client calls; return its id."""
    run = client.create_run(experiment_id, run_name=name, tags=tags or {}, start_time=start_time)
    run_id = run.info.run_id
    for key, value in (metrics or {}).items():
        client.log_metric(run_id, key, value)
    for key, value in (params or {}).items():
        client.log_param(run_id, key, value)
    if status != "RUNNING":
        client.set_terminated(run_id, status=status)
    return run_id


@pytest.fixture(scope="session")
def classifier_store(tmp_path_factory):
    """Seed case 1: two classifier runs, plus a run lacking a metric."""
    root = tmp_path_factory.mktemp("classifier")
    client = new_client(root)
    exp = make_experiment(client, root, "classifier")
    a = log_run(
        client,
        exp,
        "logreg-a",
        {"accuracy": 0.85, "precision": 0.88, "recall": 0.82, "f1_score": 0.85},
        {"C": "1.0", "max_iter": "100"},
        {"model": "logreg"},
    )
    b = log_run(
        client,
        exp,
        "logreg-b",
        {"accuracy": 0.92, "precision": 0.91, "recall": 0.93, "f1_score": 0.92, "auc": 0.95},
        {"C": "0.5", "max_iter": "100"},
        {"model": "logreg"},
    )
    return {"uri": f"sqlite:///{root}/mlflow.db", "root": root, "experiment_id": exp, "runs": [a, b]}


# -- reading and moving, as a user does ---------------------------------------------


def table_text(table) -> list[list[str]]:
    """A VirtualTable's cells as a user reads them, header first."""
    lines = [[column.label.split("\n")[0].strip() for column in table.columns]]
    for row in table.rows:
        lines.append([table.render_cell(row, column)[0] for column in table.columns])
    return lines


def cell_texts(table) -> list[list[str]]:
    """What the user reads in a table, row by row (without the header)."""
    return table_text(table)[1:]


def row_for(table, key: str) -> list[str]:
    for row in cell_texts(table):
        if len(row) > 1 and row[1].split(" ")[0] == key:
            return row
    raise AssertionError(f"no row {key!r} in {cell_texts(table)}")


def screen_text(app) -> str:
    """What the terminal shows now, as plain text: one line a row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def press_until(pilot, reached: Callable[[], bool], where: Callable[[], Hashable], keys: Sequence[str]) -> None:
    """Press the first key until `reached()`; when `where()` stops moving, go on with the next key."""
    for key in keys:
        while not reached():
            before = where()
            await pilot.press(key)
            if where() == before:
                break
    assert reached(), f"pressing {keys} never got there"


async def focus_by_tab(pilot, app, widget) -> None:
    """Tab from pane to pane until `widget` has the focus."""
    for _ in range(10):
        if app.focused is widget:
            return
        await pilot.press("tab")
    assert app.focused is widget, f"tab never reached {widget!r}"


async def cursor_to_row(pilot, table, index: int) -> None:
    """Walk the focused table's cursor to row `index` with up/down."""
    keys = ("down",) if index >= table.cursor_row else ("up",)
    await press_until(pilot, lambda: table.cursor_row == index, lambda: table.cursor_row, keys)


async def cursor_to_key(pilot, table, key: str) -> None:
    """Walk the focused table's cursor to the row showing `key` (a run id, a group)."""
    index = table.index_of(key)
    assert index is not None, f"no row {key!r} shown"
    await cursor_to_row(pilot, table, index)


async def cursor_to_column(pilot, table, index: int) -> None:
    keys = ("right",) if index >= table.cursor_column else ("left",)
    await press_until(pilot, lambda: table.cursor_column == index, lambda: table.cursor_column, keys)


async def highlight_option(pilot, option_list, index: int) -> None:
    """Walk a focused option list's highlight to option `index`."""
    await press_until(pilot, lambda: option_list.highlighted == index, lambda: option_list.highlighted, ("down", "up"))


async def cursor_to_experiment(pilot, tree, name: str) -> None:
    """Walk the focused experiment tree's cursor to the experiment called `name`."""

    def reached() -> bool:
        node = tree.cursor_node
        return node is not None and getattr(node.data, "name", None) == name

    await press_until(pilot, reached, lambda: tree.cursor_line, ("down", "up"))


async def open_first_experiment(app, pilot, name: str) -> None:
    """Wait for the tree, walk to `name`, Enter: its runs list with the focus in the table."""
    from mltui.widgets.experiment_tree import ExperimentTree

    await settle(app, pilot)
    tree = app.query_one(ExperimentTree)
    await focus_by_tab(pilot, app, tree)
    await cursor_to_experiment(pilot, tree, name)
    await pilot.press("enter")
    await settle(app, pilot)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    """A real `mlflow server` on 127.0.0.1 serving artifacts; killed by PID at teardown."""
    root = tmp_path_factory.mktemp("server")
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            f"sqlite:///{root}/mlflow.db",
            "--artifacts-destination",
            str(root / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{uri}/health", timeout=1) as resp:
                if resp.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("mlflow server did not start")
    yield {"uri": uri, "root": root, "pid": proc.pid}
    try:
        os.killpg(proc.pid, 9)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)
