"""Against `mlflow server --app-name basic-auth` on PostgreSQL (issue 15).

A wrong password gives one line naming the refused credentials (401), in the app's
status bar and from `mltui diff` (exit 2); the right one lists the runs. No password,
right or wrong, ever reaches the screen (every rendered row and the SVG export) or stderr.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from servers import MlflowServer, patient_requests
from ui_text import open_experiment, svg_text, wait_until

from mltui.app import MltuiApp
from mltui.store import Store

pytest_plugins = ("servers",)
pytestmark = [pytest.mark.server, pytest.mark.timeout(900)]

EXPERIMENT = "secured"
WRONG_PASSWORD = "Wr0ng-Passw0rd-7f3a9c"  # a test value that must never be displayed
REPO = Path(__file__).resolve().parent.parent
AUTH_ENV = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_URI")


@pytest.fixture(scope="module")
def auth_store(basic_auth_server: MlflowServer) -> dict:
    """An experiment with two runs, logged as the admin user."""
    from mlflow import MlflowClient

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    with patient_requests(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_USERNAME", basic_auth_server.username)
        patch.setenv("MLFLOW_TRACKING_PASSWORD", basic_auth_server.password)
        client = MlflowClient(basic_auth_server.uri)
        exp = client.create_experiment(EXPERIMENT)
        ids = []
        for name, accuracy in (("auth-run-a", 0.85), ("auth-run-b", 0.92)):
            run = client.create_run(exp, run_name=name)
            client.log_metric(run.info.run_id, "accuracy", accuracy)
            client.set_terminated(run.info.run_id)
            ids.append(run.info.run_id)
    return {"server": basic_auth_server, "ids": ids}


def with_userinfo(uri: str, user: str, password: str) -> str:
    scheme, rest = uri.split("://", 1)
    return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{rest}"


def credentials(server: MlflowServer, where: str, password: str) -> tuple[str, dict[str, str]]:
    """The tracking URI and env vars carrying `password`, in env vars or in the URI itself."""
    if where == "env":
        return server.uri, {"MLFLOW_TRACKING_USERNAME": server.username, "MLFLOW_TRACKING_PASSWORD": password}
    return with_userinfo(server.uri, server.username, password), {}


def assert_no_secret(text: str, server: MlflowServer) -> None:
    for secret in (WRONG_PASSWORD, server.password, quote(server.password, safe="")):
        assert secret not in text, "a password reached the user's eyes"


@pytest.fixture
def clean_env(monkeypatch):
    for name in AUTH_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("where", ["env", "uri"])
async def test_wrong_password_shows_the_401_line(auth_store, clean_env, where):
    server = auth_store["server"]
    uri, env = credentials(server, where, WRONG_PASSWORD)
    for name, value in env.items():
        clean_env.setenv(name, value)
    app = MltuiApp(Store(uri))
    async with app.run_test(size=(160, 48)) as pilot:
        text = await wait_until(pilot, lambda t: "401" in t and "credentials" in t, what="the 401 line")
        assert EXPERIMENT not in text
        assert_no_secret(text, server)
        assert_no_secret(svg_text(app), server)


@pytest.mark.parametrize("where", ["env", "uri"])
async def test_right_password_lists_the_runs(auth_store, clean_env, where):
    server = auth_store["server"]
    uri, env = credentials(server, where, server.password)
    for name, value in env.items():
        clean_env.setenv(name, value)
    app = MltuiApp(Store(uri))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda t: f"{EXPERIMENT}  2" in t, what="the experiment and its count")
        await open_experiment(pilot, EXPERIMENT, "auth-run-a")
        text = await wait_until(pilot, lambda t: "auth-run-b" in t and "2 runs" in t, what="both runs listed")
        assert "401" not in text
        assert_no_secret(text, server)
        assert_no_secret(svg_text(app), server)


def run_cli_diff(uri: str, env: dict[str, str], run_ids: list[str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in AUTH_ENV}
    return subprocess.run(
        [sys.executable, "-m", "mltui", "diff", "--tracking-uri", uri, *run_ids, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **env, "PYTHONPATH": str(REPO)},
    )


@pytest.mark.parametrize("where", ["env", "uri"])
def test_cli_diff_wrong_password_exits_2(auth_store, where):
    server = auth_store["server"]
    uri, env = credentials(server, where, WRONG_PASSWORD)
    done = run_cli_diff(uri, env, auth_store["ids"])
    assert done.returncode == 2, done.stderr
    assert "401" in done.stderr and "credentials" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert_no_secret(done.stderr + done.stdout, server)


@pytest.mark.parametrize("where", ["env", "uri"])
def test_cli_diff_right_password_prints_the_deltas(auth_store, where):
    server = auth_store["server"]
    uri, env = credentials(server, where, server.password)
    a, b = auth_store["ids"]
    done = run_cli_diff(uri, env, [a, b])
    assert done.returncode == 0, done.stderr
    rows = {row["key"]: row for row in json.loads(done.stdout)["rows"] if row["section"] == "metrics"}
    assert rows["accuracy"]["deltas"][b] == pytest.approx(0.07)
    assert_no_secret(done.stderr, server)
