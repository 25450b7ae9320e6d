"""Rebuild the SVG screenshots in this folder from the demo store.

    python screenshots/make_screenshots.py

Each shot drives the real app with Textual's Pilot, as a user would.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from mltui.app import MltuiApp  # noqa: E402
from mltui.demo import (  # noqa: E402
    CLASSIFIER_EXPERIMENT,
    MMLU_EXPERIMENT,
    SMOKE_EXPERIMENT,
    SWEEP_EXPERIMENT,
    ensure_demo,
)
from mltui.store import Store  # noqa: E402
from mltui.widgets.artifact_viewer import ArtifactViewer  # noqa: E402
from mltui.widgets.diff_view import DiffView  # noqa: E402
from mltui.widgets.run_list import RunList  # noqa: E402

SIZE = (200, 50)


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def tick_names(app, pilot, names: list[str]) -> None:
    """Tick runs by name, in order (the first becomes the baseline)."""
    runs = app.query_one(RunList)
    for name in names:
        run_id = next(r.run_id for r in runs.runs.values() if r.name == name)
        runs.table.cursor_row = runs.table.index_of(run_id)
        await pilot.press("space")


async def overview(uri: str) -> None:
    """Every pane at once: the two classifier runs of the seed case, +0.07 on accuracy."""
    app = MltuiApp(Store(uri, read_only=True), experiment=CLASSIFIER_EXPERIMENT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await tick_names(app, pilot, ["logreg-baseline", "logreg-tuned"])
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "overview.svg"))


async def diff_view(uri: str) -> None:
    """The diff pane maximized (z) over three classifier runs."""
    app = MltuiApp(Store(uri, read_only=True), experiment=CLASSIFIER_EXPERIMENT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await tick_names(app, pilot, ["logreg-baseline", "logreg-tuned", "random-forest"])
        app.query_one(DiffView).table.focus()
        await pilot.press("z")
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "diff.svg"))


async def artifact_view(uri: str) -> None:
    """An evaluation-harness run's results.yml, previewed in the artifact pane."""
    app = MltuiApp(Store(uri, read_only=True), experiment=MMLU_EXPERIMENT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        runs = app.query_one(RunList)
        runs.table.cursor_row = runs.table.index_of(
            next(r.run_id for r in runs.runs.values() if r.name.startswith("llama"))
        )
        await settle(app, pilot)
        await asyncio.sleep(0.3)  # the pane lists a run once the cursor rests on it
        await settle(app, pilot)
        viewer = app.query_one(ArtifactViewer)
        viewer.artifact_tree.focus()
        await pilot.press("down", "enter")  # open the artifacts/ folder
        await settle(app, pilot)
        await pilot.press(*["down"] * 5, "enter")  # artifacts/results.yml
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "artifacts.svg"))


async def small_terminal(uri: str) -> None:
    """80x24, as over SSH: one pane at a time, the tab strip on top; the diff of the two classifier runs."""
    app = MltuiApp(Store(uri, read_only=True), experiment=CLASSIFIER_EXPERIMENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await tick_names(app, pilot, ["logreg-baseline", "logreg-tuned"])
        await pilot.press("tab")  # the run list gives way to the diff
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "small-terminal.svg"))


async def run_detail(uri: str) -> None:
    """One run ticked: the diff pane shows that run itself, at 120x40."""
    app = MltuiApp(Store(uri, read_only=True), experiment=CLASSIFIER_EXPERIMENT)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await tick_names(app, pilot, ["logreg-tuned"])
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "run-detail.svg"))


async def grouped_runs(uri: str) -> None:
    """The sweep grouped by model, with mean (min–max) per group."""
    app = MltuiApp(Store(uri, read_only=True), experiment=SWEEP_EXPERIMENT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        runs = app.query_one(RunList)
        runs.group_by = "p:model"
        runs.row_layout.expanded.add("group:p:model=vit")
        runs._update_title()
        runs.row_layout.rebuild_now()
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "runs-grouped.svg"))


async def models_view(uri: str) -> None:
    """The tree's Models section open, churn-classifier's versions listed, @champion v2 vs @challenger v3 in the diff."""
    from mltui.widgets.experiment_tree import ExperimentTree
    from mltui.widgets.model_versions import ModelVersions
    from mltui.widgets.models_tree import ModelEntry, ModelsHeading

    app = MltuiApp(Store(uri, read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tree = app.query_one(ExperimentTree)
        tree.focus()
        while tree.cursor_node is None or not isinstance(tree.cursor_node.data, ModelsHeading):
            await pilot.press("down")
        await pilot.press("enter")  # expand: loads the first page of models
        await settle(app, pilot)
        while not isinstance(tree.cursor_node.data, ModelEntry):
            await pilot.press("down")
        await pilot.press("enter")  # the versions of churn-classifier
        await settle(app, pilot)
        versions = app.query_one(ModelVersions)
        for label in ("v2", "v3"):
            versions.table.cursor_row = next(
                i for i, row in enumerate(versions.table.rows) if row.version.label == label
            )
            await pilot.press("space")
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "models.svg"))


async def artifact_compare(uri: str) -> None:
    """Two harness smoke runs' config.yml compared (c in the artifact pane): limit_samples 50 → 100."""
    app = MltuiApp(Store(uri, read_only=True), experiment=SMOKE_EXPERIMENT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await tick_names(app, pilot, ["smoke-limit-50", "smoke-limit-100"])
        await settle(app, pilot)
        app.query_one(ArtifactViewer).show_run(app.query_one(RunList).baseline_id)
        await asyncio.sleep(0.3)
        await settle(app, pilot)
        app.compare_artifact("artifacts/config.yml")
        await settle(app, pilot)
        await app.screen.workers.wait_for_complete()
        await settle(app, pilot)
        await pilot.press("d")  # every key, the changed ones coloured
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "artifact-compare.svg"))


def main() -> None:
    uri = ensure_demo()
    # From the store's own folder by a relative URI: no machine's path is drawn in a screenshot.
    os.chdir(uri.removeprefix("sqlite:///").rsplit("/", 1)[0])
    uri = "sqlite:///mlflow.db"
    for shot in (
        overview,
        diff_view,
        artifact_view,
        grouped_runs,
        small_terminal,
        run_detail,
        models_view,
        artifact_compare,
    ):
        asyncio.run(shot(uri))
    print(f"wrote {', '.join(sorted(p.name for p in HERE.glob('*.svg')))}")


if __name__ == "__main__":
    main()
