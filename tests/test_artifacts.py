"""Unit tests of the pure artifact helpers in the `mltui.artifacts` package."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from mltui.artifacts import (
    MIB,
    build_preview,
    copy_artifact,
    detect_kind,
    html_to_text,
    human_size,
    is_binary,
    load_table,
    opener_command,
    pretty_structured,
    read_head,
    read_tail,
    safe_text,
    save_target,
)

EVIL = "ok \x1b]52;c;SGVsbG8=\x07 [link=https://evil.example]click[/link] \x1b[31mred\x1b[0m\n"


def write_lines(path: Path, count: int, width: int = 40) -> Path:
    with open(path, "w") as fh:
        for i in range(count):
            fh.write(f"line {i:08d} " + "x" * width + "\n")
    return path


# -- sizes and detection ----------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (None, ""),
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (MIB, "1 MiB"),
        (240 * MIB, "240 MiB"),
        (5 * 1024 * MIB, "5 GiB"),
    ],
)
def test_human_size(size, expected):
    assert human_size(size) == expected


@pytest.mark.parametrize(
    ("head", "binary"),
    [
        (b"", False),
        (b"plain text\nwith lines\n", False),
        (b"\x1b[32mINFO\x1b[0m coloured log\n", False),
        ("naïve café".encode()[:-1], False),  # a UTF-8 character cut by the head limit
        ("café olé\n".encode("latin-1"), False),
        (b"PK\x03\x04\x00\x00binary", True),
        (bytes(range(256)) * 4, True),
    ],
)
def test_is_binary(head, binary):
    assert is_binary(head) is binary


@pytest.mark.parametrize(
    ("path", "head", "kind"),
    [
        ("logs/train.log", b"epoch 1\n", "text"),
        ("stdout.out", b"x", "text"),
        ("train.py", b"import os\n", "text"),
        ("notes", b"no extension but text\n", "text"),
        ("model/MLmodel", b"flavors:\n  python_function: {}\n", "yaml"),
        ("conf.yml", b"a: 1\n", "yaml"),
        ("pyproject.toml", b"[tool]\n", "toml"),
        ("metrics.json", b'{"accuracy": 0.9}', "json"),
        ("eval_results_table.json", b'{"columns": ["a"], "data": [[1]]}', "mlflow_table"),
        ("data.json", b'{"data": [[1]], "columns": ["a"]}', "mlflow_table"),
        ("big_table.json", b'{"columns": ["a", "b"], "data": [[1, 2], [3, ', "mlflow_table"),  # head cut short
        ("not_table.json", b'{"columns": ["a"], "other": 1}', "json"),
        ("unknown.dat", b'{"columns": ["a"], "data": []}', "mlflow_table"),
        ("per_class.csv", b"a,b\n1,2\n", "table"),
        ("x.tsv", b"a\tb\n", "table"),
        ("t.parquet", b"PAR1\x15\x04", "parquet"),
        ("no_ext", b"PAR1\x15\x04", "parquet"),
        ("plot.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image"),
        ("mislabelled.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image"),
        ("a.gif", b"GIF89a\x01\x00", "image"),
        ("icon.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "svg"),
        ("report.html", b"<html><body>hi</body></html>", "html"),
        ("page", b"<!DOCTYPE html><html></html>", "html"),
        ("model.pkl", b"\x80\x04\x95\x00\x00", "binary"),
        ("corrupt.log", b"abc\x00\x00\x00def", "binary"),
    ],
)
def test_detect_kind(path, head, kind):
    assert detect_kind(path, head) == kind


# -- bounded reading --------------------------------------------------------------


def test_read_tail_starts_on_a_line_and_ends_with_the_last_line(tmp_path):
    path = write_lines(tmp_path / "big.log", 60_000)  # about 3 MiB
    text, truncated = read_tail(path, limit=MIB)
    assert truncated
    lines = text.splitlines()
    assert lines[0].startswith("line ") and len(lines[0]) == len(lines[-1])
    assert lines[-1].startswith("line 00059999")
    assert len(text.encode()) <= MIB


def test_read_tail_of_a_small_file_is_the_whole_file(tmp_path):
    path = write_lines(tmp_path / "small.log", 3)
    text, truncated = read_tail(path)
    assert not truncated and text == path.read_text()


def test_read_tail_memory_stays_bounded(tmp_path):
    path = write_lines(tmp_path / "huge.log", 400_000)  # about 20 MiB
    tracemalloc.start()
    try:
        text, _ = read_tail(path, limit=MIB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert text.rstrip().endswith("x")
    assert peak < 4 * MIB


def test_read_head_cuts_on_a_line_boundary(tmp_path):
    path = write_lines(tmp_path / "a.txt", 100)
    text, truncated = read_head(path, limit=1000)
    assert truncated and text.endswith("\n") and len(text) <= 1000
    assert text.splitlines()[0] == "line 00000000 " + "x" * 40


def test_safe_text_makes_escapes_inert_but_keeps_markup_literal():
    text = safe_text(EVIL + "windows\r\nline")
    assert "\x1b" not in text and "\x07" not in text
    assert "[link=https://evil.example]click[/link]" in text
    assert "windows\nline" in text


def test_safe_text_splits_huge_lines():
    text = safe_text("a" * 10_000, max_line=4096)
    assert [len(line) for line in text.split("\n")] == [4096, 4096, 1808]


# -- structured text ------------------------------------------------------------


def test_pretty_structured_json_is_indented():
    assert pretty_structured('{"a":{"b":[1,2]}}', "json") == '{\n  "a": {\n    "b": [\n      1,\n      2\n    ]\n  }\n}'


def test_pretty_structured_yaml_and_toml_keep_comments():
    yaml_text = "# tuned\nlr: 0.01\n"
    assert pretty_structured(yaml_text, "yaml") == yaml_text
    toml_text = "# c\n[train]\nepochs = 3\n"
    assert pretty_structured(toml_text, "toml") == toml_text


@pytest.mark.parametrize(
    ("text", "kind"),
    [("{not json", "json"), ("a: [1, 2", "yaml"), ("!!python/object:os.system {}", "yaml"), ("x = ", "toml")],
)
def test_pretty_structured_rejects_malformed_or_unsafe_input(text, kind):
    with pytest.raises(ValueError):
        pretty_structured(text, kind)


# -- tables -------------------------------------------------------------------------


def test_load_csv_caps_rows_and_counts_all(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("name,score\n" + "".join(f"r{i},{i / 10}\n" for i in range(25)))
    columns, rows, total = load_table(path, "table", max_rows=10)
    assert columns == ["name", "score"]
    assert len(rows) == 10 and rows[3] == ["r3", "0.3"]
    assert total == 25


def test_load_tsv(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n1\t[bold]x[/bold]\n")
    assert load_table(path, "table") == (["a", "b"], [["1", "[bold]x[/bold]"]], 1)


def test_load_mlflow_table_json(tmp_path):
    path = tmp_path / "eval_results_table.json"
    path.write_text(json.dumps({"columns": ["inputs", "score"], "data": [["a", 0.5], ["b", None], ["c", 1]]}))
    columns, rows, total = load_table(path, "mlflow_table", max_rows=2)
    assert columns == ["inputs", "score"] and rows == [["a", "0.5"], ["b", ""]] and total == 3


def test_load_table_json_without_table_shape_raises(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"columns": ["a"], "data": 3}')
    with pytest.raises(ValueError):
        load_table(path, "mlflow_table")


def test_load_parquet_reads_first_rows_and_total(tmp_path):
    import pandas as pd

    path = tmp_path / "t.parquet"
    pd.DataFrame({"k": range(50), "v": [f"s{i}" for i in range(50)]}).to_parquet(path)
    columns, rows, total = load_table(path, "parquet", max_rows=5)
    assert columns == ["k", "v"] and rows[4] == ["4", "s4"] and len(rows) == 5 and total == 50


# -- HTML -------------------------------------------------------------------------------


def test_html_to_text_drops_scripts_and_keeps_tables_as_rows():
    html = """<html><head><title>T</title><style>body{color:red}</style></head><body>
    <h1>Eval &amp; report</h1><script>alert('x')</script>
    <p>First   paragraph<br>second line</p>
    <ul><li>one</li><li>two</li></ul>
    <table><tr><th>metric</th><th>value</th></tr><tr><td>accuracy</td><td>0.93</td></tr></table>
    <pre>  keep   spacing</pre></body></html>"""
    text = html_to_text(html)
    lines = text.splitlines()
    assert "# Eval & report" in lines
    assert "alert" not in text and "color:red" not in text
    assert "First paragraph" in lines and "second line" in lines
    assert "• one" in lines and "• two" in lines
    assert "metric | value" in lines and "accuracy | 0.93" in lines
    assert "  keep   spacing" in lines


# -- whole previews -------------------------------------------------------------------


def test_build_preview_of_a_big_log_shows_the_tail_with_a_note(tmp_path):
    path = write_lines(tmp_path / "train.log", 60_000)
    preview = build_preview(path, "train.log")
    assert preview.kind == "text" and preview.from_end
    assert preview.note == "showing last 1 MiB of 3.1 MiB"
    assert preview.text is not None and preview.text.rstrip().endswith("line 00059999 " + "x" * 40)


def test_build_preview_of_invalid_json_falls_back_to_text(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"a": ')
    preview = build_preview(path, "broken.json")
    assert preview.kind == "text" and preview.note.startswith("not shown as json")
    assert preview.text == '{"a": '


def test_build_preview_of_a_table_shaped_json_that_is_not_a_table_is_json(tmp_path):
    path = tmp_path / "odd.json"
    path.write_text('{"columns": ["a"], "data": [[1]], ' + '"pad": "' + "p" * 70_000 + '", "data": 5}')
    preview = build_preview(path, "odd.json")
    assert preview.kind == "json" and preview.has_tree


def test_build_preview_of_images_and_binary(tmp_path):
    from PIL import Image

    Image.new("RGB", (30, 20), "red").save(tmp_path / "a.gif")
    gif = build_preview(tmp_path / "a.gif", "a.gif")
    assert gif.kind == "image" and gif.image is not None and gif.note == "GIF 30×20"
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    broken = build_preview(tmp_path / "broken.png", "broken.png")
    assert broken.kind == "binary" and broken.text is None and "cannot decode image" in broken.note
    (tmp_path / "m.pkl").write_bytes(b"\x80\x04\x95" + bytes(range(256)))
    binary = build_preview(tmp_path / "m.pkl", "m.pkl")
    assert binary.kind == "binary" and binary.text is None and "Python pickle" in binary.note


def test_build_preview_of_svg_without_renderer_is_xml_text(tmp_path):
    pytest.importorskip("PIL")
    try:
        import cairosvg  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("cairosvg installed: SVG renders as an image")
    path = tmp_path / "icon.svg"
    path.write_text("<svg xmlns='http://www.w3.org/2000/svg'><circle r='4'/></svg>")
    preview = build_preview(path, "icon.svg")
    assert preview.kind == "svg" and preview.language == "xml" and "<circle" in (preview.text or "")


def test_build_preview_strips_escapes(tmp_path):
    path = tmp_path / "evil.txt"
    path.write_text(EVIL)
    preview = build_preview(path, "evil.txt")
    assert preview.text is not None and "\x1b" not in preview.text and "[link=" in preview.text


# -- save and open ------------------------------------------------------------------------


def test_save_target_and_copy(tmp_path):
    source = tmp_path / "src.txt"
    source.write_text("data")
    assert save_target(str(tmp_path), "a.txt") == tmp_path / "a.txt"
    assert save_target(str(tmp_path / "new") + "/", "a.txt") == tmp_path / "new" / "a.txt"
    assert save_target(str(tmp_path / "b.txt"), "a.txt") == tmp_path / "b.txt"
    target = copy_artifact(source, tmp_path / "new" / "a.txt")
    assert target.read_text() == "data"
    with pytest.raises(FileExistsError):
        copy_artifact(source, target)
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "f.txt").write_text("x")
    assert (copy_artifact(folder, tmp_path / "copy") / "sub" / "f.txt").read_text() == "x"


def test_opener_command():
    assert opener_command("text", {"PAGER": "less -R", "EDITOR": "vim"}) == ["less", "-R"]
    assert opener_command("json", {}) == ["less"]
    assert opener_command("binary", {"EDITOR": "nano"}) == ["nano"]
    assert opener_command("image", {"VISUAL": "code -w"}) == ["code", "-w"]
    assert opener_command("binary", {}) == ["vi"]


def test_build_preview_of_huge_json_is_plain_text(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({f"key{i}": "v" * 100 for i in range(50_000)}))  # about 5.5 MiB
    preview = build_preview(path, "huge.json")
    assert preview.kind == "text" and preview.note.startswith("too large to pretty-print")
    assert preview.data is None and len((preview.text or "").replace("\n", "")) <= MIB  # long line split


def test_build_preview_refuses_to_decode_huge_images(tmp_path, monkeypatch):
    from PIL import Image

    import mltui.artifacts.preview as preview_module

    monkeypatch.setattr(preview_module, "MAX_PIXELS", 100)
    Image.new("RGB", (30, 20), "red").save(tmp_path / "big.png")
    preview = build_preview(tmp_path / "big.png", "big.png")
    assert preview.kind == "binary" and "image too large to preview (30×20)" in preview.note


def test_build_preview_highlights_source_but_not_logs(tmp_path):
    (tmp_path / "train.py").write_text("import os\n")
    (tmp_path / "run.log").write_text("INFO start\n")
    assert build_preview(tmp_path / "train.py", "train.py").language == "python"
    log = build_preview(tmp_path / "run.log", "run.log")
    assert log.language is None and log.from_end
