"""The app as a process: a crash is a failure, `q` leaves at once, temp files never outlive it.

Kept apart from `cli` (which only parses arguments) and cheap to import: no
Textual, no mlflow at module level.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from mltui import __version__
from mltui.text import clean, mask_uri

EXIT_CRASH = 1
# Environment values that must never reach a log line, even outside a URI.
_SECRET_ENV = ("MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_SECRET")
# After SIGTERM/SIGHUP the app gets this long to restore the terminal before a hard exit.
_SIGNAL_GRACE_S = 2.0


def cache_dir() -> Path:
    """Where crash logs go: `$MLTUI_CACHE_DIR`, else the platform's user cache dir."""
    override = os.environ.get("MLTUI_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mltui"))


def redact(text: str) -> str:
    """`text` with URI credentials and secret environment values replaced by `***`."""
    text = mask_uri(text)
    for name in _SECRET_ENV:
        value = os.environ.get(name, "")
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text


def write_crash_log(exc: BaseException) -> Path:
    """Write `exc`'s traceback (no local variables: they may hold credentials) to a new log file."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    body = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    header = f"mltui {__version__} · Python {sys.version.split()[0]} · {datetime.now().isoformat(timespec='seconds')}\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(header + redact(body))
    return path


def report_crash(exc: BaseException) -> int:
    """One line on stderr naming the error and the log holding its traceback; the exit code."""
    summary = clean(redact(f"{type(exc).__name__}: {exc}"), max_len=300)
    try:
        where = f"traceback in {write_crash_log(exc)}"
    except OSError as log_error:
        where = f"could not write a crash log: {clean(log_error, max_len=200)}"
    try:
        print(f"mltui: crashed: {summary} ({where})", file=sys.stderr, flush=True)
    except (OSError, ValueError):  # the terminal is gone (SIGHUP): the log file remains
        pass
    return EXIT_CRASH


def run_app(app: Any, cleanup: Callable[[], None] = lambda: None, **run_options: Any) -> int:
    """Run a Textual app and return the process's exit code; never raises for an app crash.

    The app runs on a loop of its own, which is never shut down: `asyncio.run`
    would wait for the default executor, i.e. for every hung HTTP call. Textual
    prints a crash's traceback (with local variables) to its error console;
    that console is captured here and the traceback goes to a log file instead.
    SIGTERM and SIGHUP run `cleanup` at once, then ask the app to exit.
    """
    from rich.console import Console

    captured = io.StringIO()
    app.error_console = Console(file=captured, markup=False, highlight=False, width=120)
    loop = asyncio.new_event_loop()
    restore = _on_termination(app, loop, cleanup)
    try:
        app.run(loop=loop, **run_options)
    except Exception as exc:  # noqa: BLE001 - the driver itself failed: still one line
        return report_crash(exc)
    finally:
        restore()
        cleanup()
    crash = getattr(app, "_exception", None)  # Textual keeps the first unhandled exception here
    if crash is not None:
        return report_crash(crash)
    message = captured.getvalue().strip()
    if message:
        with contextlib.suppress(OSError, ValueError):
            print(redact(message), file=sys.stderr, flush=True)
    return app.return_code or 0


def _on_termination(app: Any, loop: asyncio.AbstractEventLoop, cleanup: Callable[[], None]) -> Callable[[], None]:
    """Handle SIGTERM/SIGHUP while the app runs; returns a function restoring the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    timers: list[threading.Timer] = []

    def handler(signum: int, _frame: object) -> None:
        cleanup()
        code = 128 + signum
        timer = threading.Timer(_SIGNAL_GRACE_S, leave, (code,))
        timer.daemon = True
        timer.start()
        timers.append(timer)
        loop.call_soon_threadsafe(lambda: app.exit(return_code=code))

    wanted = [sig for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if sig is not None]
    previous = {sig: signal.signal(sig, handler) for sig in wanted}

    def restore() -> None:
        for timer in timers:
            timer.cancel()
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def leave(code: int) -> None:
    """Exit now, without waiting for worker threads stuck in a network call.

    Executor threads are not daemons, so a normal exit would join them: a
    black-holed request would keep the process alive for its whole timeout.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
