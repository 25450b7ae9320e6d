"""The SQL fast path (`mltui.sqlfast`) against the direct-SQL floor and the raw MlflowClient.

    python bench/bench_fastpath.py                # 100,000 runs (store built once, ~1 min); ~15 min
    python bench/bench_fastpath.py --runs 2000    # quick check, ~30 s
    python bench/bench_fastpath.py --only fast    # one mode (floor, raw-gc, raw-nogc, fast)

Every round of every mode runs in a fresh subprocess, so imports, caches and
memory peaks do not leak between them; each figure is min / median of the rounds.

  floor     sqlite3 alone: the run rows in MLflow's default order, then every
            latest metric, param and tag of the experiment in one scan each,
            into one dict per run. The physical floor of reading the data.
  raw-gc    MlflowClient.search_runs, first page of 100 then pages of 1000
            (mltui's page sizes), cyclic GC on as every MlflowClient user gets it.
  raw-nogc  the same with gc.disable() before the first call.
  fast      mltui.sqlfast.iter_runs with its default pages (100, then 1000),
            keeping every Run, as the run list does.
  mltui     mltui.store.Store.iter_runs as the app calls it (the fast path
            wired in, each page built in a worker thread, pages frozen for
            the GC, and mlflow imported in the background after the first
            page, as the app does), plus `s` on a metric column once every run
            is loaded: the in-memory sort and layout the run list does
            (runview.layout_rows).

Per round: first rows (from the parent's Popen to the first page in hand, so
interpreter start and imports count), full load (from the first call to the
last page), a filter round trip on the loaded process (`FILTER`, all matching
runs), and peak RSS. `fast` also times a full load ordered by a metric (MLflow's
own query for that runs for minutes at 100k, so raw is not timed there).

Not a test: pytest never collects this folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from build_big_store import FULL_SIZE, ensure_store, store_uri  # noqa: E402

MODES = ("floor", "mltui", "fast", "raw-nogc", "raw-gc")  # the slow ones last
FILTER = "params.optimizer = 'adam' and metrics.accuracy > 0.9"
ORDER = ["metrics.accuracy DESC"]


def _peak_mb() -> float:
    """This process's peak resident set (VmHWM; ru_maxrss would count the parent before exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child_floor(uri: str, exp_id: str) -> dict:
    import gc
    import sqlite3

    gc.disable()  # the floor: no collector pauses (the fast path pauses it per page too)
    t0, c0 = time.perf_counter(), time.process_time()
    con = sqlite3.connect(uri[len("sqlite:///") :])
    rows = con.execute(
        "SELECT run_uuid, name, experiment_id, status, start_time, end_time, lifecycle_stage, user_id FROM runs "
        "WHERE experiment_id = ? AND lifecycle_stage = 'active' ORDER BY start_time DESC, run_uuid",
        (int(exp_id),),
    ).fetchall()
    first = time.time()
    # Whole-table scans, rows of other experiments skipped: cheaper than any join or index lookup.
    data = {r[0]: ({}, {}, {}) for r in rows}
    nan = float("nan")
    for rid, key, value, is_nan in con.execute("SELECT run_uuid, key, value, is_nan FROM latest_metrics"):
        if (run := data.get(rid)) is not None:
            run[0][key] = nan if is_nan else value
    for slot, table in ((1, "params"), (2, "tags")):
        for rid, key, value in con.execute(f"SELECT run_uuid, key, value FROM {table}"):
            if (run := data.get(rid)) is not None:
                run[slot][key] = value
    full, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"first_wall": first, "full_s": full, "full_cpu_s": cpu, "runs": len(data), "peak_mb": _peak_mb()}


def child_raw(uri: str, exp_id: str, gc_on: bool) -> dict:
    import gc
    import logging

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    if not gc_on:
        gc.disable()
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    t0, c0 = time.perf_counter(), time.process_time()
    page = client.search_runs([exp_id], max_results=100)
    first, n, token = time.time(), len(page), page.token
    while token:
        page = client.search_runs([exp_id], max_results=1000, page_token=token)
        n, token = n + len(page), page.token  # pages dropped as they arrive: the fetch work alone
    full, cpu = time.perf_counter() - t0, time.process_time() - c0
    t1 = time.perf_counter()
    matched, token = 0, None
    while True:
        page = client.search_runs([exp_id], FILTER, max_results=1000, page_token=token)
        matched, token = matched + len(page), page.token
        if not token:
            break
    return {
        "first_wall": first,
        "full_s": full,
        "full_cpu_s": cpu,
        "runs": n,
        "filter_s": time.perf_counter() - t1,
        "matched": matched,
        "peak_mb": _peak_mb(),
    }


def child_fast(uri: str, exp_id: str) -> dict:
    from mltui import sqlfast

    t0, c0 = time.perf_counter(), time.process_time()
    pages = sqlfast.iter_runs(uri, [exp_id])
    held = list(next(pages))
    first = time.time()
    for page in pages:
        held.extend(page)
    full, cpu = time.perf_counter() - t0, time.process_time() - c0
    t1 = time.perf_counter()
    matched = sum(len(p) for p in sqlfast.iter_runs(uri, [exp_id], FILTER))
    filter_s = time.perf_counter() - t1
    peak = _peak_mb()
    n = len(held)
    del held
    t2 = time.perf_counter()
    pages = sqlfast.iter_runs(uri, [exp_id], order_by=ORDER)
    sorted_first = len(next(pages))
    sorted_first_s = time.perf_counter() - t2
    sorted_n = sorted_first + sum(len(p) for p in pages)
    return {
        "first_wall": first,
        "full_s": full,
        "full_cpu_s": cpu,
        "runs": n,
        "filter_s": filter_s,
        "matched": matched,
        "sorted_first_s": sorted_first_s if sorted_first else None,
        "sorted_full_s": time.perf_counter() - t2 if sorted_n == n else None,
        "peak_mb": peak,
    }


def child_mltui(uri: str, exp_id: str) -> dict:
    import asyncio

    from mltui.runview import layout_rows
    from mltui.store import Store

    store = Store(uri)
    held: list = []
    marks: dict = {}

    async def load(filter_string: str = "") -> list:
        runs: list = []
        async for page in store.iter_runs([exp_id], filter_string):
            if not runs:
                marks.setdefault("first", time.time())
            runs.extend(page)
        return runs

    t0, c0 = time.perf_counter(), time.process_time()
    held = asyncio.run(load())
    full, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert store.last_note == "", store.last_note
    t1 = time.perf_counter()
    matched = len(asyncio.run(load(FILTER)))
    filter_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    rows, _ = layout_rows(held, ("m:accuracy", True), None, set(), set())
    sort_s = time.perf_counter() - t2
    return {
        "first_wall": marks["first"],
        "full_s": full,
        "full_cpu_s": cpu,
        "runs": len(held),
        "filter_s": filter_s,
        "matched": matched,
        "sort_s": sort_s if len(rows) == len(held) else None,
        "peak_mb": _peak_mb(),
    }


def run_child(mode: str, uri: str, exp_id: str) -> dict:
    """One round in a fresh interpreter; first rows counted from Popen."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.time()
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--uri", uri, "--exp", exp_id],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["first_s"] = result.pop("first_wall") - start
    return result


def _fmt(values: list[float | None]) -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return "-"
    return f"{min(vals):8.2f} / {statistics.median(vals):8.2f}"


def report(results: dict[str, list[dict]]) -> None:
    """The table of every mode measured so far."""
    print()
    header = f"{'mode':<10}{'full load':>20}{'full load CPU':>20}{'first rows':>20}{'filter round trip':>20}{'peak RSS MB':>14}"
    print(header)
    print("-" * len(header))
    for mode, rounds in results.items():

        def col(key: str, rounds: list[dict] = rounds) -> str:
            return _fmt([r.get(key) for r in rounds])

        print(
            f"{mode:<10}{col('full_s'):>20}{col('full_cpu_s'):>20}{col('first_s'):>20}{col('filter_s'):>20}{max(r['peak_mb'] for r in rounds):>14.0f}"
        )
    if "fast" in results:
        fast = results["fast"]
        print(
            f"\nfast, ordered by {ORDER[0]}: first page {_fmt([r['sorted_first_s'] for r in fast])}, "
            f"full load {_fmt([r['sorted_full_s'] for r in fast])}"
        )
        print(f"filter matched {fast[0]['matched']:,} runs")
        base = statistics.median(r["full_s"] for r in fast)
        for mode in ("floor", "raw-gc", "raw-nogc"):
            if mode in results:
                other = statistics.median(r["full_s"] for r in results[mode])
                cpu = statistics.median(r["full_cpu_s"] for r in fast) / statistics.median(
                    r["full_cpu_s"] for r in results[mode]
                )
                print(f"fast full load / {mode}: {base / other:.2f}x wall, {cpu:.2f}x CPU")
    if "mltui" in results:
        print(
            f"mltui: `s` on a metric with every run loaded (in memory): {_fmt([r['sort_s'] for r in results['mltui']])}"
        )
        base = statistics.median(r["full_s"] for r in results["mltui"])
        for mode in ("floor", "raw-gc", "raw-nogc"):
            if mode in results:
                print(
                    f"mltui full load / {mode}: {base / statistics.median(r['full_s'] for r in results[mode]):.2f}x wall"
                )
    if "raw-gc" in results and "fast" in results:
        raw, fast = results["raw-gc"][0]["matched"], results["fast"][0]["matched"]
        print(f"filter result counts: raw {raw:,}, fast {fast:,} ({'same' if raw == fast else 'DIFFERENT'})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=FULL_SIZE)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=MODES, action="append")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--exp", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child = {
            "floor": lambda: child_floor(args.uri, args.exp),
            "raw-gc": lambda: child_raw(args.uri, args.exp, gc_on=True),
            "raw-nogc": lambda: child_raw(args.uri, args.exp, gc_on=False),
            "fast": lambda: child_fast(args.uri, args.exp),
            "mltui": lambda: child_mltui(args.uri, args.exp),
        }[args.child]
        print(json.dumps(child()))
        return 0

    marker = ensure_store(args.runs)
    uri, exp_id = store_uri(args.runs), marker["experiment_id"]
    modes = args.only or list(MODES)
    print(f"{args.runs:,} runs x 20 metrics x 20 params x 5 tags, {args.rounds} rounds, min / median (s)")
    print(f"filter: {FILTER}")
    results: dict[str, list[dict]] = {}
    for mode in modes:
        results[mode] = []
        for r in range(args.rounds):
            res = run_child(mode, uri, exp_id)
            results[mode].append(res)
            print(f"  {mode:<9} round {r + 1}: full {res['full_s']:.2f} s, first {res['first_s']:.2f} s", flush=True)
            if res["runs"] != args.runs:
                raise SystemExit(f"{mode} read {res['runs']} runs, expected {args.runs}")
        if mode != modes[-1]:
            report(results)  # partial figures, in case the slow modes are cut short
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
