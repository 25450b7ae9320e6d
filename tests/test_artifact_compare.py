"""The artifact compare view (`c` in the artifact pane) and `mltui diff --artifact`, on a real store."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from conftest import cell_texts, cursor_to_row, log_run, make_experiment, new_client, open_first_experiment, settle
from textual.widgets import Static
from textual_image.widget import Image

from mltui.app import MltuiApp
from mltui.screens.artifact_compare import ArtifactCompareScreen, CompareRun
from mltui.screens.pick import PickOneScreen
from mltui.store import Store
from mltui.widgets.artifact_viewer import ArtifactViewer
from mltui.widgets.compare_views import DiffLinesView
from mltui.widgets.run_list import RunList
from mltui.widgets.status_bar import StatusBar
from mltui.widgets.virtual_table import VirtualTable

CONFIG = """invocation_id: 71f3
limit_samples: {limit}
model: llama
params:
  temperature: 0.0
  evil: "\\e[31m[bold]x[/bold]"
"""
RESULTS = """tasks:
  mmlu:
    accuracy: {accuracy}
    samples: {limit}
"""
FAILS = {25 * k: f"step {25 * k} FAIL" for k in range(1, 11)}  # ten hunks: more lines than the screen
CSV = "class,precision,recall\ncat,{cat},0.7\ndog,0.8,0.75\nbird,0.6,0.5\n"


def log_lines(changes: dict[int, str]) -> str:
    return "".join(f"{changes.get(i, f'step {i} ok')}\n" for i in range(300))


def make_png(path, colour: str) -> None:
    from PIL import Image as PILImage

    PILImage.new("RGB", (64, 48), colour).save(path)


@pytest.fixture(scope="module")
def harness_store(tmp_path_factory):
    """Harness runs with different config.yml / results.yml / per-class CSV / PNG / log; one lacks config.yml."""
    root = tmp_path_factory.mktemp("compare")
    client = new_client(root)
    exp = make_experiment(client, root, "harness")
    specs = {
        "limit-50": dict(limit=50, accuracy=0.61, cat="0.8", colour="navy", changes={}),
        "limit-100": dict(limit=100, accuracy=0.65, cat="0.8312", colour="maroon", changes=FAILS),
        "moved": dict(limit=70, accuracy=0.6, cat="0.8", colour="navy", changes={}),
        "same-as-50": dict(limit=50, accuracy=0.61, cat="0.8", colour="navy", changes={}),
    }
    ids = {}
    for index, (name, spec) in enumerate(specs.items()):
        run_id = log_run(client, exp, name, {"accuracy": spec["accuracy"]}, start_time=1_000_000 * (index + 1))
        folder = root / "files" / name
        (folder / "artifacts").mkdir(parents=True)
        config = "other" if name == "moved" else "artifacts"
        (folder / config).mkdir(exist_ok=True)
        (folder / config / "config.yml").write_text(CONFIG.format(limit=spec["limit"]))
        (folder / "artifacts" / "results.yml").write_text(RESULTS.format(**spec))
        (folder / "artifacts" / "per_class.csv").write_text(CSV.format(cat=spec["cat"]))
        (folder / "artifacts" / "eval.log").write_text(log_lines(spec["changes"]))
        make_png(folder / "artifacts" / "confusion.png", spec["colour"])
        client.log_artifacts(run_id, str(folder))
        ids[name] = run_id
    return {"uri": f"sqlite:///{root}/mlflow.db", "ids": ids}


async def tick(pilot, app, names: list[str]) -> None:
    """Tick runs by name with the keys a user presses (the first becomes the baseline)."""
    runs = app.query_one(RunList)
    shown = [row[1] for row in cell_texts(runs.table)]
    for name in names:
        await cursor_to_row(pilot, runs.table, shown.index(name))
        await pilot.press("space")
    await settle(app, pilot)


async def highlight(app, pilot, path: str) -> None:
    """Focus the artifact pane and walk its tree cursor to `path`, opening folders on the way."""
    viewer = app.query_one(ArtifactViewer)
    await settle(app, pilot)
    tree = viewer.artifact_tree
    tree.focus()
    node = tree.root
    for part in path.split("/"):
        node = next(n for n in node.children if n.data is not None and n.data.name == part)
        for _ in range(100):
            if tree.cursor_node is node:
                break
            await pilot.press("down" if tree.cursor_line < node.line else "up")
        if node.data.is_dir and not node.is_expanded:
            await pilot.press("space")
            await settle(app, pilot)
    assert tree.cursor_node is node


async def compare(app, pilot, path: str, names: list[str]) -> ArtifactCompareScreen:
    """Tick `names`, highlight `path` in the artifact pane, press c and wait for the comparison."""
    await open_first_experiment(app, pilot, "harness")
    await tick(pilot, app, names)
    runs = app.query_one(RunList)
    await cursor_to_row(pilot, runs.table, [row[1] for row in cell_texts(runs.table)].index(names[0]))
    await highlight(app, pilot, path)
    await pilot.press("c")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ArtifactCompareScreen)
    await screen.workers.wait_for_complete()
    await settle(app, pilot)
    return screen


def shown_text(screen) -> str:
    """Everything the compare screen shows as text: header, notes, changes, diff lines."""
    parts = [str(screen.query_one(f"#{name}", Static).content) for name in ("compare-title", "compare-notes")]
    parts.append(str(screen.query_one("#compare-changes", Static).content))
    parts.append(screen.query_one(DiffLinesView).text)
    return "\n".join(parts)


async def test_config_yml_shows_the_changed_key(harness_store):
    app = MltuiApp(Store(harness_store["uri"]))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await compare(app, pilot, "artifacts/config.yml", ["limit-50", "limit-100"])
        text = shown_text(screen)
        assert "limit_samples: 50 → 100 (+50)" in text
        assert "structured" in text
        table = screen.query_one("#compare-table", VirtualTable)
        rows = cell_texts(table)
        assert rows == [["limit_samples", "50", "100 (+50)"]], "changed rows only by default"
        await pilot.press("d")
        await settle(app, pilot)
        rows = cell_texts(table)
        assert len(rows) == 5
        assert rows[4][:2] == ["params.evil", "[bold]x[/bold]"], "the escape is stripped, the markup shown as text"
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, ArtifactCompareScreen)


async def test_results_and_csv_show_cell_deltas(harness_store):
    app = MltuiApp(Store(harness_store["uri"]))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await compare(app, pilot, "artifacts/per_class.csv", ["limit-50", "limit-100"])
        table = screen.query_one("#compare-table", VirtualTable)
        rows = cell_texts(table)
        assert rows[0][0] == "cat" and "0.8312 (+0.0312)" in rows[0], rows
        column = next(c for c in table.columns if "0.8312" in table.render_cell(table.rows[0], c)[0])
        assert table.render_cell(table.rows[0], column)[1] == "bold green"  # precision went up: better
        assert all(row[0] != "dog" for row in rows)
        await pilot.press("K")  # match rows by another column: recall
        await settle(app, pilot)
        assert isinstance(app.screen, PickOneScreen)
        options = app.screen.query_one("OptionList")
        await pilot.press("down", "down")
        assert options.highlighted == 2
        await pilot.press("enter")
        await settle(app, pilot)
        await screen.workers.wait_for_complete()
        await settle(app, pilot)
        rows = cell_texts(screen.query_one("#compare-table", VirtualTable))
        assert table.columns[0].label == "recall" and rows[0][0] == "0.7", rows


async def test_images_side_by_side_and_labelled(harness_store):
    app = MltuiApp(Store(harness_store["uri"]))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await compare(app, pilot, "artifacts/confusion.png", ["limit-50", "limit-100"])
        assert len(screen.query(Image)) == 2
        labels = [str(label.content) for label in screen.query(".compare-image-label").results(Static)]
        assert [label.split()[0] for label in labels] == ["limit-50", "limit-100"]
        widths = {image.styles.width for image in screen.query(Image)}
        assert len(widths) == 1, "same size images are drawn at the same scale"


async def test_missing_run_is_reported_and_a_file_can_be_picked(harness_store):
    app = MltuiApp(Store(harness_store["uri"]))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await compare(app, pilot, "artifacts/config.yml", ["limit-50", "moved"])
        assert "missing in: moved" in shown_text(screen)
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, PickOneScreen)
        await pilot.press("enter")  # the one file of that name: other/config.yml
        await settle(app, pilot)
        await screen.workers.wait_for_complete()
        await settle(app, pilot)
        text = shown_text(screen)
        assert "missing in" not in text and "moved: compared its other/config.yml" in text
        assert "limit_samples: 50 → 70 (+20)" in text


async def test_log_diff_hunks_n_and_side_by_side(harness_store):
    app = MltuiApp(Store(harness_store["uri"]))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await compare(app, pilot, "artifacts/eval.log", ["limit-50", "limit-100"])
        view = screen.query_one(DiffLinesView)
        lines = view.text.splitlines()
        assert lines[0].startswith("--- a/artifacts/eval.log (limit-50)")
        assert any(line.endswith("-step 25 ok") for line in lines)
        assert any(line.endswith("+step 25 FAIL") for line in lines)
        starts = screen.rendering.hunk_starts
        assert (len(starts), screen.hunk, view.scroll_y) == (10, 0, starts[0])
        await pilot.press("n")
        await pilot.pause()
        assert screen.hunk == 1 and view.scroll_y == starts[1]
        await pilot.press("N")
        await pilot.pause()
        assert screen.hunk == 0 and view.scroll_y == starts[0]
        await pilot.press("v")
        await settle(app, pilot)
        assert "│" in view.text and "step 25 FAIL" in view.text


async def test_three_runs_switch_with_brackets(harness_store):
    app = MltuiApp(Store(harness_store["uri"]))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await compare(app, pilot, "artifacts/results.yml", ["limit-50", "limit-100", "same-as-50"])
        assert "vs limit-100 (1/2" in shown_text(screen)
        assert "tasks.mmlu.accuracy: 0.61 → 0.65 (+0.04)" in shown_text(screen)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert "vs same-as-50 (2/2" in shown_text(screen) and "identical" in shown_text(screen)


async def test_fewer_than_two_ticked_runs_is_one_line(harness_store):
    app = MltuiApp(Store(harness_store["uri"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first_experiment(app, pilot, "harness")
        await tick(pilot, app, ["limit-50"])
        await highlight(app, pilot, "artifacts/config.yml")
        await pilot.press("c")
        await settle(app, pilot)
        assert not isinstance(app.screen, ArtifactCompareScreen)
        assert "two or more ticked runs (1 ticked)" in app.query_one(StatusBar).error


# -- the command line ---------------------------------------------------------------------


def mltui_diff(store, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mltui", "diff", "--tracking-uri", store["uri"], *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_cli_unified_diff_exits_1(harness_store):
    ids = harness_store["ids"]
    result = mltui_diff(harness_store, "--artifact", "artifacts/eval.log", ids["limit-50"], ids["limit-100"])
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "--- a/artifacts/eval.log (limit-50)",
        "+++ b/artifacts/eval.log (limit-100)",
        "@@ -23,7 +23,7 @@",
    ]
    assert "-step 25 ok" in lines and "+step 25 FAIL" in lines
    config = mltui_diff(harness_store, "--artifact", "artifacts/config.yml", ids["limit-50"], ids["limit-100"])
    assert config.returncode == 1 and "~ limit_samples: 50 → 100 (+50)" in config.stdout
    assert "\x1b" not in config.stdout + result.stdout


def test_cli_equal_files_exit_0_and_unknown_run_exits_2(harness_store):
    ids = harness_store["ids"]
    same = mltui_diff(harness_store, "--artifact", "artifacts/config.yml", ids["limit-50"], ids["same-as-50"])
    assert same.returncode == 0, same.stderr
    assert same.stdout == ""
    unknown = mltui_diff(harness_store, "--artifact", "artifacts/config.yml", ids["limit-50"], "0" * 32)
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("mltui: No run with id 00000000") and "Traceback" not in unknown.stderr
    missing = mltui_diff(harness_store, "--artifact", "artifacts/config.yml", ids["limit-50"], ids["moved"])
    assert missing.returncode == 1 and "missing in moved: artifacts/config.yml" in missing.stdout


async def test_small_terminal_keeps_unified_diff_and_stacks_images(harness_store):
    app = MltuiApp(Store(harness_store["uri"]))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await compare(app, pilot, "artifacts/eval.log", ["limit-50", "limit-100"])
        await pilot.press("v")  # 80 columns: side by side is refused with a note
        await settle(app, pilot)
        assert not screen.side_by_side and "│" not in screen.query_one(DiffLinesView).text
        assert app.focused is screen.query_one(DiffLinesView)
        await pilot.press("escape")
        await settle(app, pilot)
        await highlight(app, pilot, "artifacts/confusion.png")
        await pilot.press("c")
        await settle(app, pilot)
        await app.screen.workers.wait_for_complete()
        await settle(app, pilot)
        box = app.screen.query_one("#compare-images")
        assert not box.has_class("-stacked") and len(app.screen.query(Image)) == 2  # two 40-column panels fit


def test_narrow_panels_are_stacked_at_one_scale(tmp_path):
    from mltui.artifact_diff import compare_artifact
    from mltui.widgets.compare_images import image_panels

    small, large = tmp_path / "small.png", tmp_path / "large.png"
    make_png(small, "navy")
    from PIL import Image as PILImage

    PILImage.new("RGB", (128, 96), "red").save(large)
    result = compare_artifact("plot.png", [("a", small), ("b", large), ("c", None)])
    stacked, panels = image_panels(result, {}, 60, 30)  # 20 columns a run: too narrow, stacked
    assert stacked and len(panels) == 3
    stacked, _ = image_panels(result, {}, 120, 30)
    assert not stacked
    layout = result.image_layout(1000, 1000)
    assert [slot.target for slot in layout.slots] == [(64, 48), (128, 96), None]  # one scale: sizes stay 1:2


async def test_palette_command_compares_the_highlighted_file(harness_store):
    app = MltuiApp(Store(harness_store["uri"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first_experiment(app, pilot, "harness")
        await tick(pilot, app, ["limit-50", "limit-100"])
        runs = app.query_one(RunList)
        await cursor_to_row(pilot, runs.table, [row[1] for row in cell_texts(runs.table)].index("limit-50"))
        await highlight(app, pilot, "artifacts/results.yml")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Compare artifact")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ArtifactCompareScreen) and screen.path == "artifacts/results.yml"
        await screen.workers.wait_for_complete()
        await settle(app, pilot)
        assert "tasks.mmlu.accuracy: 0.61 → 0.65 (+0.04)" in shown_text(screen)


class SlowSource:
    """A real store as the compare view's `ArtifactSource`, whose downloads wait until released."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.release = asyncio.Event()
        self.waiting = self.cancelled = False

    async def list_artifacts(self, run_id: str, path: str | None = None):
        return await self.store.list_artifacts(run_id, path)

    async def download_artifact(self, run_id: str, path: str):
        self.waiting = True
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return await self.store.download_artifact(run_id, path)


async def test_escape_closes_and_cancels_the_comparison(harness_store):
    app = MltuiApp(Store(harness_store["uri"]))
    async with app.run_test(size=(120, 40)) as pilot:
        source = SlowSource(app.store)
        runs = [CompareRun(harness_store["ids"][name], name) for name in ("limit-50", "limit-100")]
        screen = ArtifactCompareScreen(source, "artifacts/eval.log", runs)
        await app.push_screen(screen)
        for _ in range(200):  # until the first download is under way
            await pilot.pause(0.05)
            if source.waiting:
                break
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is not screen and source.cancelled and screen.result is None


def test_demo_smoke_runs_differ_in_limit_samples():
    import yaml

    from mltui.demo_files import smoke_runs

    runs = smoke_runs(1_748_854_800_000, start=0, gap=60_000)
    configs = [yaml.safe_load(spec["files"]["artifacts/config.yml"]) for _, spec in runs]
    assert [c["config"]["params"]["limit_samples"] for c in configs] == [50, 100, 100]
    results = [spec["files"]["artifacts/results.yml"] for _, spec in runs]
    assert len(set(results)) == 3 and all("artifacts/per_subject.csv" in spec["files"] for _, spec in runs)
