"""UI tests of the artifact pane against real MLflow stores (SQLite + local root, and a server)."""

from __future__ import annotations

import contextlib
import importlib.util
import pickle
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from conftest import free_port, log_run, make_experiment, new_client, screen_text
from textual.app import App, ComposeResult
from textual.widgets import Footer, Static, Tree
from textual.worker import WorkerCancelled
from textual_image.widget import Image

from mltui.models import ArtifactEntry
from mltui.screens.save_artifact import SaveArtifactScreen
from mltui.store import Store
from mltui.widgets.artifact_preview import display_lines, display_table
from mltui.widgets.artifact_viewer import ArtifactViewer
from mltui.widgets.text_view import TextView
from mltui.widgets.virtual_table import VirtualTable

EVIL = "before\n\x1b]52;c;SGVsbG8=\x07 [link=https://evil.example]click[/link]\n\x1b[2J\x1b[31mafter\n"
HTML = """<html><head><style>p{color:red}</style><script>alert('pwned')</script></head><body>
<h1>Evaluation report</h1><table><tr><th>metric</th><th>value</th></tr>
<tr><td>accuracy</td><td>0.93</td></tr></table></body></html>"""


class Harness(App):
    """The smallest app that hosts the pane: the viewer, handed a real store as its artifact source."""

    def __init__(self, uri: str) -> None:
        super().__init__()
        self.source = Store(uri)

    def compose(self) -> ComposeResult:
        yield ArtifactViewer(self.source)
        yield Footer()


class CountingSource:
    """A real store as an `ArtifactSource` that records every listing asked of it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: list[tuple[str, str | None]] = []

    async def list_artifacts(self, run_id: str, path: str | None = None) -> list[ArtifactEntry]:
        self.calls.append((run_id, path))
        return await self.store.list_artifacts(run_id, path)

    async def download_artifact(self, run_id: str, path: str) -> Path:
        return await self.store.download_artifact(run_id, path)


def make_png(path: Path) -> Path:
    from PIL import Image as PILImage

    img = PILImage.new("RGB", (64, 48), "navy")
    for x in range(64):
        img.putpixel((x, x % 48), (255, 200, 0))
    img.save(path)
    return path


@pytest.fixture(scope="module")
def artifact_store(tmp_path_factory):
    """One run holding one artifact of every previewable kind, logged with real client calls."""
    import pandas as pd

    root = tmp_path_factory.mktemp("artifacts")
    files = tmp_path_factory.mktemp("files")
    client = new_client(root)
    exp = make_experiment(client, root, "artifacts")
    run_id = log_run(client, exp, "with-artifacts")
    client.log_text(
        run_id, "".join(f"epoch {i} loss={1 / (i + 1):.4f}\n" for i in range(500)) + "training done\n", "logs/train.log"
    )
    client.log_text(run_id, EVIL, "evil.txt")
    client.log_dict(run_id, {"learning_rate": 0.01, "layers": [64, 32], "optimizer": {"name": "adam"}}, "config.yaml")
    client.log_dict(run_id, {"accuracy": 0.9321, "labels": ["cat", "[b]dog[/b]"]}, "metrics.json")
    client.log_text(run_id, "artifact_path: model\nflavors:\n  sklearn:\n    sklearn_version: 1.5.0\n", "model/MLmodel")
    client.log_text(run_id, "[train]\nepochs = 12\n", "settings.toml")
    (files / "per_class_metrics.csv").write_text("class,precision,recall\ncat,0.91,0.88\n[red]dog[/red],0.77,0.8\n")
    client.log_artifact(run_id, str(files / "per_class_metrics.csv"), "data")
    (files / "big.csv").write_text("id,name,value\n" + "".join(f"{i},row{i},{i * 0.5}\n" for i in range(12_000)))
    client.log_artifact(run_id, str(files / "big.csv"), "data")
    client.log_table(run_id, pd.DataFrame({"inputs": ["a", "b"], "score": [0.25, 0.75]}), "eval_results_table.json")
    pd.DataFrame({"step": range(30), "value": [i * 0.5 for i in range(30)]}).to_parquet(files / "history.parquet")
    client.log_artifact(run_id, str(files / "history.parquet"), "data")
    from PIL import Image as PILImage

    client.log_image(run_id, PILImage.open(make_png(files / "p.png")), "plots/confusion_matrix.png")
    client.log_text(run_id, "<svg xmlns='http://www.w3.org/2000/svg'><circle r='4'/></svg>", "plots/icon.svg")
    client.log_text(run_id, HTML, "report.html")
    (files / "model.pkl").write_bytes(pickle.dumps({"weights": list(range(300))}))
    client.log_artifact(run_id, str(files / "model.pkl"), "model")
    other = log_run(client, exp, "other")
    client.log_text(other, "only here\n", "other.txt")
    empty = log_run(client, exp, "empty")
    return {
        "uri": f"sqlite:///{root}/mlflow.db",
        "client": client,
        "exp": exp,
        "run": run_id,
        "other": other,
        "empty": empty,
        "files": files,
    }


# -- helpers ---------------------------------------------------------------------------


async def settle(app: App, pilot) -> None:
    """Wait for workers and the refreshes they schedule."""
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):  # a newer load cancelled an older one
            await app.workers.wait_for_complete()
        await pilot.pause()


async def start(app: Harness, pilot, run_id: str) -> ArtifactViewer:
    viewer = app.query_one(ArtifactViewer)
    viewer.show_run(run_id)
    await settle(app, pilot)
    viewer.artifact_tree.focus()
    return viewer


async def move_to(app: Harness, pilot, path: str):
    """Walk the tree cursor with the arrow keys to `path`, opening folders on the way with space."""
    tree = app.query_one(ArtifactViewer).artifact_tree
    node = tree.root
    for part in path.split("/"):
        node = next(n for n in node.children if n.data is not None and n.data.name == part)
        for _ in range(200):
            if tree.cursor_node is node:
                break
            await pilot.press("down" if tree.cursor_line < node.line else "up")
        assert tree.cursor_node is node, f"cursor did not reach {path}"
        if node.data.is_dir and not node.is_expanded:
            await pilot.press("space")  # lists the folder lazily
            await settle(app, pilot)
    return node


async def open_artifact(app: Harness, pilot, path: str) -> None:
    await move_to(app, pilot, path)
    await pilot.press("enter")
    await settle(app, pilot)


async def type_over(pilot, text: str) -> None:
    """Replace the focused input's text by typing: Ctrl+A (start), Ctrl+K (delete to the end), then the keys."""
    await pilot.press("ctrl+a", "ctrl+k", *text)


def status(app: App) -> str:
    return str(app.query_one("#artifact-status", Static).content)


def current_view(app: App) -> str | None:
    return app.query_one("ContentSwitcher").current


# -- display helpers -------------------------------------------------------------------


def test_display_lines_and_rows_are_literal_text():
    lines = display_lines('{\n  "a": "[b]x[/b]"\n}\n', "json")
    assert [line.plain for line in lines] == ["{", '  "a": "[b]x[/b]"', "}"]
    assert any(span.style for span in lines[1].spans)  # highlighted
    assert display_lines("one\ntwo\n", None) == ["one", "two"]
    columns, rows = display_table(["name\x1b[2J", "n"], [["[red]x[/red]", "1"], ["short"], ["x", "2.5"]])
    assert [row.cells for row in rows] == [["[red]x[/red]", "1"], ["short", ""], ["x", "2.5"]]
    assert [(c.label, c.width, c.justify) for c in columns] == [("name", 12, "left"), ("n", 3, "right")]


# -- listing ---------------------------------------------------------------------------


async def test_tree_lists_root_with_sizes_and_folders_lazily(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = await start(app, pilot, artifact_store["run"])
        labels = [str(n.label) for n in viewer.artifact_tree.root.children]
        assert labels[:4] == ["data/", "logs/", "model/", "plots/"]
        assert any(label.startswith("evil.txt") and label.endswith(" B") for label in labels)
        logs = viewer.artifact_tree.root.children[1]
        assert not logs.children  # not listed until opened
        await move_to(app, pilot, "logs/train.log")
        assert [str(n.label).split()[0] for n in logs.children] == ["train.log"]
        text = screen_text(app)
        assert "train.log" in text and "KiB" in text
        assert "Preview" in text and "Save" in text and "Open" in text  # footer shows the pane's keys


async def test_switching_runs_resets_the_tree(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = await start(app, pilot, artifact_store["run"])
        await move_to(app, pilot, "evil.txt")
        await pilot.press("enter")
        viewer.show_run(artifact_store["other"])  # moving away cancels or discards the preview
        await settle(app, pilot)
        assert [str(n.label).split()[0] for n in viewer.artifact_tree.root.children] == ["other.txt"]
        assert current_view(app) == "preview-message" and "evil" not in status(app)
        assert "Select a file" in screen_text(app)
        viewer.show_run(artifact_store["empty"])
        await settle(app, pilot)
        assert "This run has no artifacts" in screen_text(app)
        viewer.show_run(None)
        await settle(app, pilot)
        assert "No run selected" in screen_text(app)


async def test_skimming_runs_lists_only_the_last_one(artifact_store):
    source = CountingSource(Store(artifact_store["uri"]))
    calls = source.calls

    class CountingHarness(App):
        def compose(self) -> ComposeResult:
            yield ArtifactViewer(source)

    app = CountingHarness()
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = app.query_one(ArtifactViewer)
        for run_id in (artifact_store["run"], artifact_store["empty"], artifact_store["other"]):
            viewer.show_run(run_id)
        await settle(app, pilot)
        assert calls == [(artifact_store["other"], None)]
        viewer.show_run(artifact_store["other"])  # same run, already listed: nothing to do
        await settle(app, pilot)
        assert len(calls) == 1


# -- previews by kind ----------------------------------------------------------------


async def test_log_preview_has_line_numbers_and_g_keys(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await open_artifact(app, pilot, "logs/train.log")
        view = app.query_one("#preview-text", TextView)
        assert current_view(app) == "preview-text" and len(view.lines) == 501
        text = screen_text(app)
        assert "training done" in text  # logs open at their end
        assert " 501 training done" in text  # with line numbers
        assert view.scroll_y == view.max_scroll_y > 0
        await pilot.press("g")
        await pilot.pause()
        assert view.scroll_y == 0
        assert "  1 epoch 0 loss=1.0000" in screen_text(app)
        await pilot.press("G")
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y
        assert app.query_one(ArtifactViewer).check_action("toggle_tree", ()) is None  # no tree for a log
        await pilot.press("t")
        assert current_view(app) == "preview-text"


async def test_hostile_text_is_shown_inert(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await open_artifact(app, pilot, "evil.txt")
        text = screen_text(app)
        assert "[link=https://evil.example]click[/link]" in text
        assert "\x1b" not in text and "\x07" not in text
        assert "after" in text
        assert "\x1b" not in app.query_one("#preview-text", TextView).text


async def test_yaml_preview_and_tree_toggle(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await open_artifact(app, pilot, "config.yaml")
        assert current_view(app) == "preview-text"
        assert "learning_rate: 0.01" in screen_text(app)
        await pilot.press("t")
        await pilot.pause()
        assert current_view(app) == "preview-structure"
        tree = app.query_one("#preview-structure", Tree)
        await pilot.press("tab")  # from the file tree to the structure tree
        assert app.focused is tree
        optimizer = next(n for n in tree.root.children if str(n.label).startswith("optimizer"))
        while tree.cursor_node is not optimizer and tree.cursor_line < tree.last_line:
            await pilot.press("down")
        await pilot.press("space")
        await pilot.pause()
        assert optimizer.is_expanded
        assert "name: adam" in screen_text(app)
        await pilot.press("t")
        await pilot.pause()
        assert current_view(app) == "preview-text"


async def test_json_and_mlmodel_are_pretty_printed(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await open_artifact(app, pilot, "metrics.json")
        text = screen_text(app)
        assert '"accuracy": 0.9321' in text and '"[b]dog[/b]"' in text
        await pilot.press("t")
        await pilot.pause()
        assert "accuracy: 0.9321" in screen_text(app)
        await open_artifact(app, pilot, "model/MLmodel")
        assert "sklearn_version: 1.5.0" in screen_text(app) and "yaml" in status(app)
        await open_artifact(app, pilot, "settings.toml")
        assert "epochs = 12" in screen_text(app)


async def test_csv_is_a_table_with_literal_cells(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await open_artifact(app, pilot, "data/per_class_metrics.csv")
        assert current_view(app) == "preview-table"
        table = app.query_one("#preview-table", VirtualTable)
        assert table.row_count == 2 and len(table.columns) == 3
        assert "2 rows × 3 columns" in status(app)
        text = screen_text(app)
        assert "0.91" in text and "[red]dog[/red]" in text
        await pilot.press("G")
        assert table.cursor_row == 1


async def test_big_csv_is_capped_at_10000_rows(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await open_artifact(app, pilot, "data/big.csv")
        assert app.query_one("#preview-table", VirtualTable).row_count == 10_000
        assert "first 10,000 of 12,000 rows × 3 columns" in status(app)
        await pilot.press("G")
        await pilot.pause()
        assert "row9999" in screen_text(app), screen_text(app)[-3000:]


async def test_show_run_before_mount_lists_on_mount(artifact_store):
    class EarlyHarness(Harness):
        def compose(self) -> ComposeResult:
            viewer = ArtifactViewer(self.source)
            viewer.show_run(artifact_store["other"])
            yield viewer

    app = EarlyHarness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert "other.txt" in screen_text(app)


async def test_mlflow_table_json_and_parquet_are_tables(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await open_artifact(app, pilot, "eval_results_table.json")
        assert current_view(app) == "preview-table" and "MLflow table" in status(app)
        assert "2 rows × 2 columns" in status(app) and "0.75" in screen_text(app)
        await open_artifact(app, pilot, "data/history.parquet")
        assert "30 rows × 2 columns" in status(app)
        assert app.query_one("#preview-table", VirtualTable).row_count == 30


async def test_image_mounts_the_image_widget(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await open_artifact(app, pilot, "plots/confusion_matrix.png")
        assert current_view(app) == "preview-image"
        assert len(app.query(Image)) == 1
        assert "PNG 64×48" in status(app)
        await open_artifact(app, pilot, "plots/icon.svg")
        if importlib.util.find_spec("cairosvg") is None:  # no SVG renderer: the XML as text
            assert "<circle r='4'/>" in screen_text(app) and "SVG shown as XML text" in status(app)
        else:
            assert current_view(app) == "preview-image"


async def test_html_is_readable_text(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await open_artifact(app, pilot, "report.html")
        text = screen_text(app)
        assert "# Evaluation report" in text and "accuracy | 0.93" in text
        assert "alert" not in text and "color:red" not in text


async def test_binary_shows_a_hint_not_garbage(artifact_store):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await open_artifact(app, pilot, "model/model.pkl")
        text = screen_text(app)
        assert current_view(app) == "preview-message"
        assert "binary file (Python pickle" in text and "Press s to save it" in text
        assert "weights" not in text


async def test_big_log_shows_its_tail_fast_with_bounded_memory(artifact_store, tmp_path):
    client = artifact_store["client"]
    run_id = log_run(client, artifact_store["exp"], "big-log")
    path = tmp_path / "huge.log"
    line = "2024-05-01 12:00:00 INFO step {:08d} loss=0.1234 " + "x" * 60 + "\n"
    with open(path, "w") as fh:
        block = 10_000
        for start_at in range(0, 480_000, block):
            fh.write("".join(line.format(i) for i in range(start_at, start_at + block)))
        fh.write("THE LAST LINE\n")
    assert path.stat().st_size > 50 * 2**20
    client.log_artifact(run_id, str(path))
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, run_id)
        await move_to(app, pilot, "huge.log")
        began = time.monotonic()
        tracemalloc.start()
        try:
            await pilot.press("enter")
            await settle(app, pilot)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        elapsed = time.monotonic() - began
        assert "THE LAST LINE" in screen_text(app)
        assert "showing last 1 MiB of 5" in status(app)
        assert peak < 10 * 2**20, f"traced peak {peak / 2**20:.1f} MiB"
        assert elapsed < 15


# -- save and open ---------------------------------------------------------------------


async def test_save_a_file_and_a_folder(artifact_store, tmp_path):
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await move_to(app, pilot, "metrics.json")
        await pilot.press("s")
        await pilot.pause()
        field = app.screen.query_one("#save-path")
        assert field.value  # defaults to the current directory
        await type_over(pilot, str(tmp_path))
        assert field.value == str(tmp_path)
        await pilot.press("enter")
        await settle(app, pilot)
        assert '"accuracy": 0.9321' in (tmp_path / "metrics.json").read_text()
        assert "Saved metrics.json" in status(app)
        await move_to(app, pilot, "logs")
        await pilot.press("s")
        await pilot.pause()
        await type_over(pilot, str(tmp_path / "copy") + "/")
        await pilot.press("enter")
        await settle(app, pilot)
        assert (tmp_path / "copy" / "logs" / "train.log").read_text().endswith("training done\n")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, SaveArtifactScreen)


async def test_open_runs_pager_while_suspended(artifact_store, tmp_path, monkeypatch):
    marker = tmp_path / "opened.txt"
    script = tmp_path / "pager.py"
    script.write_text(f"import sys, shutil\nshutil.copyfile(sys.argv[1], {str(marker)!r})\n")
    monkeypatch.setenv("PAGER", f"{sys.executable} {script}")
    app = Harness(artifact_store["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        await start(app, pilot, artifact_store["run"])
        await move_to(app, pilot, "logs/train.log")
        await pilot.press("o")  # headless: no terminal to hand over, reported inline
        await settle(app, pilot)
        assert "Cannot hand the terminal" in status(app)
        monkeypatch.setattr(Harness, "suspend", lambda self: contextlib.nullcontext())
        await pilot.press("o")
        await settle(app, pilot)
        assert marker.read_text().endswith("training done\n")


# -- failures ------------------------------------------------------------------------------


async def test_dead_server_error_is_one_line_and_pane_stays_usable(artifact_store, monkeypatch):
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "3")
    app = Harness(f"http://127.0.0.1:{free_port()}")
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = await start(app, pilot, "0" * 32)
        text = screen_text(app)
        assert "Cannot reach" in text and "Traceback" not in text
        assert "-error" in app.query_one("#artifact-status").classes
        await pilot.press("enter", "s", "o", "g", "G", "t")
        await pilot.press("escape")
        viewer.show_run(None)
        await settle(app, pilot)
        assert "No run selected" in screen_text(app)


# -- a real tracking server serving artifacts (mlflow-artifacts:/) ------------------------


@pytest.mark.server
async def test_server_artifacts_list_and_preview(mlflow_server, tmp_path):
    from mlflow import MlflowClient

    client = MlflowClient(mlflow_server["uri"])
    exp = client.create_experiment("served-artifacts")
    assert client.get_experiment(exp).artifact_location.startswith("mlflow-artifacts:/")
    run_id = log_run(client, exp, "served")
    client.log_text(run_id, "hello from the server\nlast served line\n", "logs/served.log")
    client.log_dict(run_id, {"batch_size": 32}, "params.yaml")
    client.log_artifact(run_id, str(make_png(tmp_path / "served.png")), "plots")
    app = Harness(mlflow_server["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = await start(app, pilot, run_id)
        assert [str(n.label).split()[0] for n in viewer.artifact_tree.root.children] == [
            "logs/",
            "plots/",
            "params.yaml",
        ]
        await open_artifact(app, pilot, "logs/served.log")
        assert "last served line" in screen_text(app)
        await open_artifact(app, pilot, "params.yaml")
        assert "batch_size: 32" in screen_text(app)
        await open_artifact(app, pilot, "plots/served.png")
        assert len(app.query(Image)) == 1
