"""`mltui diff [STORE] RUN RUN...`: the diff table for CI logs and scripts.

Runs are named the way the UI shows them: a whole run id, a unique prefix
of one (4+ hex digits, like the 8 the tables show) or a run name (any case,
a whole name beating a part of one). The store is given as for `mltui`
itself: a first argument that is a file, folder or URI, `--tracking-uri`,
or `$MLFLOW_TRACKING_URI`. Importing this module stays cheap (no mlflow).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_USAGE = 2
IN_APP_HINTS = (" (press R to retry)",)  # advice that only makes sense inside the UI


class DiffUsageError(Exception):
    """A reference that names no run, or several: exit 2 with these lines."""


def diff_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mltui diff",
        description="Print the diff of runs, for CI logs and scripts. "
        "RUN is a run id, a unique prefix of one (4+ hex digits) or a run name.",
    )
    parser.add_argument("refs", nargs="+", metavar="[STORE] RUN", help="an optional store, then two or more runs")
    parser.add_argument("--baseline", metavar="RUN", help="run to compare against (default: the first)")
    parser.add_argument("--format", choices=["markdown", "csv", "json"], default="markdown")
    parser.add_argument("--changed-only", action="store_true", help="hide rows identical across runs")
    parser.add_argument("--tracking-uri", metavar="URI", help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI)")
    parser.add_argument(
        "--artifact", metavar="PATH", help="compare this artifact across the runs instead (exit 0 equal, 1 differ)"
    )
    return parser


def looks_like_store(text: str) -> bool:
    """A file, a folder or a URI: what `mltui STORE` accepts, never a run id or a name."""
    if "://" in text or text.startswith(("sqlite:", "file:", "databricks")) or text.endswith(".db"):
        return True
    return Path(text).expanduser().exists()


def split_store(refs: Sequence[str], tracking_uri: str | None) -> tuple[str | None, list[str]]:
    """(store, run references): the first argument is the store when it looks like one."""
    refs = list(refs)
    if tracking_uri:
        return tracking_uri, refs
    if len(refs) > 1 and looks_like_store(refs[0]):
        return refs[0], refs[1:]
    return None, refs


def outside_the_app(message: str) -> str:
    """A store error as a command line should say it (no UI keys)."""
    for hint in IN_APP_HINTS:
        message = message.replace(hint, "")
    return message


async def resolve(store: Any, refs: Sequence[str]) -> list[Any]:
    """One run per reference, or DiffUsageError naming what is missing or ambiguous."""
    runs = []
    for ref in refs:
        found = await store.resolve_run(ref)
        if len(found) == 1:
            runs.append(found[0])
            continue
        if not found:
            raise DiffUsageError(f"No run matches {ref!r} (tried run id, id prefix, run name)")
        from mltui.lookup import candidates_text

        names = {e.experiment_id: e.name for e in await store.experiments(include_deleted=True)}
        lines = "\n".join("  " + line for line in candidates_text(found, names))
        raise DiffUsageError(f"{ref!r} matches {len(found)} runs; give more of the id:\n{lines}")
    return runs


def run_diff(args: argparse.Namespace) -> int:
    """Find the runs, diff them with the UI's engine, print to stdout."""
    from mltui.diff import DiffOptions, build_diff
    from mltui.export import export
    from mltui.store import Store, StoreError

    location, refs = split_store(args.refs, args.tracking_uri)
    if args.baseline and args.baseline not in refs:
        refs.insert(0, args.baseline)
    store = Store(location, read_only=True)
    try:
        runs = asyncio.run(resolve(store, refs))
    except DiffUsageError as exc:
        return _fail(str(exc))
    except StoreError as exc:
        return _fail(outside_the_app(str(exc)))
    finally:
        store.close()
    if args.artifact:
        from mltui.artifact_diff_cli import run_artifact_diff

        return run_artifact_diff(args.artifact, [run.run_id for run in runs], location)
    baseline = runs[refs.index(args.baseline)].run_id if args.baseline else None
    result = build_diff(runs, baseline, DiffOptions(changed_only=args.changed_only))
    sys.stdout.write(export(result, args.format))
    sys.stdout.flush()
    return 0


def _fail(message: str) -> int:
    print(f"mltui: {message}", file=sys.stderr)
    return EXIT_USAGE
