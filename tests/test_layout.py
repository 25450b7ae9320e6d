"""The screen layout as a user meets it: which panes show at which width, the footer, help, first screen, images."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil

import pytest
from conftest import focus_by_tab, log_run, make_experiment, new_client, press_until, settle
from rich.console import Console
from textual.binding import Binding
from textual.widgets._footer import FooterKey

from mltui.app import MltuiApp
from mltui.config import Config, config_path
from mltui.screens.help import HelpScreen
from mltui.screens.image import ImageScreen
from mltui.store import Store
from mltui.widgets.artifact_viewer import ArtifactViewer
from mltui.widgets.experiment_tree import ExperimentTree
from mltui.widgets.image_loader import fit_cells
from mltui.widgets.key_footer import KeyFooter
from mltui.widgets.pane_tabs import PaneTabs
from mltui.widgets.run_list import RunList
from mltui.widgets.status_bar import StatusBar

PANE_IDS = ["experiments", "runs", "diff", "artifacts"]
T0 = 1_700_000_000_000


@pytest.fixture(scope="module")
def layout_store(tmp_path_factory):
    """Two experiments; the one sorted last holds the newest run, which has a PNG artifact."""
    from PIL import Image

    root = tmp_path_factory.mktemp("layout")
    client = new_client(root)
    old = make_experiment(client, root, "alpha-old")
    new = make_experiment(client, root, "zeta-new")
    log_run(client, old, "old-run", {"accuracy": 0.5}, start_time=T0)
    log_run(client, new, "plain-run", {"accuracy": 0.8}, {"C": "0.5"}, start_time=T0 + 500_000)
    newest = log_run(client, new, "newest-run", {"accuracy": 0.9}, {"C": "1.0"}, start_time=T0 + 900_000)
    picture = root / "plot.png"
    Image.new("RGB", (400, 200), (200, 40, 40)).save(picture)
    client.log_artifact(newest, str(picture))
    return {"uri": f"sqlite:///{root}/mlflow.db", "root": root}


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """A config dir of the test's own: layout keys write config.json."""
    monkeypatch.setenv("MLTUI_CONFIG_DIR", str(tmp_path))
    return tmp_path


def shown(widget) -> bool:
    """On screen: laid out with a non-empty region."""
    return widget.region.area > 0


async def started(app, pilot) -> None:
    await settle(app, pilot)
    await pilot.pause(0.3)  # the artifact pane lists a run once the cursor rests on it
    await settle(app, pilot)


# -- first screen -----------------------------------------------------------------


async def test_first_screen_opens_the_experiment_of_the_newest_run(layout_store, config_dir):
    app = MltuiApp(Store(layout_store["uri"], read_only=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        runs = app.query_one(RunList)
        assert [e.name for e in runs.experiments] == ["zeta-new"]
        assert runs.table.row_count == 2
        assert app.focused is runs.table
        assert "zeta-new: it has the newest run" in str(app.query_one(StatusBar).render())
        tree = app.query_one(ExperimentTree)
        assert tree.cursor_node is not None and tree.cursor_node.data.name == "zeta-new"


async def test_tree_shows_a_cursor_from_the_start(tmp_path, config_dir):
    client = new_client(tmp_path)
    make_experiment(client, tmp_path, "empty-a")
    make_experiment(client, tmp_path, "empty-b")
    app = MltuiApp(Store(f"sqlite:///{tmp_path}/mlflow.db"))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        tree = app.query_one(ExperimentTree)
        assert app.focused is tree
        assert tree.cursor_line == 0 and tree.cursor_node is not None
        assert app.query_one(RunList).experiments == [], "no runs anywhere: nothing is opened"
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert [e.name for e in app.query_one(RunList).experiments] == ["empty-a"]


# -- footer -----------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 120, 160, 200])
async def test_footer_always_shows_help_first(layout_store, config_dir, width):
    app = MltuiApp(Store(layout_store["uri"], read_only=True))
    async with app.run_test(size=(width, 40)) as pilot:
        await started(app, pilot)
        assert app.focused is app.query_one(RunList).table, "the run list has the most keys"
        keys = list(app.query_one(KeyFooter).query(FooterKey))
        assert [k.key for k in keys[:2]] == ["question_mark", "tab"]
        help_key = keys[0]
        assert shown(help_key) and help_key.region.right <= width
        assert "Help" in str(help_key.render())
        assert {"space", "slash"} <= {k.key for k in keys}, "the pane's own keys follow"


# -- wide layout --------------------------------------------------------------------


async def test_artifact_pane_is_narrow_until_focused_and_the_diff_takes_the_rest(layout_store, config_dir):
    app = MltuiApp(Store(layout_store["uri"], read_only=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        viewer = app.query_one(ArtifactViewer)
        diff = app.query_one("#diff")
        assert viewer.run_id is not None and not viewer.has_class("-empty")
        assert viewer.size.width <= 34 < diff.size.width
        assert not shown(viewer.preview), "unfocused, the pane shows its file list only"
        await focus_by_tab(pilot, app, viewer.artifact_tree)
        await pilot.pause()
        assert viewer.size.width > diff.size.width and shown(viewer.preview)
        # a run without artifacts: the pane shrinks further
        runs = app.query_one(RunList)
        await focus_by_tab(pilot, app, runs.table)
        await pilot.press("down")
        await started(app, pilot)
        assert viewer.has_class("-empty")
        assert viewer.size.width <= 28
        assert "no artifacts" in str(viewer.preview.query_one("#preview-message").render())


async def test_brackets_narrow_hide_and_restore_the_tree_and_remember_it(layout_store, config_dir):
    app = MltuiApp(Store(layout_store["uri"], read_only=True), config=Config.load())
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        tree = app.query_one(ExperimentTree)
        runs = app.query_one(RunList)
        normal = tree.size.width
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert 0 < tree.size.width < normal
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert not shown(tree)
        assert runs.size.width > 100, "the run list takes the tree's room"
        assert json.loads(config_path().read_text())["tree_width"] == "hidden"
    again = MltuiApp(Store(layout_store["uri"], read_only=True))
    async with again.run_test(size=(120, 40)) as pilot:
        await started(again, pilot)
        tree = again.query_one(ExperimentTree)
        assert not shown(tree), "remembered across sessions"
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert tree.size.width > normal
        assert Config.load().tree_width == "wide"


# -- narrow layout ---------------------------------------------------------------------


async def test_under_100_columns_one_pane_at_a_time_and_tab_visits_each(layout_store, config_dir):
    app = MltuiApp(Store(layout_store["uri"], read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        tabs = app.query_one(PaneTabs)
        assert shown(tabs)
        strip = str(tabs.render())
        assert all(name in strip for name in ("Experiments", "Runs", "Diff", "Artifacts", "tab"))
        visited = []
        for key in ["tab"] * 4 + ["shift+tab"] * 4:
            on_screen = [pane_id for pane_id in PANE_IDS if shown(app.query_one(f"#{pane_id}"))]
            assert on_screen == [app.main.current_pane] == [tabs.current], "exactly one pane, named by the strip"
            assert app.query_one(f"#{app.main.current_pane}").size.width >= 76, "and it has the whole width"
            visited.append(app.main.current_pane)
            await pilot.press(key)
            await settle(app, pilot)
        assert visited == ["runs", "diff", "artifacts", "experiments", "runs", "experiments", "artifacts", "diff"]
        assert app.main.current_pane == "runs"
        assert "tab" in {k.key for k in app.query_one(KeyFooter).query(FooterKey)}


async def test_narrow_layout_switches_back_when_the_terminal_widens(layout_store, config_dir):
    app = MltuiApp(Store(layout_store["uri"], read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        assert [p for p in PANE_IDS if shown(app.query_one(f"#{p}"))] == ["runs"]
        await pilot.resize_terminal(140, 40)
        await settle(app, pilot)
        assert all(shown(app.query_one(f"#{p}")) for p in PANE_IDS)
        assert not shown(app.query_one(PaneTabs))


# -- help ------------------------------------------------------------------------------


def declared_everywhere() -> list[Binding]:
    """Every binding with a description that any mltui widget, screen or the App declares."""
    import mltui.screens
    import mltui.widgets

    modules = ["mltui.app"]
    for package in (mltui.widgets, mltui.screens):
        modules += [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
    found = []
    for name in modules:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and "BINDINGS" in vars(cls):
                found += [b for b in Binding.make_bindings(vars(cls)["BINDINGS"]) if b.description]
    return found


async def test_help_lists_every_key_of_every_pane_and_scrolls(layout_store, config_dir):
    app = MltuiApp(Store(layout_store["uri"], read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, color_system=None)
        console.print(app.screen.query_one("#help-table").content)
        lines = console.export_text().splitlines()
        expected = declared_everywhere()
        assert len(expected) > 40
        for binding in expected:
            key = app.get_key_display(binding)
            assert any(binding.description in line and key in line.split() for line in lines), (
                f"{key} {binding.description!r} missing from help"
            )
        for title in ("Global", "Experiments", "Runs", "Diff", "Artifacts", "Chart (screen)"):
            assert any(line.strip() == title for line in lines), title
        assert any("Full screen" in line and "f" in line.split() for line in lines), "the artifact pane's keys"
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


# -- images -----------------------------------------------------------------------------


def test_fit_cells_fills_the_box_without_distortion():
    assert fit_cells((400, 200), (40, 40), (10, 20)) == (40, 10)  # width-bound
    assert fit_cells((100, 400), (100, 20), (10, 20)) == (10, 20)  # height-bound
    assert fit_cells((40, 20), (80, 40), (10, 20)) == (80, 20), "small images grow"
    assert fit_cells((0, 10), (80, 40), (10, 20)) == (0, 0)
    assert fit_cells((10, 10), (0, 40), (10, 20)) == (0, 0)


async def test_image_fills_its_pane_redraws_maximized_and_goes_full_screen(layout_store, config_dir):
    app = MltuiApp(Store(layout_store["uri"], read_only=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        viewer = app.query_one(ArtifactViewer)
        tree = viewer.artifact_tree
        await focus_by_tab(pilot, app, tree)
        await press_until(
            pilot, lambda: getattr(tree.cursor_node.data, "name", "") == "plot.png", lambda: tree.cursor_line, ["down"]
        )
        await pilot.press("enter")
        await settle(app, pilot)
        box = viewer.preview.query_one("#preview-image")
        image = box.children[0]
        small = image.size
        assert small.width == box.size.width or small.height == box.size.height, "fills one side of the pane"
        await pilot.press("z")
        await settle(app, pilot)
        await pilot.pause()
        assert image.size.width > small.width and image.size.height > small.height
        assert image.size.width == box.size.width or image.size.height == box.size.height
        await pilot.press("f")
        await settle(app, pilot)
        assert isinstance(app.screen, ImageScreen)
        full = app.screen.query_one("#full-image").children[0]
        assert full.size.width >= image.size.width and full.size.height >= image.size.height
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ImageScreen)
        await pilot.press("enter")  # Enter again on the image on show: full screen too
        await pilot.pause()
        assert isinstance(app.screen, ImageScreen)


def test_tree_width_steps_clamp_and_a_bad_saved_value_falls_back(tmp_path):
    config = Config()
    assert config.tree_width == "normal"
    assert [config.step_tree_width(-1) for _ in range(3)] == ["narrow", "hidden", "hidden"]
    assert [config.step_tree_width(1) for _ in range(4)] == ["narrow", "normal", "wide", "wide"]
    path = tmp_path / "config.json"
    config.save(path)
    assert Config.load(path).tree_width == "wide"
    path.write_text(json.dumps({"tree_width": "enormous"}))
    assert Config.load(path).tree_width == "normal"
