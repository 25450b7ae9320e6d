"""Shared fixtures: real MLflow stores in temp dirs and a real `mlflow server`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
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
