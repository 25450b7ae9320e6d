"""Decompression and memory bombs: every preview decodes a bounded amount, says what it cut, and lets go.

Real files built in a temp dir: a 440-byte Parquet file that decodes to 1 GB,
gzip streams that inflate to 1 GiB, a YAML "billion laughs", a PNG whose header
claims 40000x40000 pixels, and JSON nested 100,000 deep. Each is previewed by
`build_preview` (traced peak, and the process's peak RSS in a subprocess for
pyarrow's and Pillow's native memory) and through the real artifact pane on a
real MLflow store.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import struct
import subprocess
import sys
import tracemalloc
import zlib
from pathlib import Path

import pytest
from conftest import log_run, make_experiment, new_client
from textual.app import App, ComposeResult
from textual.widgets import Footer, Static
from textual.worker import WorkerCancelled

from mltui.artifacts import HEAD_BYTES, MIB, build_preview, detect_kind, load_table, parse_structured
from mltui.store import Store
from mltui.widgets.artifact_viewer import ArtifactViewer
from mltui.widgets.text_view import TextView
from mltui.widgets.virtual_table import VirtualTable

PEAK_LIMIT = 200 * MIB
GIB = 1024 * MIB
BOMBS = ("bomb.parquet", "zeros.gz", "train.log.gz", "laughs.yaml", "huge.png", "deep.json")


def gzip_members(path: Path, block: bytes, count: int) -> Path:
    """`count` copies of one gzip member holding `block`: a multi-member gzip, written in a blink."""
    member = gzip.compress(block, compresslevel=9)
    with open(path, "wb") as fh:
        for _ in range(count):
            fh.write(member)
    return path


def png_claiming(path: Path, width: int, height: int) -> Path:
    """A valid PNG whose header claims `width`x`height` but whose IDAT holds a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )
    return path


def billion_laughs() -> str:
    """Nine levels of nine aliases: 9**9 (387 million) strings once expanded, 342 bytes as text."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("bombs")
    # 10,000 rows of one 100 KB string (1 GB decoded). Built as a dictionary array so the test process never
    # holds the gigabyte; without the Arrow schema in the file, a reader sees a plain string column.
    rows = pa.DictionaryArray.from_arrays(pa.array([0] * 10_000, pa.int32()), pa.array(["x" * 100_000]))
    pq.write_table(
        pa.table({"s": rows}), root / "bomb.parquet", compression="zstd", use_dictionary=True, store_schema=False
    )
    gzip_members(root / "zeros.gz", b"\0" * MIB, 1024)
    line = b"2026-11-26 06:00:00 INFO step 000001 loss=0.1234 " + b"x" * 13 + b"\n"
    gzip_members(root / "train.log.gz", line * (MIB // len(line)), 1024)
    (root / "laughs.yaml").write_text(billion_laughs())
    png_claiming(root / "huge.png", 40_000, 40_000)
    (root / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (root / "small.txt").write_text("just a line\n")
    return root


def test_the_bombs_are_small_files(bombs):
    import pyarrow.parquet as pq

    assert (bombs / "bomb.parquet").stat().st_size < 2_000
    assert str(pq.ParquetFile(bombs / "bomb.parquet").schema_arrow.field("s").type) == "string"
    assert (bombs / "zeros.gz").stat().st_size < 2 * MIB
    assert (bombs / "train.log.gz").stat().st_size < 8 * MIB
    assert (bombs / "laughs.yaml").stat().st_size < 1_000
    assert (bombs / "huge.png").stat().st_size < 200


def traced(fn, *args):
    """`fn(*args)` and the peak of Python allocations it made."""
    tracemalloc.start()
    try:
        result = fn(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- build_preview: notes and traced peaks --------------------------------------------------


def test_parquet_bomb_reads_dictionaries_and_cuts_cells(bombs):
    import pyarrow as pa

    before = pa.total_allocated_bytes()
    preview, peak = traced(build_preview, bombs / "bomb.parquet", "bomb.parquet")
    assert preview.kind == "parquet" and preview.columns == ["s"]
    assert len(preview.rows) == 10_000 and all(len(row[0]) == 2048 for row in preview.rows)
    assert "10,000 rows × 1 columns" in preview.note
    assert "cells cut at 2 KiB (934 MiB of decoded data not shown)" in preview.note
    assert peak < PEAK_LIMIT, f"traced peak {peak / MIB:.0f} MiB"
    assert pa.total_allocated_bytes() - before < MIB  # Arrow buffers released after reading


def test_parquet_column_over_the_decode_budget_is_skipped(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "wide.parquet"
    values = [f"{i:06d}" + "y" * 20_000 for i in range(4_000)]  # plain-encoded: 80 MB uncompressed
    table = pa.table({"id": list(range(4_000)), "blob": values})
    pq.write_table(table, path, compression="zstd", use_dictionary=False)
    preview, peak = traced(build_preview, path, "wide.parquet")
    assert preview.columns == ["id"] and preview.rows[3] == ["3"]
    assert "column 'blob' not shown (76.3 MiB decoded)" in preview.note
    assert peak < PEAK_LIMIT


def test_parquet_nested_cells_are_short(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "nested.parquet"
    big = "z" * 50_000
    leaves = pa.DictionaryArray.from_arrays(pa.array([0] * 200_000, pa.int32()), pa.array([big]))
    tokens = pa.ListArray.from_arrays(pa.array(range(0, 200_001, 1_000), pa.int32()), leaves)  # 10 GB decoded
    table = pa.table({"tokens": tokens, "meta": [{"k": big, "n": 1}] * 200})
    pq.write_table(table, path, compression="zstd", store_schema=False)
    assert path.stat().st_size < 100_000
    preview, peak = traced(build_preview, path, "nested.parquet")
    tokens, meta = preview.rows[0]
    assert tokens.startswith("[zzz") and tokens.endswith("…") and len(tokens) <= 2048
    assert meta.startswith("{k: zzz") and len(meta) <= 2048
    assert load_table(path, "parquet", max_rows=5)[2] == 200
    assert peak < PEAK_LIMIT


def test_gzip_text_bomb_is_decompressed_to_a_cap(bombs):
    preview, peak = traced(build_preview, bombs / "train.log.gz", "train.log.gz")
    assert preview.kind == "text" and preview.text is not None
    assert preview.text.startswith("2026-11-26 06:00:00 INFO step 000001")
    assert len(preview.text) <= 8 * MIB
    assert preview.note.startswith("gzip: first 8 MiB decompressed, the rest not shown")
    assert peak < PEAK_LIMIT, f"traced peak {peak / MIB:.0f} MiB"


def test_gzip_of_zeros_is_found_by_magic_and_bounded(bombs):
    renamed = bombs / "zeros.bin"
    renamed.write_bytes((bombs / "zeros.gz").read_bytes())
    for path in (bombs / "zeros.gz", renamed):
        preview, peak = traced(build_preview, path, path.name)
        assert preview.kind == "binary" and "gzip data holding" in preview.note
        assert peak < 32 * MIB


def test_small_gzip_text_is_shown_whole(tmp_path):
    path = tmp_path / "notes.txt.gz"
    path.write_bytes(gzip.compress(b"hello\x1b[31m red\n"))
    preview = build_preview(path, "notes.txt.gz")
    assert preview.kind == "text" and preview.text == "hello red\n"  # the escape sequence is stripped
    assert preview.note == "gzip, decompressed 15 B"


def test_broken_gzip_is_a_binary_note(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage" + bytes(range(200)))
    preview = build_preview(path, "broken.gz")
    assert preview.kind == "binary" and preview.note.startswith("binary file (gzip data")


def test_yaml_alias_bomb_is_refused(bombs):
    preview, peak = traced(build_preview, bombs / "laughs.yaml", "laughs.yaml")
    assert preview.kind == "text" and not preview.has_tree and preview.data is None
    assert "not shown as yaml: over 500,000 values with shared parts expanded (an alias bomb?)" in preview.note
    assert "&a [lol" in (preview.text or "")
    assert peak < 20 * MIB


def test_recursive_yaml_and_big_documents_are_refused():
    with pytest.raises(ValueError, match="refers to itself"):
        parse_structured("a: &a [*a]\n", "yaml")
    with pytest.raises(ValueError, match="too many values to parse"):
        parse_structured("".join("- a\n" for _ in range(200_000)), "yaml")  # 80 MB of YAML nodes
    small = parse_structured("a: &a [1, 2]\nb: *a\n", "yaml")
    assert small == {"a": [1, 2], "b": [1, 2]}


def test_huge_png_header_is_never_decoded(bombs):
    preview, peak = traced(build_preview, bombs / "huge.png", "huge.png")
    assert preview.kind == "binary" and preview.image is None
    assert "image too large to preview (1,600,000,000 pixels)" in preview.note
    assert peak < MIB


def test_png_over_the_pixel_cap_but_under_pillows_is_refused_before_decoding(tmp_path):
    path = png_claiming(tmp_path / "tall.png", 8_000, 6_000)  # 48 M pixels
    preview, peak = traced(build_preview, path, "tall.png")
    assert preview.image is None and "image too large to preview (8000×6000)" in preview.note
    assert peak < MIB


def test_big_jpeg_is_scaled_while_decoding(tmp_path):
    from PIL import Image

    path = tmp_path / "photo.jpg"
    Image.new("RGB", (6_000, 5_000), "teal").save(path, quality=50)  # 30 M pixels: over the byte cap as RGB
    preview = build_preview(path, "photo.jpg")
    assert preview.note == "JPEG 6000×5000" and preview.image is not None
    assert max(preview.image.size) <= 2048


def test_deeply_nested_json_neither_crashes_nor_recurses(bombs):
    head = (bombs / "deep.json").read_bytes()[:HEAD_BYTES]
    assert detect_kind("deep.json", head) == "json"
    assert detect_kind("deep.dat", head) == "json"
    table_head = b'{"columns": ["a"], "data": ' + b"[" * 5_000
    assert detect_kind("deep.json", table_head) == "mlflow_table"  # judged by its opening, not parsed
    preview, peak = traced(build_preview, bombs / "deep.json", "deep.json")
    assert preview.kind == "text" and "not shown as json: nested too deeply" in preview.note
    assert peak < PEAK_LIMIT
    shallow_enough = "[" * 500 + "]" * 500  # parses, but deeper than the tree budget
    with pytest.raises(ValueError, match="nested deeper than 200 levels"):
        parse_structured(shallow_enough, "json")


def test_deep_table_json_is_not_a_crash(tmp_path):
    path = tmp_path / "eval_results_table.json"
    path.write_text('{"columns": ["a"], "data": [' + "[" * 50_000 + "]" * 50_000 + "]}")
    preview = build_preview(path, "eval_results_table.json")
    assert preview.kind == "text" and "nested too deeply" in preview.note


def test_csv_cells_are_cut(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("name,blob\n" + "".join(f"r{i},{'w' * 10_000}\n" for i in range(50)))
    preview = build_preview(path, "wide.csv")
    assert len(preview.rows) == 50 and len(preview.rows[0][1]) == 2048 and preview.rows[0][1].endswith("…")
    assert "cells cut at 2 KiB" in preview.note


RSS_SCRIPT = """
import json, sys
import pyarrow, PIL.Image, yaml, pandas  # imported before measuring: the baseline
from mltui.artifacts import build_preview, MAX_ROWS

def status(field):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith(field))

peaks = {}
for path in sys.argv[1:]:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset the peak RSS (VmHWM) to the current RSS
    base = status("VmRSS")
    preview = build_preview(path, path.rsplit("/", 1)[-1])
    peaks[path.rsplit("/", 1)[-1]] = [status("VmHWM") - base, preview.note]
    del preview
print(json.dumps(peaks))
"""


def test_native_peak_rss_of_each_bomb_in_a_subprocess(bombs):
    """pyarrow and Pillow allocate outside tracemalloc: the process's peak RSS says what they cost."""
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux /proc to reset the peak RSS")
    paths = [str(bombs / name) for name in BOMBS]
    done = subprocess.run([sys.executable, "-c", RSS_SCRIPT, *paths], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    peaks = json.loads(done.stdout.strip().splitlines()[-1])
    for name, (growth, note) in peaks.items():
        assert growth < PEAK_LIMIT, f"{name}: peak RSS grew {growth / MIB:.0f} MiB ({note})"
    assert "cells cut at 2 KiB" in peaks["bomb.parquet"][1]


# -- through the real artifact pane ------------------------------------------------------------


class Harness(App):
    """The artifact pane alone, handed a real store as its artifact source."""

    def __init__(self, uri: str) -> None:
        super().__init__()
        self.source = Store(uri)

    def compose(self) -> ComposeResult:
        yield ArtifactViewer(self.source)
        yield Footer()


@pytest.fixture(scope="module")
def bomb_run(bombs, tmp_path_factory):
    """A real SQLite store whose run logged every bomb with real client calls."""
    root = tmp_path_factory.mktemp("bomb-store")
    client = new_client(root)
    exp = make_experiment(client, root, "bombs")
    run_id = log_run(client, exp, "bombs")
    for name in (*BOMBS, "small.txt"):
        client.log_artifact(run_id, str(bombs / name))
    return {"uri": f"sqlite:///{root}/mlflow.db", "run": run_id}


async def settle(app: App, pilot) -> None:
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()


async def open_file(app: App, pilot, name: str) -> None:
    """Walk the tree cursor to `name` with the arrow keys and press Enter."""
    tree = app.query_one(ArtifactViewer).artifact_tree
    node = next(n for n in tree.root.children if n.data is not None and n.data.name == name)
    for _ in range(50):
        if tree.cursor_node is node:
            break
        await pilot.press("down" if tree.cursor_line < node.line else "up")
    assert tree.cursor_node is node
    await pilot.press("enter")
    await settle(app, pilot)


def status(app: App) -> str:
    return str(app.query_one("#artifact-status", Static).content)


EXPECTED_NOTES = {
    "bomb.parquet": "cells cut at 2 KiB (934 MiB of decoded data not shown)",
    "zeros.gz": "gzip data holding",
    "train.log.gz": "gzip: first 8 MiB decompressed, the rest not shown",
    "laughs.yaml": "(an alias bomb?)",
    "huge.png": "image too large to preview (1,600,000,000 pixels)",
    "deep.json": "nested too deeply",
}


async def test_every_bomb_previews_in_the_pane_with_a_note_and_a_bounded_peak(bomb_run):
    app = Harness(bomb_run["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = app.query_one(ArtifactViewer)
        viewer.show_run(bomb_run["run"])
        await settle(app, pilot)
        viewer.artifact_tree.focus()
        for name, note in EXPECTED_NOTES.items():
            tracemalloc.start()
            try:
                await open_file(app, pilot, name)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            assert note in status(app), f"{name}: {status(app)}"
            assert peak < PEAK_LIMIT, f"{name}: traced peak {peak / MIB:.0f} MiB"
        await open_file(app, pilot, "bomb.parquet")
        table = app.query_one("#preview-table", VirtualTable)
        assert table.row_count == 10_000 and app.query_one("ContentSwitcher").current == "preview-table"


async def test_moving_on_releases_the_previous_preview(bomb_run):
    import mlflow  # noqa: F401 - the store imports it in a background thread: not while memory is traced

    app = Harness(bomb_run["uri"])
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = app.query_one(ArtifactViewer)
        viewer.show_run(bomb_run["run"])
        await settle(app, pilot)
        viewer.artifact_tree.focus()
        await open_file(app, pilot, "small.txt")
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            await open_file(app, pilot, "train.log.gz")
            held = tracemalloc.get_traced_memory()[0] - base
            await open_file(app, pilot, "bomb.parquet")
            await open_file(app, pilot, "small.txt")
            left = tracemalloc.get_traced_memory()[0] - base
        finally:
            tracemalloc.stop()
        assert app.query_one("#preview-table", VirtualTable).row_count == 0
        assert len(app.query_one("#preview-text", TextView).lines) == 1
        assert held > 8 * MIB, f"the gzip preview should hold its text ({held / MIB:.1f} MiB)"
        assert left < 6 * MIB, (
            f"{left / MIB:.1f} MiB still held after moving to a small file (the 8 MiB text was not let go)"
        )


def test_wide_tables_show_fewer_rows_and_columns(tmp_path):
    path = tmp_path / "wide.csv"
    with open(path, "w") as fh:
        fh.write(",".join(f"c{i}" for i in range(300)) + "\n")
        fh.writelines(",".join(["1"] * 300) + "\n" for _ in range(3_000))
    preview = build_preview(path, "wide.csv")
    assert len(preview.columns) == 200 and len(preview.rows) == 2_500  # 500,000 cells at most
    assert preview.note.startswith("first 2,500 of 3,000 rows × 200 columns · first 200 of 300 columns")
    (tmp_path / "commas.csv").write_text("," * 100_000 + "\n")
    flat = build_preview(tmp_path / "commas.csv", "commas.csv")
    assert flat.kind == "text" and "too many columns for a table (100,001)" in flat.note
