"""Diffing 50 runs x 200 metrics: `build_diff` alone, and compute + first render in the app.

    python bench/bench_diff.py                      # 50 runs x 200 metrics x 20 params
    python bench/bench_diff.py --runs 10 --metrics 50 --repeat 5

Builds a throw-away SQLite store in a temp dir with real MlflowClient calls
(`log_batch`), fetches the runs with mltui's `Store.get_runs`, then measures:

  build_diff      `mltui.diff.build_diff(runs, baseline)` on the plain `Run`s.
  show_runs       inside `MltuiApp.run_test(size=(160, 48))`:
                  `DiffView.show_runs(runs, baseline)` then `await pilot.pause()`.
                  "first render" is the time from calling show_runs to the last
                  `render_line` call of the diff's VirtualTable in the repaint that
                  follows (diffs over 4,000 cells are computed in a thread worker,
                  and the table paints on the next compositor pass, both after
                  show_runs returns); "wall" adds the pilot's idle-detection sleeps.
  tick all (a)    the user's path: `a` in the run list ticks every run, the app
                  forwards TicksChanged to show_runs; measured the same way.

`--ballast 100000` keeps that many synthetic `Run`s (20 metrics, 20 params,
5 tags) alive during the app measurements, as a run list holding 100,000 runs
does, to show what Python's cyclic GC then adds to each diff.

Not a test: pytest never collects this folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

GOAL_MS = 200.0


def quiet_logs() -> None:
    import logging

    for name in ("mlflow", "alembic", "sqlalchemy"):
        logging.getLogger(name).setLevel(logging.WARNING)


def build_store(root: Path, runs: int, metrics: int, params: int) -> tuple[str, str, list[str], float]:
    """Log `runs` runs with real client calls; return (uri, experiment id, run ids, seconds)."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag

    quiet_logs()
    t = time.perf_counter()
    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(uri)
    exp = client.create_experiment("diff-bench", artifact_location=(root / "artifacts").as_uri())
    rng = random.Random(7)
    keys = [
        f"{part}/{kind}_{k:03d}"
        for k, (part, kind) in enumerate(
            (p, q) for p in ("train", "val", "test", "layer") for q in ("loss", "acc", "norm", "time", "f1")
        )
    ]
    while len(keys) < metrics:
        keys.append(f"extra/metric_{len(keys):03d}")
    keys = keys[:metrics]
    ids = []
    now = int(time.time() * 1000)
    for i in range(runs):
        run = client.create_run(exp, run_name=f"sweep-{i:02d}", tags={"team": "vision", "variant": f"v{i % 4}"})
        run_id = run.info.run_id
        # Two metrics are missing from every 7th run, so "missing" rows and the summary show up.
        present = [k for j, k in enumerate(keys) if not (i % 7 == 3 and j in (5, 17))]
        batch = [Metric(k, rng.random() * (10 if "time" in k else 1), now, 10) for k in present]
        for lo in range(0, len(batch), 1000):
            client.log_batch(run_id, metrics=batch[lo : lo + 1000])
        ps = [
            Param(
                f"param_{p:02d}",
                str(round(rng.choice([0.1, 0.01, 0.001]) * (1 + p % 3), 6))
                if p % 2
                else rng.choice(["adam", "sgd", "adamw"]),
            )
            for p in range(params)
        ]
        client.log_batch(run_id, params=ps, tags=[RunTag("seed", str(i))])
        client.set_terminated(run_id)
        ids.append(run_id)
    return uri, exp, ids, time.perf_counter() - t


class GcClock:
    """Time spent in Python's cyclic garbage collector (gc.callbacks)."""

    def __init__(self) -> None:
        import gc

        self.total = 0.0
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start


GC = GcClock()


def ballast_runs(count: int) -> list:
    """`count` plain Runs shaped like the bench store's (what a loaded run list holds)."""
    from mltui.models import Run

    metrics = [f"metric_{j:02d}" for j in range(20)]
    params = [f"param_{j:02d}" for j in range(20)]
    return [
        Run(
            run_id=f"{i:032x}",
            name=f"run-{i:06d}",
            experiment_id="1",
            start_time=1_700_000_000_000 + i,
            end_time=1_700_000_100_000 + i,
            metrics={k: (i * 7 + j) / 1e5 for j, k in enumerate(metrics)},
            params={k: str((i + j) % 97) for j, k in enumerate(params)},
            tags={
                "mlflow.runName": f"run-{i:06d}",
                "mlflow.user": "alice",
                "mlflow.source.name": "train.py",
                "mlflow.source.type": "LOCAL",
                "team": "vision",
            },
        )
        for i in range(count)
    ]


class RenderClock:
    """Wraps one widget's render_line (instance attribute) to timestamp every call."""

    def __init__(self, widget) -> None:
        self.calls = 0
        self.last = 0.0
        original = widget.render_line

        def render_line(y: int):
            strip = original(y)
            self.calls += 1
            self.last = time.perf_counter()
            return strip

        widget.render_line = render_line


async def measure_show(pilot, view, clock: RenderClock, runs, baseline) -> dict:
    t0, c0, g0 = time.perf_counter(), time.process_time(), GC.total
    calls0 = clock.calls
    view.show_runs(runs, baseline)
    t_sync = time.perf_counter()
    await pilot.app.workers.wait_for_complete()  # large diffs are computed in a thread worker
    await pilot.pause()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rendered = clock.calls > calls0
    return {
        "sync_ms": (t_sync - t0) * 1000,
        "first_render_ms": (clock.last - t0) * 1000 if rendered else None,
        "wall_ms": wall * 1000,
        "cpu_ms": cpu * 1000,
        "lines": clock.calls - calls0,
        "gc_ms": (GC.total - g0) * 1000,
    }


def med(rows: list[dict], key: str) -> float:
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--metrics", type=int, default=200)
    parser.add_argument("--params", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=10, help="timed repetitions (default 10)")
    parser.add_argument("--keep", action="store_true", help="keep the temp store and print its path")
    parser.add_argument("--samples", action="store_true", help="print every sample, not only first/median/min")
    parser.add_argument(
        "--ballast",
        type=int,
        default=0,
        help="keep this many synthetic Runs alive during the app measurements (e.g. 100000)",
    )
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="mltui-bench-diff-"))
    os.environ["MLTUI_CONFIG_DIR"] = str(root / "config")
    try:
        uri, _exp_id, ids, log_s = build_store(root, args.runs, args.metrics, args.params)
        from mltui.app import MltuiApp
        from mltui.config import Config
        from mltui.diff import build_diff
        from mltui.store import Store
        from mltui.widgets.diff_view import DiffView
        from mltui.widgets.run_list import RunList

        store = Store(uri, read_only=True)

        async def fetch():
            await store.connect()
            t = time.perf_counter()
            got = await store.get_runs(ids)
            return got, time.perf_counter() - t

        runs, fetch_s = asyncio.run(fetch())
        baseline = runs[0].run_id

        # build_diff alone: one cold call, then `repeat` timed calls.
        t = time.perf_counter()
        result = build_diff(runs, baseline)
        cold_ms = (time.perf_counter() - t) * 1000
        warm = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            build_diff(runs, baseline)
            warm.append((time.perf_counter() - t) * 1000)
        cells = sum(len(row.cells) for row in result.rows)

        app_rows: list[dict] = []
        tick_rows: list[dict] = []
        info: dict = {}

        ballast = ballast_runs(args.ballast)

        async def in_app() -> None:
            app = MltuiApp(Store(uri, read_only=True), experiment="diff-bench", config=Config())
            async with app.run_test(size=(160, 48)) as pilot:
                run_list = app.query_one(RunList)
                deadline = time.perf_counter() + 120
                while run_list.table.row_count < len(runs) or run_list.fetching:
                    if time.perf_counter() > deadline:
                        raise SystemExit("the run list did not load")
                    await asyncio.sleep(0.01)
                await app.workers.wait_for_complete()
                await pilot.pause()
                view = app.query_one(DiffView)
                clock = RenderClock(view.table)
                info["pause_floor_ms"] = statistics.median([await _timed(pilot.pause) for _ in range(5)])
                # Alternate between two baselines so every call really recomputes and redraws.
                for k in range(args.repeat + 1):
                    app_rows.append(await measure_show(pilot, view, clock, runs, runs[k % 2].run_id))
                    await pilot.pause()
                info["table_rows"] = view.table.row_count
                info["table_columns"] = len(view.table.columns)
                # The user's path: clear ticks (A), then tick all (a) in the run list.
                run_list.table.focus()
                await pilot.pause()
                for _ in range(max(3, args.repeat // 2)):
                    await pilot.press("A")
                    await pilot.pause()
                    calls0 = clock.calls
                    t0, c0 = time.perf_counter(), time.process_time()
                    await pilot.press("a")
                    await app.workers.wait_for_complete()
                    await pilot.pause()
                    tick_rows.append(
                        {
                            "first_render_ms": (clock.last - t0) * 1000 if clock.calls > calls0 else None,
                            "wall_ms": (time.perf_counter() - t0) * 1000,
                            "cpu_ms": (time.process_time() - c0) * 1000,
                            "ticked": len(run_list.ticked),
                        }
                    )
                app.exit()

        async def _timed(fn) -> float:
            t = time.perf_counter()
            await fn()
            return (time.perf_counter() - t) * 1000

        asyncio.run(in_app())
        del ballast
    finally:
        if args.keep:
            print(f"store kept at {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    first, rest = app_rows[0], app_rows[1:]
    print()
    if args.ballast:
        print(f"With {args.ballast:,} synthetic Runs held in memory during the app measurements (--ballast)")
    print(
        f"Diff of {args.runs} runs x {args.metrics} metrics x {args.params} params "
        f"({len(result.rows)} rows, {cells:,} cells; table {info['table_rows']} rows x {info['table_columns']} columns)"
    )
    print(
        f"  store: logged with MlflowClient.log_batch in {log_s:.1f} s; Store.get_runs fetched {len(runs)} runs in {fetch_s * 1000:.0f} ms"
    )
    print(f"  {'measurement':<58}{'first':>9}{'median':>9}{'min':>9}   goal")
    line = lambda label, a, b, c, goal="": print(f"  {label:<58}{a:>7.1f}ms{b:>7.1f}ms{c:>7.1f}ms   {goal}")  # noqa: E731
    line("build_diff(runs, baseline) compute", cold_ms, statistics.median(warm), min(warm))
    sync = [r["sync_ms"] for r in rest]
    line(
        "DiffView.show_runs() call (compute, or hand-off to a thread)",
        first["sync_ms"],
        statistics.median(sync),
        min(sync),
    )
    fr = [r["first_render_ms"] for r in rest if r["first_render_ms"] is not None]
    ok = med(rest, "first_render_ms") < GOAL_MS
    line(
        "show_runs -> first render done (last render_line)",
        first["first_render_ms"] or float("nan"),
        statistics.median(fr) if fr else float("nan"),
        min(fr) if fr else float("nan"),
        f"< {GOAL_MS:.0f} ms  {'ok' if ok else 'MISSED'}",
    )
    line(
        "show_runs + await pilot.pause(), wall", first["wall_ms"], med(rest, "wall_ms"), min(r["wall_ms"] for r in rest)
    )
    line(
        "show_runs + await pilot.pause(), CPU (process time)",
        first["cpu_ms"],
        med(rest, "cpu_ms"),
        min(r["cpu_ms"] for r in rest),
    )
    line("  of which cyclic GC (gc.callbacks)", first["gc_ms"], med(rest, "gc_ms"), min(r["gc_ms"] for r in rest))
    if tick_rows:
        tfr = [r["first_render_ms"] for r in tick_rows if r["first_render_ms"] is not None]
        line(
            f"press 'a' (tick all {tick_rows[0]['ticked']}) -> diff rendered",
            tick_rows[0]["first_render_ms"] or float("nan"),
            statistics.median(tfr) if tfr else float("nan"),
            min(tfr) if tfr else float("nan"),
        )
        line(
            "press 'a' + await pilot.pause(), wall",
            tick_rows[0]["wall_ms"],
            med(tick_rows, "wall_ms"),
            min(r["wall_ms"] for r in tick_rows),
        )
    if args.samples:
        print("  samples, ms (sync / first render / wall / cpu):")
        for k, r in enumerate(app_rows):
            print(
                f"    show_runs #{k} baseline {k % 2}: {r['sync_ms']:.0f} / {r['first_render_ms'] or float('nan'):.0f}"
                f" / {r['wall_ms']:.0f} / {r['cpu_ms']:.0f}"
            )
        print("    build_diff: " + ", ".join(f"{w:.0f}" for w in warm))
    print(
        f"  (an idle `await pilot.pause()` alone takes {info['pause_floor_ms']:.1f} ms: Textual's wait_for_idle sleeps"
        f" in 20 ms steps; 'first' = first call in the app (cold), median/min over {len(rest)} more)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
