"""`mltui diff --artifact PATH RUN_A RUN_B ...`: one artifact compared across runs, for scripts and CI logs.

Like `diff`: exit 0 when every run has the file and all equal the baseline,
1 when something differs (or a run lacks the file), 2 on an error. Text files
print as a unified diff; structured files as `~ key: old → new (+delta)` lines;
tables as their changed rows. Output is made inert (no terminal escapes).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

EXIT_EQUAL, EXIT_DIFFERENT, EXIT_ERROR = 0, 1, 2


def run_artifact_diff(
    path: str,
    run_ids: Sequence[str],
    tracking_uri: str | None,
    *,
    baseline: str | None = None,
    kind: str | None = None,
    key: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Download `path` from each run (baseline first), compare, print; return the exit code."""
    from mltui.artifact_diff import CompareOptions, compare_artifact, iter_plain
    from mltui.store import Store, StoreError

    out = out or sys.stdout
    ids = list(dict.fromkeys([baseline, *run_ids] if baseline else run_ids))
    if len(ids) < 2:
        return _fail("--artifact needs two or more runs")
    store = Store(tracking_uri, read_only=True)
    try:
        try:
            files = asyncio.run(_fetch_all(store, ids, path.strip("/")))
        except StoreError as exc:
            return _fail(str(exc))
        try:
            options = CompareOptions(key=key, directional=False)
            result = compare_artifact(path, files, kind, options)
        except (OSError, ValueError) as exc:
            return _fail(f"cannot compare {path}: {exc}")
        for line in iter_plain(result, inert=True):
            out.write(line)
        out.flush()
    finally:
        store.close()
    if result.kind == "none":
        return _fail(f"no run has {path}")
    return EXIT_EQUAL if result.equal else EXIT_DIFFERENT


async def _fetch_all(store, run_ids: list[str], path: str) -> list[tuple[str, Path | None]]:
    """(label, local copy or None) per run; the label is the run name, or its short id when names repeat."""
    runs = await store.get_runs(run_ids)
    names = [run.name for run in runs]
    files: list[tuple[str, Path | None]] = []
    for run in runs:
        label = run.name if names.count(run.name) == 1 else f"{run.name} ({run.short_id})"
        parent = path.rsplit("/", 1)[0] if "/" in path else None
        entries = await store.list_artifacts(run.run_id, parent)
        present = any(entry.path == path and not entry.is_dir for entry in entries)
        files.append((label, await store.download_artifact(run.run_id, path) if present else None))
    return files


def _fail(message: str) -> int:
    from mltui.text import clean

    print(f"mltui: {clean(message, max_len=500)}", file=sys.stderr)
    return EXIT_ERROR
