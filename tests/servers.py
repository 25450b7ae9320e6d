"""Server fixtures: PostgreSQL in a temp dir, and `mlflow server` on top of it (plain or basic-auth).

A pytest plugin: test modules load it with `pytest_plugins = ("servers",)`.
PostgreSQL comes from the system packages (`.ci/run` installs them); when its
binaries are missing the tests that need it skip and say why. As root, the
database runs as the unprivileged `postgres` user (initdb refuses root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PG_BIN_PATTERN = "/usr/lib/postgresql/*/bin"
PG_USER = "postgres"
START_TIMEOUT = 300.0  # seconds for `mlflow server` to answer /health (about 10 s on an idle machine)
ADMIN_USER = "admin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin folder holding initdb and pg_ctl."""
    candidates = [Path(p) for p in glob.glob(PG_BIN_PATTERN)]
    usable = [p for p in candidates if (p / "initdb").is_file() and (p / "pg_ctl").is_file()]

    def major(path: Path) -> float:
        try:
            return float(path.parent.name)
        except ValueError:
            return 0.0

    return max(usable, key=major, default=None)


def _as_db_user() -> list[str]:
    """Command prefix running a program as `postgres` when we are root."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", PG_USER, "--"]


@dataclass
class Postgres:
    """A running PostgreSQL cluster on 127.0.0.1 (trust auth: test-only)."""

    bindir: Path
    root: Path
    port: int
    user: str
    startup_seconds: float = 0.0
    databases: list[str] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def uri(self, database: str) -> str:
        # SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3; we ship psycopg2-binary.
        return f"postgresql+psycopg2://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database; return its SQLAlchemy URI."""
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        self.databases.append(name)
        return self.uri(name)

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        """pg_ctl stop (fast); if the postmaster lingers, kill it by its PID."""
        pid = self.postmaster_pid()
        subprocess.run(
            [*_as_db_user(), str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "20", "stop"],
            capture_output=True,
            timeout=30,
        )
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 0)
                os.kill(pid, signal.SIGKILL)


def start_postgres(bindir: Path) -> Postgres:
    """initdb into a fresh temp dir and start the server on a free port on 127.0.0.1."""
    # Not under pytest's tmp dir: that one is 0700 root and the postgres user must reach it.
    root = Path(tempfile.mkdtemp(prefix="mltui-pg-"))
    root.chmod(0o755)
    user = PG_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        entry = pwd.getpwnam(PG_USER)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    started = time.monotonic()
    as_user = _as_db_user()
    port = free_port()
    options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        _run([*as_user, str(bindir / "initdb"), "-D", str(root / "data"), "-U", user, "-A", "trust", "-E", "UTF8",
              "--locale=C", "--no-sync"])  # fmt: skip
        _run([*as_user, str(bindir / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "server.log"),
              "-o", options, "-w", "-t", "60", "start"])  # fmt: skip
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return Postgres(bindir, root, port, user, startup_seconds=time.monotonic() - started)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[-3:])} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


@dataclass
class MlflowServer:
    """A running `mlflow server`; `password` is set for the basic-auth kind."""

    uri: str
    pid: int
    root: Path
    backend_uri: str
    log: Path
    startup_seconds: float
    username: str | None = None
    password: str | None = None


@contextlib.contextmanager
def mlflow_server_on(
    backend_uri: str, root: Path, extra: tuple[str, ...] = (), env: dict | None = None
) -> Iterator[MlflowServer]:
    """Start `mlflow server` on a free port serving artifacts under `root`; kill it by PID at exit."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = root / "server.log"
    command = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", backend_uri,
        "--serve-artifacts", "--artifacts-destination", str(root / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",  # one process: uvicorn restarts slow-booting workers
        *extra,
    ]  # fmt: skip
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, start_new_session=True
        )
    uri = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(uri, proc, log)
        yield MlflowServer(uri, proc.pid, root, backend_uri, log, time.monotonic() - started)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _wait_healthy(uri: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{uri}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    tail = log.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"mlflow server at {uri} did not become healthy (exit {proc.poll()}):\n{tail}")


@contextlib.contextmanager
def patient_requests() -> Iterator[None]:
    """Setup logging over REST: wait long, never retry a create (a retried timeout duplicates it).

    mltui's Store sets short MLFLOW_HTTP_REQUEST_* defaults in os.environ for the whole process.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "300")
        patch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        yield


# -- fixtures ------------------------------------------------------------------------------------


def say(config: pytest.Config, line: str) -> None:
    """Print a line past pytest's capture (timings, skip reasons), as the suite runs."""
    capture = config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(line, file=sys.stderr, flush=True)


@pytest.fixture(scope="session")
def postgres(pytestconfig: pytest.Config) -> Iterator[Postgres]:
    """PostgreSQL from the system packages, in a temp dir; stopped and removed at teardown."""
    bindir = postgres_bindir()
    if bindir is None or (os.geteuid() == 0 and not _user_exists(PG_USER)):
        reason = f"PostgreSQL is not installed (no initdb/pg_ctl under {PG_BIN_PATTERN}): apt-get install postgresql"
        say(pytestconfig, f"\nSKIP: {reason}")
        pytest.skip(reason)
    server = start_postgres(bindir)
    say(pytestconfig, f"\npostgres: initdb + start in {server.startup_seconds:.1f} s (port {server.port})")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_mlflow_server(postgres: Postgres, tmp_path_factory, pytestconfig: pytest.Config) -> Iterator[MlflowServer]:
    """`mlflow server` backed by PostgreSQL, proxying artifacts to a temp dir."""
    backend = postgres.create_database("mlflow_plain")
    with mlflow_server_on(backend, tmp_path_factory.mktemp("pg-server")) as server:
        say(pytestconfig, f"mlflow server (postgres) healthy in {server.startup_seconds:.1f} s")
        yield server


@pytest.fixture(scope="session")
def basic_auth_server(postgres: Postgres, tmp_path_factory, pytestconfig: pytest.Config) -> Iterator[MlflowServer]:
    """The same server with `--app-name basic-auth`; the admin password is random, set only here."""
    root = tmp_path_factory.mktemp("auth-server")
    password = "pw-" + secrets.token_urlsafe(18)
    config = root / "basic_auth.ini"
    config.write_text(
        "[mlflow]\n"
        "default_permission = READ\n"
        f"database_uri = sqlite:///{root}/basic_auth.db\n"
        f"admin_username = {ADMIN_USER}\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
    )
    env = {
        "MLFLOW_AUTH_CONFIG_PATH": str(config),
        "MLFLOW_AUTH_ADMIN_PASSWORD": password,
        "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets.token_hex(16),  # CSRF; shared by the workers
    }
    backend = postgres.create_database("mlflow_auth")
    with mlflow_server_on(backend, root, ("--app-name", "basic-auth"), env) as server:
        say(pytestconfig, f"mlflow server (basic-auth) healthy in {server.startup_seconds:.1f} s")
        server.username, server.password = ADMIN_USER, password
        yield server
