"""mltui over a real `mlflow server` (10,000 runs): first rows, full load and the tree's run counts.

    python bench/bench_rest.py               # 10,000 runs (bulk-built store), 3 rounds
    python bench/bench_rest.py --runs 2000   # quick check

The store comes from build_big_store.py (bulk insert, reused); a fresh
`mlflow server --workers 1` serves a copy of it on 127.0.0.1 and is killed by
PID at the end. Per round, each in a fresh process:
  raw      MlflowClient.search_runs, first page of 100, then pages of 1000 (dropped).
  mltui    Store.iter_runs as the run list calls it (100, then 1000, every Run kept),
           then Store.run_counts (one page of at most 1,000 runs per experiment:
           "1,000+"), against the old count that paged up to 10,000 runs.
Prints min / median of the rounds. The load is server-bound: the server's
CPU share is the main cost, so a loaded machine shifts every figure.

Not a test: pytest never collects this folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from build_big_store import ensure_store, store_dir  # noqa: E402


def child_raw(uri: str, exp_id: str) -> dict:
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    t0 = time.perf_counter()
    page = client.search_runs([exp_id], max_results=100)
    first, n, token = time.perf_counter() - t0, len(page), page.token
    while token:
        page = client.search_runs([exp_id], max_results=1000, page_token=token)
        n, token = n + len(page), page.token
    full = time.perf_counter() - t0
    t1, counted, token = time.perf_counter(), 0, None
    while counted < 10_000:  # the count mltui did before: paging up to 10,000 runs
        page = client.search_runs([exp_id], max_results=1000, page_token=token)
        counted, token = counted + len(page), page.token
        if not token:
            break
    return {"first_s": first, "full_s": full, "runs": n, "count_s": time.perf_counter() - t1, "count": counted}


def child_mltui(uri: str, exp_id: str) -> dict:
    import asyncio

    from mltui.store import Store

    # mltui gives up on a page after 4 s (a dead server must fail fast); a loaded bench server
    # can take longer for 1,000 runs, so the raw client's own default applies to both here.
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "120")

    async def go() -> dict:
        store = Store(uri)
        await store.connect()
        t0, first, held = time.perf_counter(), None, []
        async for page in store.iter_runs([exp_id]):
            first = first or time.perf_counter() - t0
            held.extend(page)
        full = time.perf_counter() - t0
        t1 = time.perf_counter()
        count = (await store.run_counts([exp_id]))[exp_id]
        return {
            "first_s": first,
            "full_s": full,
            "runs": len(held),
            "count_s": time.perf_counter() - t1,
            "count": str(count),
        }

    return asyncio.run(go())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path, artifacts: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", f"sqlite:///{db}",
         "--artifacts-destination", str(artifacts), "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{uri}/health", timeout=1) as resp:
                if resp.status == 200:
                    return proc, uri
        except OSError:
            time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit("mlflow server did not start")


def fmt(values: list[float]) -> str:
    return f"{min(values):7.2f} / {statistics.median(values):7.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=("raw", "mltui"), help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--exp", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps((child_raw if args.child == "raw" else child_mltui)(args.uri, args.exp)))
        return 0
    marker = ensure_store(args.runs)
    exp_id = marker["experiment_id"]
    with tempfile.TemporaryDirectory(prefix="mltui-rest-bench-") as tmp:
        db = Path(tmp) / "mlflow.db"
        shutil.copy(store_dir(args.runs) / "mlflow.db", db)
        proc, uri = start_server(db, Path(tmp) / "artifacts")
        try:
            results: dict[str, list[dict]] = {"raw": [], "mltui": []}
            for r in range(args.rounds):
                for mode in results:
                    out = subprocess.run(
                        [sys.executable, __file__, "--child", mode, "--uri", uri, "--exp", exp_id],
                        env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    res = json.loads(out.stdout.strip().splitlines()[-1])
                    results[mode].append(res)
                    print(f"  {mode:<6} round {r + 1}: {res}", flush=True)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    print(f"\n{args.runs:,} runs over a real mlflow server, {args.rounds} rounds, min / median (s)")
    print(f"{'mode':<8}{'first rows':>20}{'full load':>20}{'run count':>20}  count shown")
    for mode, rounds in results.items():
        print(
            f"{mode:<8}{fmt([r['first_s'] for r in rounds]):>20}{fmt([r['full_s'] for r in rounds]):>20}"
            f"{fmt([r['count_s'] for r in rounds]):>20}  {rounds[0]['count']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
