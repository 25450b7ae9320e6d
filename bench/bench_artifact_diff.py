"""Bench: compare two large logs with `mltui.artifact_diff` and report time and memory growth.

Generates two logs of `--size` MiB (default 200) in a temp dir, differing in a
few lines near the start and the end, then runs `compare_artifact` on them
twice: once plain (wall time, RSS growth) and once under tracemalloc (Python
peak). The goal for issue 13 is under 50 MiB of growth. Run by hand:

    PYTHONPATH=$PWD .venv/bin/python bench/bench_artifact_diff.py [--size 200] [--window 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

from mltui.artifact_diff import CompareOptions, compare_artifact, render_plain

MIB = 1 << 20
GOAL = 50 * MIB


def make_logs(folder: Path, size: int) -> tuple[Path, Path]:
    """Two logs of about `size` bytes, written in blocks; B differs in 3 lines near each end."""
    a, b = folder / "a.log", folder / "b.log"
    lines_per_block = 10_000
    step = 0
    with open(a, "w") as fa, open(b, "w") as fb:
        while fa.tell() < size:
            block = [
                f"2026-11-26 05:{(step + i) // 60 % 60:02d}:{(step + i) % 60:02d} INFO train step={step + i} "
                f"loss={1 / (1 + (step + i) / 1000):.6f} lr=0.0003 tokens={(step + i) * 4096}\n"
                for i in range(lines_per_block)
            ]
            text = "".join(block)
            fa.write(text)
            if step == 0:  # early differences
                block[100] = "2026-11-26 05:01:40 WARN loss spike: 7.25\n"
                block[200] = block[200].replace("INFO", "DEBUG")
                block[300] = "2026-11-26 05:05:00 INFO checkpoint saved\n"
                text = "".join(block)
            fb.write(text)
            step += lines_per_block
        tail = "2026-11-26 23:59:59 INFO done: accuracy=0.9{}\n"
        fa.write(tail.format(1) + "exit 0\n")
        fb.write(tail.format(4) + "extra line in B\nexit 1\n")
    return a, b


def rss() -> int:
    """Current resident set size in bytes."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux), so the peak below belongs to the comparison."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_rss() -> int:
    """Peak resident set size in bytes since the last reset (VmHWM)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200, help="size of each log in MiB (default 200)")
    parser.add_argument("--window", type=int, default=2, help="MiB read from each end (default 2)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="mltui-bench-artifact-diff-"))
    try:
        started = time.perf_counter()
        a, b = make_logs(folder, args.size * MIB)
        made = time.perf_counter() - started
        print(f"logs: {a.stat().st_size / MIB:.1f} MiB and {b.stat().st_size / MIB:.1f} MiB, written in {made:.1f} s")
        files = [("run-a", a), ("run-b", b)]
        options = CompareOptions(window=args.window * MIB)

        compare_artifact("train.log", files, options=options)  # warm imports and the page cache
        before = rss()
        exact_peak = reset_peak()
        started = time.perf_counter()
        result = compare_artifact("train.log", files, options=options)
        text = render_plain(result)
        elapsed = time.perf_counter() - started
        rss_growth = peak_rss() - before

        tracemalloc.start()
        compare_artifact("train.log", files, options=options)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        diff = result.runs[0].diff
        print(f"notes: {'; '.join(result.notes)}")
        print(f"result: {diff.summary()} ({len(text.splitlines())} lines of unified diff)")
        print(f"{'measure':<34}{'value':>12}")
        print(f"{'compare + render time':<34}{elapsed:>10.2f} s")
        label = "peak RSS growth" + ("" if exact_peak else " (ru_maxrss)")
        print(f"{label:<34}{rss_growth / MIB:>8.1f} MiB")
        print(f"{'tracemalloc peak (Python)':<34}{traced_peak / MIB:>8.1f} MiB")
        verdict = "OK" if max(rss_growth, traced_peak) < GOAL else "OVER"
        print(f"goal < {GOAL // MIB} MiB growth: {verdict}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
