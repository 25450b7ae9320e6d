"""Loading 100,000 runs: raw MlflowClient vs mltui's Store vs the real app.

    python bench/bench_runs.py                 # 100,000 runs (builds the store once, ~1 min); ~7 min
    python bench/bench_runs.py --runs 2000     # quick check on a small store, ~30 s
    python bench/bench_runs.py --only app      # one measurement (see MODES)

Each measurement runs in a fresh subprocess, so imports, caches and memory
peaks do not leak between them:

  raw    MlflowClient.search_runs over every run, max_results=1000, pages dropped
         as they arrive (the fetch work alone), exactly as a user of MlflowClient
         gets it: Python's cyclic GC stays on.
  store  mltui's `Store.iter_runs` (its default page sizes: 100, then 1000),
         keeping every plain `Run` in a list, as the run list does. Each page's
         `search_runs` + conversion runs inside `mltui.store.gc_paused()`.
  app    `MltuiApp(store, experiment=..., config=Config())` inside
         `app.run_test(size=(160, 48))`: when the run table first holds rows
         (`row_count > 0`), when it first paints a row on screen, when every run
         is loaded (`RunList.fetching` False and row_count == N); then key
         latency with everything loaded.
  busy   the app again, pressing `down` every 0.5 s for as long as pages are
         streaming in (what a user does during a long load).
  nested a bare App holding a RunList, fed N synthetic runs in mltui's page
         sizes, one page every `--page-gap` s of real time (default 0.7 s, the
         app's steady page of 1000), flat and with 9 of 10 runs being children
         (`mlflow.parentRunId`) as sweeps log them, the way `RunList.load`
         streams them. While streaming, RunList re-lays its tree at most every
         2 s (REBUILD_EVERY; less often once that costs over 10% of the time),
         in a thread once the list is big, and shows other pages out of tree
         order meanwhile. A 5 ms timer on the event loop measures how long a
         key press would wait. About 2.5 min for 100k.

Everything measured is mltui's own code, unpatched; the bench only wraps timers
around it (Store.iter_runs pages, the run table's render_line and cursor moves,
RunList._show_layout in `nested`).
The headline ratio is (c) app full load / (a) raw full load.

Memory is the process's peak resident set size (`ru_maxrss`, Linux KB) and its
growth over the resident size just before the first page is requested (mlflow
imported, client ready), so the figures compare what holding the runs costs.

Not a test: pytest never collects this folder.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_big_store import FULL_SIZE, ensure_store, store_uri  # noqa: E402

GOAL_RATIO = 1.2
GOAL_KEY_MS = 50.0
GOAL_MEMORY_MB = 1024.0
LOAD_TIMEOUT_S = 3600.0
MODES = ("raw", "store", "app", "busy", "nested")


# --------------------------------------------------------------------------- helpers


def rss_mb() -> float:
    """Current resident set size (VmRSS), MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss, KB on Linux), MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quiet_logs() -> None:
    import logging

    for name in ("mlflow", "alembic", "sqlalchemy"):
        logging.getLogger(name).setLevel(logging.WARNING)


def summary(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0, "mean": float("nan"), "median": float("nan"), "p95": float("nan"), "max": float("nan")}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(samples),
        "mean": statistics.fmean(samples),
        "median": statistics.median(samples),
        "p95": p95,
        "max": ordered[-1],
    }


def steady_page_s(stamps: list[float]) -> float | None:
    """Median time between consecutive pages of 1000, skipping the first two pages (warm-up)."""
    gaps = [b - a for a, b in zip(stamps[1:], stamps[2:])]
    return statistics.median(gaps) if gaps else None


class GcClock:
    """Time spent in Python's cyclic garbage collector (gc.callbacks)."""

    def __init__(self) -> None:
        self.total = 0.0
        self.longest = 0.0
        self.full = 0  # generation-2 collections
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
            return
        spent = time.perf_counter() - self._start
        self.total += spent
        self.longest = max(self.longest, spent)
        self.full += info.get("generation") == 2

    def snapshot(self) -> dict:
        return {"total_s": self.total, "longest_s": self.longest, "full": self.full}


# --------------------------------------------------------------------------- children


def child_raw(uri: str, exp_id: str, runs: int) -> dict:
    t_import = time.perf_counter()
    from mlflow import MlflowClient
    from mlflow.entities import ViewType

    quiet_logs()
    import_s = time.perf_counter() - t_import
    client = MlflowClient(uri)
    client.search_experiments(max_results=1)  # builds the SQLAlchemy store, as Store.connect does
    rss_before = rss_mb()
    gc_clock = GcClock()

    t0, c0 = time.perf_counter(), time.process_time()
    total, token, stamps = 0, None, []
    while True:
        page = client.search_runs([exp_id], run_view_type=ViewType.ACTIVE_ONLY, max_results=1000, page_token=token)
        stamps.append(time.perf_counter() - t0)
        total += len(page)
        token = page.token
        del page
        if not token:
            break
    full_s = time.perf_counter() - t0
    cpu_s = time.process_time() - c0
    peak = peak_mb()
    gc_load = gc_clock.snapshot()

    # A single page of 100 (mltui's first page), for the "first rows" comparison; after the
    # timed loop so it cannot warm anything for it. Median of 3.
    singles = []
    for _ in range(3):
        t = time.perf_counter()
        client.search_runs([exp_id], run_view_type=ViewType.ACTIVE_ONLY, max_results=100)
        singles.append(time.perf_counter() - t)
    return {
        "import_s": import_s,
        "full_s": full_s,
        "cpu_s": cpu_s,
        "gc": gc_load,
        "first_page_1000_s": stamps[0],
        "first_page_100_s": statistics.median(singles),
        "pages": len(stamps),
        "runs": total,
        "stamps": stamps,
        "rss_before_mb": rss_before,
        "peak_mb": peak,
    }


def child_store(uri: str, exp_id: str, runs: int) -> dict:
    from mltui.store import Store

    async def go() -> dict:
        store = Store(uri, read_only=True)
        await store.connect()
        quiet_logs()
        first, rest = store.page_sizes
        rss_before = rss_mb()
        gc_clock = GcClock()
        kept = []
        t0, c0 = time.perf_counter(), time.process_time()
        stamps = []
        first_runs = None
        async for page in store.iter_runs([exp_id]):
            stamps.append(time.perf_counter() - t0)
            first_runs = len(page) if first_runs is None else first_runs
            kept.extend(page)
        return {
            "first_page_s": stamps[0],
            "full_s": time.perf_counter() - t0,
            "pages": len(stamps),
            "page_sizes": [first, rest],
            "first_page_runs": first_runs,
            "stamps": stamps,
            "cpu_s": time.process_time() - c0,
            "gc": gc_clock.snapshot(),
            "runs": len(kept),
            "rss_before_mb": rss_before,
            "peak_mb": peak_mb(),
        }

    return asyncio.run(go())


def _timed_store_class():
    from mltui.store import Store

    class TimedStore(Store):
        """mltui's Store, recording when each page of runs reaches the UI."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.load_started: float | None = None
            self.cpu_started = 0.0
            self.rss_before: float | None = None
            self.pages: list[tuple[float, int]] = []
            self.finished: float | None = None

        async def iter_runs(self, *args, **kwargs):
            self.load_started = time.perf_counter()
            self.cpu_started = time.process_time()
            self.rss_before = rss_mb()
            async for page in super().iter_runs(*args, **kwargs):
                self.pages.append((time.perf_counter(), len(page)))
                yield page
            self.finished = time.perf_counter()

    return TimedStore


class RenderClock:
    """Counts and timestamps the run table's render_line calls (wrapped as an instance attribute)."""

    def __init__(self, table) -> None:
        self.calls = 0
        self.last = 0.0
        self.first_row_paint: float | None = None  # first time a line holding a run was painted
        original = table.render_line

        def render_line(y: int):
            strip = original(y)
            self.calls += 1
            self.last = time.perf_counter()
            if self.first_row_paint is None and y >= 1 and table.row_count > 0:
                self.first_row_paint = self.last
            return strip

        table.render_line = render_line


class MoveClock:
    """Timestamps the run table's cursor moves (its `_scroll_to_cursor`, run by watch_cursor_row)."""

    def __init__(self, table) -> None:
        self.at = 0.0
        original = table._scroll_to_cursor

        def scroll_to_cursor() -> None:
            self.at = time.perf_counter()
            original()

        table._scroll_to_cursor = scroll_to_cursor


async def _press_series(pilot, key: str, count: int, before: str | None = None) -> dict:
    """Wall and CPU ms of `await pilot.press(key)` + `await pilot.pause()`, `count` times.

    `before` is pressed (untimed) ahead of each timed press, e.g. "home" before "end".
    """
    walls, cpus = [], []
    for _ in range(count):
        if before:
            await pilot.press(before)
            await pilot.pause()
        t, c = time.perf_counter(), time.process_time()
        await pilot.press(key)
        await pilot.pause()
        walls.append((time.perf_counter() - t) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    return {"wall": summary(walls), "cpu": summary(cpus)}


async def _key_to_paint(
    app,
    clock: RenderClock,
    moves: MoveClock,
    key: str,
    count: int,
    before: str | None = None,
    settle: float = 0.03,
    paint_timeout: float = 30.0,
) -> dict:
    """ms from posting a key event (as Pilot does, without its idle waits) until the cursor
    moved, and until the run table finished repainting after the move. The poll runs on the
    app's event loop every 0.5 ms, so it sees a repaint only once that compositor pass ended.
    A press whose repaint does not come within `paint_timeout` counts as unpainted."""
    from textual import events

    def post(name: str) -> None:
        event = events.Key(name, None)
        event.set_sender(app)
        app._driver.send_message(event)

    moved_ms, painted_ms, unpainted = [], [], 0
    for _ in range(count):
        if before:
            post(before)
            await asyncio.sleep(settle * 2)
        t0 = time.perf_counter()
        post(key)
        deadline = t0 + paint_timeout
        while True:
            await asyncio.sleep(0.0005)
            if moves.at >= t0 and clock.last > moves.at:
                painted_ms.append((clock.last - t0) * 1000)
                break
            if time.perf_counter() > deadline:
                unpainted += 1
                break
        if moves.at >= t0:
            moved_ms.append((moves.at - t0) * 1000)
        await asyncio.sleep(settle)
    return {"moved": summary(moved_ms), "painted": summary(painted_ms), "unpainted": unpainted, "n": count}


def child_app(uri: str, exp_name: str, runs: int, presses: int, busy: bool) -> dict:
    os.environ["MLTUI_CONFIG_DIR"] = tempfile.mkdtemp(prefix="mltui-bench-config-")
    quiet_logs()
    from mltui.app import MltuiApp
    from mltui.config import Config
    from mltui.widgets.run_list import RunList

    store = _timed_store_class()(uri, read_only=True)
    result: dict = {}
    gc_clock = GcClock()

    async def wait_for(condition, timeout: float, what: str, step: float = 0.002) -> float:
        deadline = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > deadline:
                raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")
            await asyncio.sleep(step)
        return time.perf_counter()

    def pages_by(moment: float | None) -> int | None:
        return None if moment is None else sum(t <= moment for t, _ in store.pages)

    async def go() -> None:
        app = MltuiApp(store, experiment=exp_name, config=Config())
        t_launch = time.perf_counter()
        async with app.run_test(size=(160, 48)) as pilot:
            run_list = app.query_one(RunList)
            table = run_list.table
            clock = RenderClock(table)
            moves = MoveClock(table)
            t_first = await wait_for(lambda: table.row_count > 0, 600, "first rows")
            result["first_rows_from_launch_s"] = t_first - t_launch
            result["first_rows_from_load_s"] = t_first - store.load_started
            result["pages_at_first_rows"] = len(store.pages)
            result["rows_at_first_rows"] = table.row_count
            result["load_started_from_launch_s"] = store.load_started - t_launch
            gc_before_load = gc_clock.snapshot()

            if busy:
                # One `down` every 0.5 s for the whole load.
                samples, t = [], time.perf_counter()
                while store.finished is None and len(samples) < 2000:
                    samples.append(await _key_to_paint(app, clock, moves, "down", 1, paint_timeout=2.0))
                    await asyncio.sleep(0.5)
                painted = [s["painted"]["max"] for s in samples if s["painted"]["n"]]
                moved = [s["moved"]["max"] for s in samples if s["moved"]["n"]]
                result["busy"] = {
                    "presses": len(samples),
                    "painted": summary(painted),
                    "moved": summary(moved),
                    "unpainted": sum(s["unpainted"] for s in samples),
                    "over_goal": sum(v >= GOAL_KEY_MS for v in painted),
                }
                result["busy_pages"] = len(store.pages)
                result["busy_load_s"] = (store.finished or time.perf_counter()) - store.load_started
                result["first_paint_from_load_s"] = (
                    clock.first_row_paint - store.load_started if clock.first_row_paint else None
                )
                app.exit()
                return

            def loaded() -> bool:
                return store.finished is not None and not run_list.fetching and table.row_count >= runs

            t_done = await wait_for(loaded, LOAD_TIMEOUT_S, "all rows", step=0.005)
            result["full_from_load_s"] = t_done - store.load_started
            result["cpu_s"] = time.process_time() - store.cpu_started
            result["full_from_launch_s"] = t_done - t_launch
            result["pages"] = len(store.pages)
            result["stamps"] = [t - store.load_started for t, _ in store.pages]
            result["rows"] = table.row_count
            result["rss_before_mb"] = store.rss_before
            result["peak_mb"] = peak_mb()
            gc_loaded = gc_clock.snapshot()
            result["gc"] = {k: gc_loaded[k] - gc_before_load[k] for k in ("total_s", "full")}
            result["gc"]["longest_s"] = gc_loaded["longest_s"]

            await pilot.pause()
            first_paint = clock.first_row_paint
            result["first_paint_from_load_s"] = first_paint - store.load_started if first_paint else None
            result["pages_at_first_paint"] = pages_by(first_paint)
            result["focused"] = type(app.focused).__name__ if app.focused else None
            keys = {}
            keys["unbound (pilot floor)"] = await _press_series(pilot, "f12", min(presses, 20))
            keys["down"] = await _press_series(pilot, "down", presses)
            keys["pagedown"] = await _press_series(pilot, "pagedown", presses)
            keys["end"] = await _press_series(pilot, "end", max(5, presses // 5), before="home")
            keys["home"] = await _press_series(pilot, "home", max(5, presses // 5), before="end")
            result["keys"] = keys
            result["precise"] = {
                "down": await _key_to_paint(app, clock, moves, "down", presses),
                "pagedown": await _key_to_paint(app, clock, moves, "pagedown", presses),
                "end": await _key_to_paint(app, clock, moves, "end", max(5, presses // 5), before="home"),
                "home": await _key_to_paint(app, clock, moves, "home", max(5, presses // 5), before="end"),
            }

            # What other actions cost with every run loaded (each blocks the UI while it runs):
            t = time.perf_counter()
            run_list.row_layout.rebuild_now()  # live refresh (w), fold, group-by and local sorts all do this
            result["rebuild_rows_s"] = time.perf_counter() - t
            t = time.perf_counter()
            gc.collect()  # a full collection, which allocation-heavy actions trigger now and then
            result["full_gc_s"] = time.perf_counter() - t
            result["gc_tracked_objects"] = len(gc.get_objects())
            app.exit()

    asyncio.run(go())
    return result


def child_nested(runs: int, page_gap: float) -> dict:
    """How long the UI thread is blocked while N synthetic runs stream in, flat vs nested.

    Replays what `RunList.load` does (fetching True, `_add_runs` per page, one
    page every `page_gap` seconds of real time, then fetching False and a final
    `row_layout.relayout()` if rows are out of tree order), with no store involved. A probe
    on the app's event loop wakes every 5 ms and records how late it woke: that
    lag is how long a key press would wait. Layouts of big lists run in a
    thread (`RunList.THREADED_LAYOUT_FROM`), so their cost shows up as lag only
    where they hold the GIL or swap rows in on the UI thread.
    """
    os.environ["MLTUI_CONFIG_DIR"] = tempfile.mkdtemp(prefix="mltui-bench-config-")
    from textual.app import App

    import mltui.widgets.run_layout as run_layout_module
    from mltui.config import Config
    from mltui.models import Experiment, Run
    from mltui.store import FIRST_PAGE, PAGE_SIZE, Store
    from mltui.widgets.run_list import RunList

    def make(i: int, nested: bool) -> Run:
        tags = {"mlflow.runName": f"run-{i:06d}", "mlflow.user": "alice"}
        if nested and i % 10:
            tags["mlflow.parentRunId"] = f"{(i // 10) * 10:032x}"
        return Run(
            run_id=f"{i:032x}",
            name=f"run-{i:06d}",
            experiment_id="1",
            start_time=i,
            end_time=i + 5,
            metrics={f"metric_{j:02d}": i / 7 + j for j in range(20)},
            params={f"param_{j:02d}": str(j) for j in range(20)},
            tags=tags,
        )

    unused = Store(f"sqlite:///{tempfile.mkdtemp(prefix='mltui-bench-')}/never-opened.db")  # pages are handed in

    class Bare(App):
        def compose(self):
            yield RunList(Config(), unused, unused)

    result: dict = {
        "page_gap_s": page_gap,
        "rebuild_every_s": run_layout_module.REBUILD_EVERY,
        "threaded_from": RunList.THREADED_LAYOUT_FROM,
    }

    async def go(nested: bool) -> None:
        app = Bare()
        async with app.run_test(size=(160, 48)):
            run_list = app.query_one(RunList)
            run_list.experiments = [Experiment("1", "bench")]
            all_runs = [make(i, nested) for i in range(runs)]
            pages = [all_runs[:FIRST_PAGE]] + [all_runs[k : k + PAGE_SIZE] for k in range(FIRST_PAGE, runs, PAGE_SIZE)]
            layouts = []
            original = run_list.row_layout._show

            def counted(rows, tree) -> None:
                t = time.perf_counter()
                original(rows, tree)
                layouts.append(time.perf_counter() - t)

            run_list.row_layout._show = counted
            lags: list[float] = []
            probing = True

            async def probe() -> None:
                while probing:
                    t = time.perf_counter()
                    await asyncio.sleep(0.005)
                    lags.append(time.perf_counter() - t - 0.005)

            prober = asyncio.create_task(probe())
            times = []
            run_list.fetching = True  # as RunList.load does around its pages
            for k, page in enumerate(pages):
                t = time.perf_counter()
                if k == 0:
                    run_list._reset()
                run_list._add_runs(page)
                times.append(time.perf_counter() - t)
                await asyncio.sleep(page_gap)
            streamed_layouts = len(layouts)
            run_list.fetching = False
            t = time.perf_counter()
            if run_list.row_layout.stale:
                run_list.row_layout.relayout()
            while not run_list.row_layout.placed:
                await asyncio.sleep(0.005)
            final_s = time.perf_counter() - t
            probing = False
            await prober
            lags.sort()
            result["nested" if nested else "flat"] = {
                "add_runs_total_s": sum(times),
                "max_page_s": max(times),
                "final_s": final_s,
                "layouts_while_streaming": streamed_layouts,
                "max_swap_s": max(layouts, default=0.0),
                "lag_max_s": lags[-1],
                "lag_p99_s": lags[int(len(lags) * 0.99)],
                "lags_over_50ms": sum(1 for lag in lags if lag >= 0.05),
                "probes": len(lags),
                "pages": len(pages),
                "rows": run_list.table.row_count,
                "in_place": sorted(run_list.table._index) == sorted(run_list.runs),
            }
            app.exit()

    asyncio.run(go(False))
    asyncio.run(go(True))
    return result


# --------------------------------------------------------------------------- parent


def run_child(mode: str, args: argparse.Namespace) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = out.name
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        mode,
        "--runs",
        str(args.runs),
        "--presses",
        str(args.presses),
        "--page-gap",
        str(args.page_gap),
        "--out",
        out_path,
    ]
    print(f"· {mode:<10} running in a fresh process…", end="", flush=True, file=sys.stderr)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    print(f" {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
        raise SystemExit(f"{mode} measurement failed (exit {proc.returncode})")
    data = json.loads(Path(out_path).read_text())
    os.unlink(out_path)
    return data


def fmt_ok(ok: bool | None) -> str:
    return "" if ok is None else ("  ok" if ok else "  MISSED")


def _s(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f} s"


def print_load(runs: int, marker: dict, res: dict) -> None:
    raw, store, app = res.get("raw"), res.get("store"), res.get("app")
    if not (raw or store or app):
        return
    print()
    print(f"Loading {runs:,} runs (20 metrics, 20 params, 5 tags each) from {marker['uri']}")
    print(f"  {'measurement':<54}{'value':>16}   goal")
    line = lambda label, value, goal="": print(f"  {label:<54}{value:>16}   {goal}")  # noqa: E731
    if raw:
        line("(a) raw search_runs, 1000/page: full load", _s(raw["full_s"]))
        line("    per run / CPU time", f"{raw['full_s'] / max(1, raw['runs']) * 1000:.3f} ms / {raw['cpu_s']:.0f} s")
        line(
            "    first page of 1000 / single page of 100",
            f"{raw['first_page_1000_s']:.2f} / {raw['first_page_100_s']:.2f} s",
        )
        line("    runs / pages", f"{raw['runs']:,} / {raw['pages']}")
    if store:
        first, rest = store.get("page_sizes", (100, 1000))
        line(f"(b) Store.iter_runs ({first}, then {rest}/page): full load", _s(store["full_s"]))
        line(
            f"    first page ({store.get('first_page_runs', first)} runs) / CPU time",
            f"{store['first_page_s']:.2f} s / {store['cpu_s']:.0f} s",
        )
        line("    runs / pages", f"{store['runs']:,} / {store['pages']}")
        if raw:
            line("    ratio (b)/(a)", f"{store['full_s'] / raw['full_s']:.2f}")
    if app:
        data = app
        line(
            "(c) app: rows in run table (row_count > 0)",
            _s(data["first_rows_from_load_s"]),
            f"after {data['pages_at_first_rows']} page fetch(es){fmt_ok(data['pages_at_first_rows'] == 1)}",
        )
        painted_pages = data.get("pages_at_first_paint")
        line(
            "    first run painted on screen",
            _s(data.get("first_paint_from_load_s")),
            f"after {painted_pages} page fetch(es){fmt_ok(painted_pages == 1)}",
        )
        line("    rows in run table, from app launch (incl. import)", _s(data["first_rows_from_launch_s"]))
        line("    full load / CPU time", f"{data['full_from_load_s']:.2f} s / {data['cpu_s']:.0f} s")
        line("    full load, from app launch", _s(data["full_from_launch_s"]))
        line("    rows in table / pages", f"{data['rows']:,} / {data['pages']}")
        if raw:
            ratio = data["full_from_load_s"] / raw["full_s"]
            line(
                "    RATIO (c) app full load / (a) raw full load",
                f"{ratio:.2f}",
                f"<= {GOAL_RATIO}{fmt_ok(ratio <= GOAL_RATIO)}",
            )
        if store:
            line(
                "    (c) - (b), per page",
                f"{(data['full_from_load_s'] - store['full_s']) / max(1, data['pages']) * 1000:.0f} ms",
            )
    steady = {k: steady_page_s(v["stamps"]) for k, v in res.items() if v and v.get("stamps")}
    steady = {k: v for k, v in steady.items() if v is not None}
    if steady:
        print(
            "  steady page of 1000 (median gap from page 3 on): "
            + ", ".join(f"{k} {steady[k]:.2f} s" for k in ("raw", "store", "app") if k in steady)
        )
    gcs = [(k, v["gc"]) for k, v in res.items() if v and v.get("gc")]
    if gcs:
        print(
            "  cyclic GC time during the load (gc.callbacks): "
            + ", ".join(
                f"{k} {g['total_s']:.1f} s ({g['full']} full, longest {g['longest_s'] * 1000:.0f} ms)" for k, g in gcs
            )
        )
    print()
    print(f"  {'peak memory (ru_maxrss)':<40}{'peak RSS':>12}{'before load':>14}{'growth':>12}")
    for name, data in (
        ("(a) raw, pages dropped", raw),
        ("(b) Store, Runs kept", store),
        ("(c) app, all rows loaded", app),
    ):
        if data:
            growth = data["peak_mb"] - data["rss_before_mb"]
            goal = f"   goal < {GOAL_MEMORY_MB:.0f} MB{fmt_ok(data['peak_mb'] < GOAL_MEMORY_MB)}" if data is app else ""
            print(f"  {name:<40}{data['peak_mb']:>9,.0f} MB{data['rss_before_mb']:>11,.0f} MB{growth:>9,.0f} MB{goal}")
    if app and runs:
        print(f"  {'(c) growth per run':<40}{(app['peak_mb'] - app['rss_before_mb']) * 1024 / runs:>9,.2f} KB")


def print_keys(res: dict) -> None:
    app = res.get("app")
    if not app:
        return
    floor = app["keys"]["unbound (pilot floor)"]["wall"]["mean"]
    print()
    print(f"  key latency with all {app['rows']:,} rows loaded (focus: {app['focused']})")
    print(f"  {'':26}{'press + pause (Pilot)':^36}{'key event -> repainted':^30}")
    print(
        f"  {'key':<22}{'n':>4}{'wall mean':>11}{'p95':>8}{'max':>8}{'CPU mean':>10}"
        f"{'mean':>9}{'p95':>8}{'max':>8}   goal < {GOAL_KEY_MS:.0f} ms"
    )
    for key, pilot_s in app["keys"].items():
        w, c = pilot_s["wall"], pilot_s["cpu"]
        out = f"  {key:<22}{w['n']:>4}{w['mean']:>9.1f}ms{w['p95']:>6.1f}ms{w['max']:>6.1f}ms{c['mean']:>8.1f}ms"
        precise = app["precise"].get(key)
        if precise and precise["painted"]["n"]:
            p = precise["painted"]
            out += f"{p['mean']:>7.1f}ms{p['p95']:>6.1f}ms{p['max']:>6.1f}ms{fmt_ok(p['p95'] < GOAL_KEY_MS)}"
        print(out)
    b = res.get("busy")
    if b:
        busy = b["busy"]
        p, m = busy["painted"], busy["moved"]
        out = f"  {'down, while loading':<22}{busy['presses']:>4}{'-':>11}{'-':>8}{'-':>8}{'-':>10}"
        if p["n"]:
            out += f"{p['mean']:>7.1f}ms{p['p95']:>6.1f}ms{p['max']:>6.1f}ms{fmt_ok(p['p95'] < GOAL_KEY_MS)}"
        else:
            out += f"{'never':>9}{'':>16}  MISSED"
        print(out)
        print(
            f"  {'':26}one press every 0.5 s over the {b['busy_load_s']:.0f} s load: cursor moved after"
            f" {m['mean']:.1f} ms mean / {m['max']:.0f} ms max; {busy['unpainted']} of {busy['presses']}"
            f" presses not repainted within 2 s; {busy['over_goal']} painted >= {GOAL_KEY_MS:.0f} ms;"
            f" first run painted {_s(b.get('first_paint_from_load_s'), 1)} after the load began"
        )
    print(
        f"  (Pilot: `await pilot.press(k)` + `await pilot.pause()` sleeps in 20 ms steps until the process is idle,"
        f"\n   so it cannot go below ~{floor:.0f} ms (the unbound key) and waits up to 1 s per step while pages load;"
        f"\n   CPU = process time in the window. 'key event -> repainted': the key is posted as Pilot does, then"
        f"\n   polled every 0.5 ms on the app's loop until the cursor moved and the run table repainted.)"
    )
    print()
    print("  with every run loaded:")
    print(
        f"    RunLayout.rebuild_now() (live refresh, fold, group, local sort): {app['rebuild_rows_s'] * 1000:,.0f} ms"
    )
    print(
        f"    one full gc.collect(): {app['full_gc_s'] * 1000:,.0f} ms over {app['gc_tracked_objects']:,} tracked objects"
    )


def print_nested(res: dict) -> None:
    nested = res.get("nested")
    if not nested:
        return
    print()
    print(
        f"  Streaming {nested['flat']['rows']:,} synthetic runs into RunList ({nested['flat']['pages']} pages,"
        f" one every {nested['page_gap_s']:.2f} s; tree re-laid at most every {nested['rebuild_every_s']:.0f} s,"
        f" in a thread from {nested['threaded_from']:,} runs):"
    )
    print(
        f"  {'':28}{'_add_runs':>10}{'worst page':>11}{'layouts':>8}{'worst swap':>11}"
        f"{'loop lag max':>13}{'p99':>7}{'>=50ms':>8}{'last layout':>12}"
    )
    for key, title in (("flat", "flat runs (pages append)"), ("nested", "9 in 10 runs are children")):
        d = nested[key]
        print(
            f"  {title:<28}{d['add_runs_total_s']:>8.2f} s{d['max_page_s'] * 1000:>8.0f} ms"
            f"{d['layouts_while_streaming']:>8}{d['max_swap_s'] * 1000:>8.0f} ms"
            f"{d['lag_max_s'] * 1000:>10.0f} ms{d['lag_p99_s'] * 1000:>4.0f} ms{d['lags_over_50ms']:>8}"
            f"{d['final_s']:>10.2f} s" + ("" if d["in_place"] else "  ROWS WRONG")
        )
    print(
        "  (loop lag: how late a 5 ms timer on the app's event loop fired, i.e. how long a key press would wait;"
        "\n   worst swap: set_rows of a finished layout, on the UI thread; last layout: from the end of the"
        "\n   load until every row is in tree order)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=FULL_SIZE)
    parser.add_argument("--presses", type=int, default=50, help="presses per key (default 50)")
    parser.add_argument("--only", action="append", choices=list(MODES), help="run only these measurements (repeatable)")
    parser.add_argument(
        "--page-gap",
        type=float,
        default=0.7,
        help="nested: real seconds between pages (default 0.7, the app's steady page of 1000 at 100k)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--from-json", type=Path, help="print the report of an earlier --json run, measure nothing")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        marker = ensure_store(args.runs, quiet=True)
        uri, exp_id, exp_name = store_uri(args.runs), marker["experiment_id"], marker["experiment_name"]
        if args.child == "raw":
            data = child_raw(uri, exp_id, args.runs)
        elif args.child == "store":
            data = child_store(uri, exp_id, args.runs)
        elif args.child == "nested":
            data = child_nested(args.runs, args.page_gap)
        else:
            data = child_app(uri, exp_name, args.runs, args.presses, busy=args.child == "busy")
        args.out.write_text(json.dumps(data))
        return 0

    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        runs = saved.pop("runs")
        print_load(runs, {"uri": store_uri(runs)}, saved)
        print_keys(saved)
        print_nested(saved)
        return 0

    marker = ensure_store(args.runs)
    if not marker["reused"]:
        print(f"built the store in {marker['seconds']['total']:.0f} s", file=sys.stderr)
    results = {}
    modes = args.only or list(MODES)
    for mode in modes:
        results[mode] = run_child(mode, args)
        if mode not in ("busy", "nested"):
            got = results[mode].get("runs", results[mode].get("rows"))
            if got != args.runs:
                raise SystemExit(f"{mode}: loaded {got} runs, expected {args.runs}")
    print_load(args.runs, marker, results)
    print_keys(results)
    print_nested(results)
    if args.json:
        args.json.write_text(json.dumps({"runs": args.runs, **results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
