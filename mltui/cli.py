"""Command line: `mltui [LOCATION]`, `mltui demo`, `mltui diff RUN_ID...`.

Only parses arguments and dispatches; importing this module stays cheap
(no mlflow, no Textual) so errors and `--help` answer at once.
"""

from __future__ import annotations

import argparse
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
    from mltui.diff_cli import diff_parser

    return diff_parser()


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
    except Exception as exc:  # noqa: BLE001 - a crash is one line, a log file and a failure code
        from mltui.lifecycle import report_crash

        return report_crash(exc)


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
    """Run the app, then leave at once: `q` must not wait for a hung request's thread."""
    from mltui.app import MltuiApp
    from mltui.lifecycle import leave, run_app

    try:
        code = run_app(MltuiApp(store, experiment=experiment), store.close)
    finally:
        store.close()
    leave(code)
    return code  # not reached: leave() ends the process


def run_diff(args: argparse.Namespace) -> int:
    """`mltui diff [STORE] RUN...`: see mltui.diff_cli."""
    from mltui.diff_cli import run_diff as diff

    return diff(args)
