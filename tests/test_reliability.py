"""Issue 15 as an attacker would try it: black-holed servers, crashes, quit, secrets, spoofed text.

Every server here is a real socket on 127.0.0.1 and every client the real MLflow
client; the app runs for real (Pilot, or a subprocess in a pseudo-terminal).
"""

from __future__ import annotations

import csv
import fcntl
import http.server
import io
import os
import pty
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import textwrap
import threading
import time
from pathlib import Path

import pytest
from conftest import (
    cursor_to_key,
    log_run,
    make_experiment,
    new_client,
    open_first_experiment,
    row_for,
    screen_text,
    settle,
)

from mltui.app import MltuiApp
from mltui.config import Config
from mltui.diff import DiffOptions, build_diff
from mltui.export import csv_safe, export
from mltui.lifecycle import run_app
from mltui.models import StoreError
from mltui.store import Store, friendly_error
from mltui.text import clean, mask_uri
from mltui.widgets.diff_view import DiffView
from mltui.widgets.run_list import RunList
from mltui.widgets.status_bar import StatusBar

ROOT = Path(__file__).resolve().parent.parent
HTTP_ENV = ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "MLFLOW_HTTP_REQUEST_TIMEOUT")


# -- servers that misbehave ----------------------------------------------------------------


class BlackHole:
    """A listening socket on 127.0.0.1 that completes TCP handshakes and never answers.

    With `accept=True` it also accepts and reads each connection, so a test knows
    when a request is in flight; either way no byte ever comes back.
    """

    def __init__(self, accept: bool = False) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.uri = f"http://127.0.0.1:{self.port}"
        self.requested = threading.Event()
        self.requested_at = 0.0  # time.monotonic() of the first request's bytes
        self.held: list[socket.socket] = []
        if accept:
            threading.Thread(target=self._swallow, daemon=True).start()

    def _swallow(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            conn.settimeout(5)
            try:
                if conn.recv(65536) and not self.requested.is_set():
                    self.requested_at = time.monotonic()
                    self.requested.set()
            except OSError:
                pass

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def black_hole():
    hole = BlackHole(accept=True)
    yield hole
    hole.close()


# The budget is 10 s from launch to message. Launch includes importing mlflow:
# about 2 s on an idle machine, up to 8 s on a loaded CI box. What the code controls
# is the wait after the request left: one 4 s attempt, asserted with slack.
AFTER_REQUEST_BUDGET_S = 6.0


@pytest.fixture
def default_http_settings(monkeypatch):
    """MLflow's HTTP settings as a user who set none of them has them."""
    for name in HTTP_ENV:
        monkeypatch.delenv(name, raising=False)


class _Refuse401(http.server.BaseHTTPRequestHandler):
    def _deny(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="mlflow"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _deny

    def log_message(self, *args) -> None:  # keep pytest's output clean
        pass


@pytest.fixture
def auth_server():
    """An HTTP server on 127.0.0.1 that answers every request with 401."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refuse401)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def mltui(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    for name in HTTP_ENV:
        if name not in (env or {}):
            full_env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "mltui", *args], capture_output=True, text=True, timeout=timeout, env=full_env
    )


# -- 1. time: a server that accepts and never answers ---------------------------------------


def test_black_hole_diff_exits_2_within_10_s_saying_it_timed_out(black_hole):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in HTTP_ENV:
        env.pop(name, None)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mltui", "diff", "a" * 32, "b" * 32, "--tracking-uri", black_hole.uri],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stderr.readline()
        said = time.monotonic()
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    after_request = said - black_hole.requested_at
    print(f"black hole → mltui diff message at {said - started:.1f} s ({after_request:.1f} s after the request)")
    assert code == 2
    assert line.strip() == f"mltui: {black_hole.uri} did not answer within 4 s"
    assert black_hole.requested.is_set() and after_request < AFTER_REQUEST_BUDGET_S


def test_a_backlog_that_never_accepts_times_out_too():
    """The other black hole: the port listens, the kernel queues the connection, nobody accepts."""
    hole = BlackHole(accept=False)
    try:
        result = mltui("diff", "a" * 32, "--tracking-uri", hole.uri)
    finally:
        hole.close()
    assert result.returncode == 2
    assert result.stderr.strip() == f"mltui: {hole.uri} did not answer within 4 s"


def test_user_set_timeout_wins_and_is_named(black_hole):
    result = mltui(
        "diff",
        "a" * 32,
        "--tracking-uri",
        black_hole.uri,
        env={"MLFLOW_HTTP_REQUEST_TIMEOUT": "1", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1"},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"mltui: {black_hole.uri} did not answer within 1 s (2 attempts)"


async def test_black_hole_shows_the_timeout_in_the_status_bar_within_10_s(black_hole, default_http_settings):
    app = MltuiApp(Store(black_hole.uri), config=Config())
    async with app.run_test(size=(120, 30)) as pilot:
        started = time.monotonic()
        status = app.query_one(StatusBar)
        while not status.error and time.monotonic() - started < 30:
            await pilot.pause(0.1)
        ended = time.monotonic()
        after_request = ended - black_hole.requested_at
        print(f"black hole → status bar after {ended - started:.1f} s ({after_request:.1f} s after the request)")
        assert status.error == f"{black_hole.uri} did not answer within 4 s"
        assert black_hole.requested.is_set() and after_request < AFTER_REQUEST_BUDGET_S
        await pilot.press("question_mark")  # keys still work
        assert app.screen.__class__.__name__ == "HelpScreen"


def test_refused_and_unresolvable_hosts_are_named():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = mltui("diff", "a" * 32, "--tracking-uri", f"http://u:p@ss@127.0.0.1:{port}")
    assert result.stderr.strip() == f"mltui: Cannot reach http://***@127.0.0.1:{port}: connection refused"
    result = mltui("diff", "a" * 32, "--tracking-uri", "http://no-such-host.invalid:5000")
    assert result.returncode == 2
    assert result.stderr.strip() == "mltui: Cannot resolve the host of http://no-such-host.invalid:5000"


async def test_refused_credentials_name_the_variables_to_set(auth_server):
    store = Store(auth_server.replace("http://", "http://alice:wrong@"))
    with pytest.raises(StoreError) as caught:
        await store.connect()
    assert str(caught.value) == (
        f"{auth_server.replace('http://', 'http://***@')} refused the credentials (401): "
        "set MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN"
    )


def test_friendly_error_masks_uris_inside_unknown_messages():
    exc = RuntimeError("API request to http://alice:top@s3cr3tP4ss@host:5000/api failed: teapot")
    message = friendly_error(exc, "http://alice:top@s3cr3tP4ss@host:5000")
    assert message == "API request to http://***@host:5000/api failed: teapot"
    assert "press R" not in friendly_error(ConnectionRefusedError("[Errno 111] Connection refused"))


# -- 2. crashes are failures ---------------------------------------------------------------


def test_a_crash_exits_1_with_one_line_and_a_masked_log(tmp_path, monkeypatch, capsys):
    from textual.app import App

    class Crashing(App):
        def on_mount(self) -> None:
            raise RuntimeError("boom near http://bob:hunter2@db.example/x and token sekrit-token")

    monkeypatch.setenv("MLTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "sekrit-token")
    cleaned = []
    code = run_app(Crashing(), lambda: cleaned.append(True), headless=True)
    err = capsys.readouterr().err
    assert code == 1 and cleaned
    assert err.count("\n") == 1, err
    logs = list((tmp_path / "cache").glob("crash-*.log"))
    assert len(logs) == 1
    assert (
        err
        == f"mltui: crashed: RuntimeError: boom near http://***@db.example/x and token *** (traceback in {logs[0]})\n"
    )
    log = logs[0].read_text()
    assert "Traceback (most recent call last)" in log and "in on_mount" in log
    assert "hunter2" not in log and "sekrit-token" not in log and "bob" not in log


def test_a_clean_quit_exits_0(tmp_path, monkeypatch, capsys):
    from textual.app import App

    class Quits(App):
        def on_mount(self) -> None:
            self.exit()

    monkeypatch.setenv("MLTUI_CACHE_DIR", str(tmp_path))
    assert run_app(Quits(), headless=True) == 0
    assert capsys.readouterr().err == "" and not list(tmp_path.iterdir())


# -- 3. quit means quit --------------------------------------------------------------------


def _spawn_in_pty(args: list[str], env: dict) -> tuple[subprocess.Popen, int, list[bytes]]:
    """Start `python -m mltui ARGS` on a 120x40 pseudo-terminal; its output is drained in a thread."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "mltui", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", **env},
        start_new_session=True,
    )
    os.close(slave)
    output: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                ready, _, _ = select.select([master], [], [], 0.5)
                if ready:
                    chunk = os.read(master, 65536)
                    if not chunk:
                        return
                    output.append(chunk)
                elif proc.poll() is not None:
                    return
            except OSError:
                return

    threading.Thread(target=drain, daemon=True).start()
    return proc, master, output


def test_q_exits_within_1_s_while_a_request_hangs():
    hole = BlackHole(accept=True)
    # A user-set 60 s timeout: without a hard exit the process would wait for it.
    proc, master, output = _spawn_in_pty([hole.uri], {"MLFLOW_HTTP_REQUEST_TIMEOUT": "60"})
    try:
        assert hole.requested.wait(60), b"".join(output)[-2000:]
        time.sleep(0.5)  # the request is in flight, the app idle
        os.write(master, b"q")
        pressed = time.monotonic()
        code = proc.wait(timeout=30)
        latency = time.monotonic() - pressed
        print(f"q with a hung request → exit {code} after {latency * 1000:.0f} ms")
        assert code == 0
        assert latency < 1.0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
        hole.close()


async def test_pane_messages_still_queued_at_shutdown_are_dropped(classifier_store):
    """A load that ends as `q` is pressed posts its last messages after the panes are gone: no crash."""
    from mltui.widgets.run_list import RunList
    from mltui.widgets.status_bar import StatusBar

    app = MltuiApp(Store(classifier_store["uri"]), config=Config())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        runs = app.query_one(RunList)
        await app.query_one(StatusBar).remove()  # as at shutdown: the status bar is gone first
        for message in (
            RunList.TickSummary("☑ 1 ticked"),
            RunList.Progress(2, done=True),
            RunList.TicksChanged([], None),
        ):
            app.post_message(message)
        await pilot.pause()
        assert runs.is_attached, "the app is still up"
    assert app.return_code in (0, None) and app._exception is None


@pytest.mark.server
def test_sighup_removes_downloaded_artifacts(mlflow_server, tmp_path):
    """A closed terminal (SIGHUP) leaves no preview download behind in the temp dir."""
    from mlflow import MlflowClient

    client = MlflowClient(mlflow_server["uri"])
    exp = client.create_experiment("hangup")
    run_id = log_run(client, exp, "served")
    client.log_text(run_id, "served line\n", "served.log")
    script = textwrap.dedent(
        f"""
        import os, signal, sys, tempfile
        from pathlib import Path
        from mltui.app import MltuiApp
        from mltui.lifecycle import run_app
        from mltui.store import Store

        store = Store({mlflow_server["uri"]!r})

        async def pilot(pilot):
            while not pilot.app.known_experiments():  # connected and listed (the status line moves on)
                await pilot.pause(0.2)
            local = await store.download_artifact({run_id!r}, "served.log")
            print("DOWNLOADED", local, local.exists(), flush=True)
            os.kill(os.getpid(), signal.SIGHUP)
            print("GONE-AT-ONCE", not local.exists(), flush=True)
            while True:
                await pilot.pause(0.1)

        sys.exit(run_app(MltuiApp(store), store.close, headless=True, auto_pilot=pilot))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert "DOWNLOADED" in result.stdout and " True" in result.stdout, result.stdout + result.stderr
    assert "GONE-AT-ONCE True" in result.stdout
    assert result.returncode == 128 + signal.SIGHUP
    assert not list(tmp_path.glob("mltui-artifacts-*"))


# -- 4. secrets ----------------------------------------------------------------------------


def test_mask_follows_urlsplit_to_the_last_at():
    from urllib.parse import urlsplit

    for uri in (
        "http://alice:top@s3cr3tP4ss@host:5000/api?x=a@b",
        "https://alice:s3cret@host",
        "http://to@ken@host",
        "postgresql://u:p@@ss@127.0.0.1:5432/db",
    ):
        masked = mask_uri(uri)
        parts = urlsplit(uri)
        assert parts.password is None or parts.password not in masked
        assert masked.startswith(f"{parts.scheme}://***@{parts.hostname}")
        assert "s3cr3tP4ss" not in masked and "top" not in masked
    assert mask_uri("http://host/users/a@b.com") == "http://host/users/a@b.com"
    assert mask_uri("sqlite:///x@y.db") == "sqlite:///x@y.db"


def test_mask_finds_uris_in_free_text():
    text = "API request to 'http://alice:top@s3cr3tP4ss@host/api' failed; see https://bob:pw@h2:1/x, mail a@b"
    assert mask_uri(text) == "API request to 'http://***@host/api' failed; see https://***@h2:1/x, mail a@b"


async def test_a_password_with_at_never_reaches_the_status_bar():
    app = MltuiApp(Store("http://alice:top@s3cr3tP4ss@127.0.0.1:9"), config=Config())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        rendered = str(app.query_one(StatusBar).render())
        assert "http://***@127.0.0.1:9" in rendered
        assert "s3cr3tP4ss" not in rendered and "top" not in rendered and "alice" not in rendered


# -- 5. spoofed text and CSV injection -----------------------------------------------------


def test_bidi_and_zero_width_characters_become_visible():
    assert clean("evil\u202eexe.txt") == "evil⟪U+202E⟫exe.txt"
    assert clean("ad\u200bmin\u2066x\u2069\ufeff\u061c\u200e") == (
        "ad⟪U+200B⟫min⟪U+2066⟫x⟪U+2069⟫⟪U+FEFF⟫⟪U+061C⟫⟪U+200E⟫"
    )
    assert clean("plain café ✓") == "plain café ✓"


def test_csv_neutralises_formulas_but_not_numbers():
    assert csv_safe('=HYPERLINK("http://evil","x")') == '\'=HYPERLINK("http://evil","x")'
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)" and csv_safe("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert csv_safe("+1 (+5%)x") == "'+1 (+5%)x" and csv_safe("\tx") == "'\tx"
    for number in ("-0.07", "+0.07 (+8.2%)", "-0.07 (-7.6%)", "-inf", "-1e-05", "+1m 05s (+12%)", "-850ms", "0.85"):
        assert csv_safe(number) == number


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    client = new_client(root)
    exp = make_experiment(client, root, "hostile")
    a = log_run(client, exp, "evil\u202etxt.exe", {"loss": 0.5}, {"link": '=HYPERLINK("http://evil","x")'})
    b = log_run(client, exp, "plain", {"loss": 0.4}, {"link": "-1"})
    return {"uri": f"sqlite:///{root}/mlflow.db", "runs": [a, b], "client": client}


async def test_bidi_name_shows_its_placeholder_in_the_ui(hostile_store):
    app = MltuiApp(Store(hostile_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_experiment(app, pilot, "hostile")
        runs = app.query_one(RunList)
        for run_id in hostile_store["runs"]:
            await cursor_to_key(pilot, runs.table, run_id)
            await pilot.press("space")
        await settle(app, pilot)
        view = app.query_one(DiffView)
        labels = " ".join(str(c.label) for c in view.table.columns)
        assert "evil⟪U+202E⟫txt.exe" in labels and "\u202e" not in labels
        screen = screen_text(app)
        assert "⟪U+202E⟫" in screen and "\u202e" not in screen
        assert row_for(view.table, "link")[2] == '=HYPERLINK("http://evil","x")'  # shown as it is, inert


def test_exports_show_placeholders_and_csv_starts_formulas_with_a_quote(hostile_store):
    store = Store(hostile_store["uri"])
    import asyncio

    runs = asyncio.run(store.get_runs(hostile_store["runs"]))
    result = build_diff(runs, None, DiffOptions())
    rows = list(csv.reader(io.StringIO(export(result, "csv"))))
    assert "evil⟪U+202E⟫txt.exe" in rows[0][2]
    link = next(row for row in rows if row[1] == "link")
    assert link[2] == '\'=HYPERLINK("http://evil","x")'
    assert link[3] == "-1", "a plain number stays a number"
    loss = next(row for row in rows if row[1] == "loss")
    assert loss[4].startswith("-0.1")
    markdown = export(result, "markdown")
    assert "evil⟪U+202E⟫txt.exe" in markdown and "\u202e" not in markdown
    assert "\u202e" not in export(result, "json")  # json escapes it as \\u202e
