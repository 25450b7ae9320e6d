"""What the screen looks like at 80x24, 120x40 and 200x50, on the demo store (pytest-textual-snapshot).

The SVGs under `__snapshots__/` are reviewed like code; after a deliberate
change to the look, re-run with `--snapshot-update` and look at the new ones.

Everything drawn must be the same on every machine and every build:
- the demo store's run ids come from a seeded generator (MLflow's SQL store
  draws them from `uuid.uuid4`), its timestamps are fixed by the builder;
- times are shown in UTC; the store is opened by a relative URI from its
  own folder, so no temp path is drawn;
- images are drawn with textual-image's Unicode renderer at a 10x20 cell,
  as in a terminal that answers no graphics queries.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from pathlib import Path

import pytest
from conftest import cursor_to_column, cursor_to_key, focus_by_tab, press_until, settle

from mltui.app import MltuiApp
from mltui.config import Config
from mltui.demo import CLASSIFIER_EXPERIMENT, EVALUATE_EXPERIMENT, ensure_demo
from mltui.store import Store
from mltui.widgets.artifact_viewer import ArtifactViewer
from mltui.widgets.run_list import RunList

SIZES = [(80, 24), (120, 40), (200, 50)]
size_ids = [f"{w}x{h}" for w, h in SIZES]


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    """The demo store, built once for every xdist worker, with run ids from a seeded generator."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "mltui-snapshot-demo"
    from mlflow.store.tracking import sqlalchemy_store

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sqlalchemy_store, "uuid", SeededUuid(20250602))
        ensure_demo(root)
    return root


class SeededUuid:
    """The `uuid` module as MLflow's SQL store sees it during the build: `uuid4` from a seeded generator.

    Only the store's own module gets it: elsewhere MLflow draws uuids once per
    process (telemetry), which would shift a global sequence with test order.
    """

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def uuid4(self) -> uuid.UUID:
        return uuid.UUID(int=self._rng.getrandbits(128), version=4)

    def __getattr__(self, name: str):
        return getattr(uuid, name)


@pytest.fixture
def demo_app(demo_root, monkeypatch):
    """A factory of read-only apps on the demo store, drawn the same on every machine."""
    import textual_image.widget

    monkeypatch.chdir(demo_root)
    from mltui.widgets import image_loader

    monkeypatch.setitem(image_loader._loaded, image_loader.TERMINAL_KIND, textual_image.widget.UnicodeImage)
    monkeypatch.setattr("mltui.widgets.image_loader.cell_pixels", lambda: (10, 20))
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()

    def make(experiment: str | None = None) -> MltuiApp:
        return MltuiApp(Store("sqlite:///mlflow.db", read_only=True), experiment=experiment, config=Config())

    yield make
    if old_tz is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old_tz
    time.tzset()


async def started(pilot) -> None:
    app = pilot.app
    await settle(app, pilot)
    await pilot.pause(0.3)  # the artifact pane lists a run once the cursor rests on it
    await settle(app, pilot)


async def tick(pilot, *names: str) -> None:
    """Walk the run list's cursor to each run by name and tick it (the first is the baseline)."""
    runs = pilot.app.query_one(RunList)
    for name in names:
        run_id = next(r.run_id for r in runs.runs.values() if r.name == name)
        await cursor_to_key(pilot, runs.table, run_id)
        await pilot.press("space")
    await settle(pilot.app, pilot)


async def open_artifact(pilot, name: str) -> None:
    """Focus the artifact tree of the highlighted run and press Enter on file `name`."""
    app = pilot.app
    tree = app.query_one(ArtifactViewer).artifact_tree
    await focus_by_tab(pilot, app, tree)
    await press_until(
        pilot, lambda: getattr(tree.cursor_node.data, "name", "") == name, lambda: tree.cursor_line, ["down"]
    )
    await pilot.press("enter")
    await settle(app, pilot)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_main_view(snap_compare, demo_app, size):
    """The first screen of the demo: the experiment with the newest run, opened."""
    assert snap_compare(demo_app(), terminal_size=size, run_before=started)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_diff_of_two_runs(snap_compare, demo_app, size):
    async def before(pilot):
        await started(pilot)
        await tick(pilot, "logreg-baseline", "logreg-tuned")
        await focus_by_tab(pilot, pilot.app, pilot.app.query_one("#diff-table"))
        await settle(pilot.app, pilot)

    assert snap_compare(demo_app(CLASSIFIER_EXPERIMENT), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_diff_of_three_runs(snap_compare, demo_app, size):
    async def before(pilot):
        await started(pilot)
        await tick(pilot, "logreg-baseline", "logreg-tuned", "random-forest")
        await focus_by_tab(pilot, pilot.app, pilot.app.query_one("#diff-table"))
        await settle(pilot.app, pilot)

    assert snap_compare(demo_app(CLASSIFIER_EXPERIMENT), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_run_detail_with_one_ticked(snap_compare, demo_app, size):
    async def before(pilot):
        await started(pilot)
        await tick(pilot, "logreg-tuned")
        await pilot.press("tab")
        await settle(pilot.app, pilot)

    assert snap_compare(demo_app(CLASSIFIER_EXPERIMENT), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_csv_preview_scrolled_right(snap_compare, demo_app, size):
    async def before(pilot):
        await started(pilot)
        await open_artifact(pilot, "per_class_metrics.csv")
        table = pilot.app.query_one("#preview-table")
        await focus_by_tab(pilot, pilot.app, table)
        await cursor_to_column(pilot, table, len(table.columns) - 1)
        await settle(pilot.app, pilot)

    assert snap_compare(demo_app(EVALUATE_EXPERIMENT), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_image_maximized(snap_compare, demo_app, size):
    async def before(pilot):
        await started(pilot)
        await open_artifact(pilot, "confusion_matrix.png")
        await pilot.press("z")
        await settle(pilot.app, pilot)

    assert snap_compare(demo_app(EVALUATE_EXPERIMENT), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_help_screen(snap_compare, demo_app, size):
    async def before(pilot):
        await started(pilot)
        await pilot.press("question_mark")
        await settle(pilot.app, pilot)

    assert snap_compare(demo_app(CLASSIFIER_EXPERIMENT), terminal_size=size, run_before=before)
