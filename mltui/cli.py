"""Command line: `mltui [LOCATION]`, `mltui demo`, `mltui diff RUN_ID...`.

Only parses arguments and dispatches; importing this module stays cheap
(no mlflow, no Textual) so errors and `--help` answer at once.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from mltui import __version__

EXIT_USAGE = 2


def _ui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mltui",
        description="A keyboard-driven terminal UI for MLflow. Subcommands: `mltui demo`, `mltui diff RUN_ID...`.",
    )
    parser.add_argument("location", nargs="?", help="tracking URI, an mlflow.db file or a local mlruns folder")
    _add_store_options(parser)
    parser.add_argument("--experiment", "-e", metavar="NAME_OR_ID", help="open this experiment's runs directly")
    parser.add_argument("--version", action="version", version=f"mltui {__version__}")
    return parser


def _add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tracking-uri", metavar="URI", help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI)")
    parser.add_argument("--read-only", action="store_true", help="never write to the tracking store")


def _demo_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mltui demo", description="Open mltui on a built-in demo store.")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the demo store from scratch")
    parser.add_argument("--read-only", action="store_true", help="never write to the tracking store")
    parser.add_argument(
        "--experiment", "-e", metavar="NAME_OR_ID", help="open this experiment's runs (default: the classifier runs)"
    )
    return parser


def _diff_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mltui diff", description="Print the diff of runs, for CI logs and scripts.")
    parser.add_argument("run_ids", nargs="+", metavar="RUN_ID")
    parser.add_argument("--baseline", metavar="RUN_ID", help="run to compare against (default: the first)")
    parser.add_argument("--format", choices=["markdown", "csv", "json"], default="markdown")
    parser.add_argument("--changed-only", action="store_true", help="hide rows identical across runs")
    parser.add_argument("--tracking-uri", metavar="URI", help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI)")
    parser.add_argument(
        "--artifact", metavar="PATH", help="compare this artifact across the runs instead (exit 0 equal, 1 differ)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "demo":
            return run_demo(_demo_parser().parse_args(args[1:]))
        if args and args[0] == "diff":
            return run_diff(_diff_parser().parse_args(args[1:]))
        return run_ui(_ui_parser().parse_args(args))
    except KeyboardInterrupt:
        return 130


def _fail(message: str, code: int = 1) -> int:
    print(f"mltui: {message}", file=sys.stderr)
    return code


def run_ui(args: argparse.Namespace) -> int:
    from mltui.store import Store, resolve_location

    location = args.tracking_uri or args.location
    uri, _ = resolve_location(location)
    if (
        location
        and uri == location
        and "://" not in location
        and not location.startswith(("sqlite:", "file:", "databricks"))
    ):
        return _fail(f"{location}: no such file, folder or tracking URI", EXIT_USAGE)
    return _launch(Store(location, read_only=args.read_only), args.experiment)


def run_demo(args: argparse.Namespace) -> int:
    from mltui.demo import CLASSIFIER_EXPERIMENT, demo_root, ensure_demo
    from mltui.store import Store

    root = demo_root()
    print(f"mltui: preparing the demo store in {root} …", file=sys.stderr)
    try:
        uri = ensure_demo(root, rebuild=args.rebuild)
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        return _fail(f"could not build the demo store: {exc}")
    # Open on the seed case, two classifier runs, so the first screen has runs to tick.
    return _launch(Store(uri, read_only=args.read_only), args.experiment or CLASSIFIER_EXPERIMENT)


def _launch(store, experiment: str | None) -> int:
    from mltui.app import MltuiApp

    try:
        MltuiApp(store, experiment=experiment).run()
    finally:
        store.close()
    return 0


def run_diff(args: argparse.Namespace) -> int:
    """Fetch the runs, diff them with the UI's engine, print to stdout."""
    from mltui.diff import DiffOptions, build_diff
    from mltui.export import export
    from mltui.store import Store, StoreError

    if args.artifact:
        from mltui.artifact_diff_cli import run_artifact_diff

        return run_artifact_diff(args.artifact, args.run_ids, args.tracking_uri, baseline=args.baseline)
    if args.baseline and args.baseline not in args.run_ids:
        args.run_ids.insert(0, args.baseline)
    store = Store(args.tracking_uri, read_only=True)
    try:
        runs = asyncio.run(store.get_runs(args.run_ids))
    except StoreError as exc:
        return _fail(str(exc), EXIT_USAGE)
    result = build_diff(runs, args.baseline, DiffOptions(changed_only=args.changed_only))
    sys.stdout.write(export(result, args.format))
    if not sys.stdout.isatty():
        sys.stdout.flush()
    return 0
