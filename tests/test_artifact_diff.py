"""Tests of the pure artifact comparison engine `mltui.artifact_diff`, on real files in tmp."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import tracemalloc
import zlib
from pathlib import Path

import pytest

from mltui.artifact_diff import (
    CompareOptions,
    StructuredDiff,
    TableDiff,
    TextDiff,
    TooLarge,
    as_number,
    compare_artifact,
    delta_text,
    diff_text_files,
    flatten,
    grid_text,
    image_layout,
    render_plain,
    unified_text,
)

MIB = 1 << 20


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


CONFIG_A = """\
model: gpt-small
limit_samples: 50
judge:
  threshold: 0.42
  name: judge-1
tasks:
  - name: mmlu
    shots: 5
  - name: gsm8k
    shots: 8
"""

CONFIG_B = """\
tasks:
  - shots: 5
    name: mmlu
  - shots: 8
    name: gsm8k
judge:
  name: judge-1
  threshold: 0.42
limit_samples: 100
model: gpt-small
seed: 7
"""

# The same document as CONFIG_A with every mapping's keys reordered.
CONFIG_A_REORDERED = """\
tasks:
  - shots: 5
    name: mmlu
  - name: gsm8k
    shots: 8
judge:
  name: judge-1
  threshold: 0.42
model: gpt-small
limit_samples: 50
"""


# -- structured ---------------------------------------------------------------------


def test_config_change_reads_like_the_brief(tmp_path):
    a = write(tmp_path / "a/config.yml", CONFIG_A)
    b = write(tmp_path / "b/config.yml", CONFIG_B)
    result = compare_artifact("artifacts/config.yml", [("run-a", a), ("run-b", b)])
    assert result.kind == "structured" and result.detected_kind == "yaml"
    assert not result.equal
    (run,) = result.runs
    assert isinstance(run.diff, StructuredDiff)
    assert [c.line for c in run.diff.changed] == ["limit_samples: 50 → 100 (+50)"]
    assert [a.line for a in run.diff.added] == ["seed: 7"]
    assert run.diff.removed == []
    assert run.diff.same == 7  # model, judge.threshold, judge.name, tasks[0|1].name, tasks[0|1].shots
    assert run.diff.summary() == "1 changed, 1 added, 0 removed, 7 same"


def test_reordered_keys_are_not_a_difference(tmp_path):
    a = write(tmp_path / "a/config.yml", CONFIG_A)
    b = write(tmp_path / "b/config.yml", CONFIG_A_REORDERED)
    result = compare_artifact("artifacts/config.yml", [("run-a", a), ("run-b", b)])
    assert result.equal
    assert result.runs[0].diff.equal and result.runs[0].diff.lines() == []
    assert result.grid(changed_only=True).cells == []
    assert render_plain(result) == ""


def test_results_numbers_get_exact_deltas_and_directions(tmp_path):
    a = write(tmp_path / "a/results.yml", "accuracy: 0.85\nloss: 0.4\nexample_count: 1000\nf1: 0.1\n")
    b = write(tmp_path / "b/results.yml", "accuracy: 0.92\nloss: 0.45\nexample_count: 1000\nf1: 0.1000000001\n")
    result = compare_artifact("results.yml", [("A", a), ("B", b)], options=CompareOptions(directional=True))
    lines = result.runs[0].diff.lines()
    assert "~ accuracy: 0.85 → 0.92 (+0.07)" in lines
    assert "~ loss: 0.4 → 0.45 (+0.05)" in lines
    # values 1e-10 apart never read alike, and the delta is not float noise
    assert "~ f1: 0.1 → 0.1000000001 (+1e-10)" in lines
    grid = result.grid()
    flags = {row[0].value: row[2].flag for row in grid.cells}
    assert flags == {"accuracy": "better", "loss": "worse", "example_count": "same", "f1": "better"}
    assert {row[0].value: row[2].text for row in grid.cells}["accuracy"] == "0.92 (+0.07)"


def test_config_grid_flags_changes_without_direction(tmp_path):
    a = write(tmp_path / "a/config.yml", CONFIG_A)
    b = write(tmp_path / "b/config.yml", CONFIG_B)
    grid = compare_artifact("config.yml", [("A", a), ("B", b)]).grid(changed_only=True)
    assert grid.columns == ["key", "A", "B"]
    assert grid.rows == [["limit_samples", "50", "100 (+50)"], ["seed", "—", "7"]]
    assert grid.flags == [["same", "same", "changed"], ["same", "missing", "changed"]]
    assert grid.hidden == 7


def test_json_toml_and_mlmodel(tmp_path):
    a = write(tmp_path / "a/m.json", json.dumps({"a": {"b": [1, 2]}, "c": "x", "d": None}))
    b = write(tmp_path / "b/m.json", json.dumps({"c": "y", "a": {"b": [1, 3]}, "d": False}))
    diff = compare_artifact("m.json", [("A", a), ("B", b)]).runs[0].diff
    assert [c.line for c in diff.changed] == ["a.b[1]: 2 → 3 (+1)", "c: x → y", "d: null → false"]

    a = write(tmp_path / "a/p.toml", '[tool]\nname = "x"\nlr = 0.001\n')
    b = write(tmp_path / "b/p.toml", 'other = 1\n[tool]\nlr = 0.0015\nname = "x"\n')
    diff = compare_artifact("p.toml", [("A", a), ("B", b)]).runs[0].diff
    assert [c.line for c in diff.changed] == ["tool.lr: 0.001 → 0.0015 (+0.0005)"]
    assert [x.line for x in diff.added] == ["other: 1"]

    a = write(tmp_path / "a/MLmodel", "flavors:\n  python_function:\n    python_version: 3.11.7\n")
    b = write(tmp_path / "b/MLmodel", "flavors:\n  python_function:\n    python_version: 3.12.1\n")
    result = compare_artifact("model/MLmodel", [("A", a), ("B", b)])
    assert result.detected_kind == "yaml"
    assert [c.line for c in result.runs[0].diff.changed] == ["flavors.python_function.python_version: 3.11.7 → 3.12.1"]


def test_type_changes_and_odd_keys_are_visible(tmp_path):
    a = write(tmp_path / "a/c.json", json.dumps({"n": 50, "flag": 1, "a.b": 1, "": 2}))
    b = write(tmp_path / "b/c.json", json.dumps({"n": "50", "flag": True, "a.b": 2, "": 2}))
    lines = compare_artifact("c.json", [("A", a), ("B", b)]).runs[0].diff.lines()
    assert lines == ['~ n: 50 → "50"', "~ flag: 1 → true", '~ ["a.b"]: 1 → 2 (+1)']


def test_yaml_alias_bomb_is_refused_and_falls_back_to_text(tmp_path):
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        levels.append(f"{name}: &{name} [{', '.join('*' + prev for _ in range(9))}]")
    bomb = "\n".join(levels) + "\n"
    a = write(tmp_path / "a/bomb.yml", bomb)
    b = write(tmp_path / "b/bomb.yml", bomb.replace("[x,", "[y,"))
    tracemalloc.start()
    result = compare_artifact("bomb.yml", [("A", a), ("B", b)])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * MIB
    assert result.kind == "text"
    assert any("alias bomb" in note for note in result.notes)
    assert isinstance(result.runs[0].diff, TextDiff) and result.runs[0].diff.hunks


def test_recursive_yaml_and_deep_json_are_bounded(tmp_path):
    with pytest.raises(TooLarge):
        import yaml

        flatten(yaml.safe_load("a: &a [*a]"))
    deep = write(tmp_path / "a/deep.json", "[" * 50_000 + "]" * 50_000)
    other = write(tmp_path / "b/deep.json", "[]")
    result = compare_artifact("deep.json", [("A", deep), ("B", other)])
    assert result.kind == "text" and not result.equal


# -- tables -------------------------------------------------------------------------

PER_CLASS_A = "class,precision,recall,f1_loss\ncat,0.8,0.7,0.5\ndog,0.9,0.6,0.4\nbird,0.5,0.5,1\n"
PER_CLASS_B = "class,precision,recall,f1_loss\ndog,0.9,0.6,0.3\ncat,0.8312,0.7,0.5\nfish,0.1,0.1,2\n"


def test_per_class_csv_deltas_flags_and_missing_rows(tmp_path):
    a = write(tmp_path / "a/per_class_metrics.csv", PER_CLASS_A)
    b = write(tmp_path / "b/per_class_metrics.csv", PER_CLASS_B)
    result = compare_artifact("per_class_metrics.csv", [("A", a), ("B", b), ("C", None)])
    assert result.kind == "table" and result.missing == ["C"]
    grid = result.grid()
    assert grid.columns[:4] == ["class", "precision · A", "precision · B", "precision · C"]
    by_key = {row[0]: row for row in grid.rows}
    assert by_key["cat"][2] == "0.8312 (+0.0312)"
    assert by_key["cat"][3] == "—"
    flags = {row[0].value: [c.flag for c in row] for row in grid.cells}
    assert flags["cat"][2] == "better"
    assert flags["dog"][8] == "better"  # f1_loss went down: a loss-like name, lower is better
    assert flags["bird"][2] == "missing" and flags["fish"][1] == "missing" and flags["fish"][2] == "changed"
    assert [row[0] for row in result.grid(changed_only=True).rows] == ["cat", "dog", "bird", "fish"]
    diff = result.runs[0].diff
    assert isinstance(diff, TableDiff)
    assert (diff.changed_cells, diff.added_rows, diff.removed_rows) == (2, 1, 1)
    assert "0.8312 (+0.0312)" in grid_text(grid)
    plain = render_plain(result, inert=True).splitlines()
    assert plain[0] == "missing in C: per_class_metrics.csv"
    assert plain[-5].split()[:3] == ["class", "precision", "·"]  # header, then the 4 changed rows, one a line
    assert plain[-4].startswith("cat ") and "0.8312 (+0.0312)" in plain[-4]


def test_table_changed_only_hides_equal_rows_and_key_column(tmp_path):
    a = write(tmp_path / "a/t.tsv", "id\tname\tscore\n1\tx\t10\n2\ty\t20\n")
    b = write(tmp_path / "b/t.tsv", "score\tname\tid\n10\tx\t1\n21\ty\t2\n")
    result = compare_artifact("t.tsv", [("A", a), ("B", b), ("C", None)], options=CompareOptions(key="id"))
    grid = result.grid(changed_only=True)
    assert grid.rows == [["2", "y", "y", "—", "20", "21 (+1)", "—"]]
    assert grid.hidden == 1
    assert result.runs[0].diff.summary() == "1 cell changed"


def test_parquet_and_mlflow_table_json(tmp_path):
    import pandas as pd

    a, b = tmp_path / "a/t.parquet", tmp_path / "b/t.parquet"
    a.parent.mkdir()
    b.parent.mkdir()
    pd.DataFrame({"k": ["x", "y"], "v": [1.0, 2.0]}).to_parquet(a)
    pd.DataFrame({"k": ["x", "y"], "v": [1.0, 2.5]}).to_parquet(b)
    result = compare_artifact("t.parquet", [("A", a), ("B", b)])
    assert result.kind == "table"
    assert result.grid(changed_only=True).rows == [["y", "2", "2.5 (+0.5)"]]

    ta = write(tmp_path / "a/eval.json", json.dumps({"columns": ["q", "score"], "data": [["a", 0.5], ["b", 0.7]]}))
    tb = write(tmp_path / "b/eval.json", json.dumps({"columns": ["q", "score"], "data": [["b", 0.6], ["a", 0.5]]}))
    result = compare_artifact("eval.json", [("A", ta), ("B", tb)])
    assert result.detected_kind == "mlflow_table"
    assert result.grid(changed_only=True).rows == [["b", "0.7", "0.6 (-0.1)"]]


def test_unreadable_table_falls_back_to_text(tmp_path):
    a = write(tmp_path / "a/t.parquet", b"PAR1 not really parquet")
    b = write(tmp_path / "b/t.parquet", b"PAR1 not really parquet either")
    result = compare_artifact("t.parquet", [("A", a), ("B", b)])
    assert result.kind == "binary" and not result.equal
    assert any("Parquet" in note for note in result.notes)


# -- missing files ------------------------------------------------------------------


def test_missing_files_are_listed_not_dropped(tmp_path):
    a = write(tmp_path / "a/config.yml", CONFIG_A)
    b = write(tmp_path / "b/config.yml", CONFIG_A)
    result = compare_artifact("config.yml", [("A", a), ("gone", None), ("B", b)])
    assert result.labels == ["A", "gone", "B"]
    assert result.missing == ["gone"]
    assert [run.label for run in result.runs] == ["B"] and result.runs[0].equal
    assert not result.equal  # a missing file is a difference (exit 1)
    assert result.grid().columns == ["key", "A", "gone", "B"]
    assert result.grid(changed_only=True).cells == []  # a run lacking the file is reported once, not per row
    assert "missing in gone: config.yml" in render_plain(result)


def test_baseline_lacking_the_file_compares_against_the_next(tmp_path):
    b = write(tmp_path / "b/config.yml", CONFIG_A)
    c = write(tmp_path / "c/config.yml", CONFIG_B)
    result = compare_artifact("config.yml", [("A", None), ("B", b), ("C", c)])
    assert result.baseline == "B" and result.missing == ["A"]
    assert any("baseline lacks" in note for note in result.notes)
    assert result.runs[0].label == "C"
    assert compare_artifact("x.yml", [("A", None), ("B", None)]).kind == "none"
    grid = result.grid()  # deltas are against the reference, so it comes first
    assert grid.columns == ["key", "B", "A", "C"]
    assert {row[0]: row[3] for row in grid.rows}["limit_samples"] == "100 (+50)"


def test_duplicate_labels_unknown_kinds_and_deep_tables(tmp_path):
    a = write(tmp_path / "a/config.yml", CONFIG_A)
    b = write(tmp_path / "b/config.yml", CONFIG_B)
    result = compare_artifact("config.yml", [("run", a), ("run", b)])
    assert result.labels == ["run", "run #2"] and result.grid().columns == ["key", "run", "run #2"]
    with pytest.raises(ValueError, match="unknown artifact kind"):
        compare_artifact("config.yml", [("A", a)], kind="excel")
    deep = write(tmp_path / "a/t.json", '{"columns": ["a"], "data": ' + "[" * 50_000 + "]" * 50_000 + "}")
    flat = write(tmp_path / "b/t.json", '{"columns": ["a"], "data": [[1]]}')
    forced = compare_artifact("t.json", [("A", deep), ("B", flat)], kind="mlflow_table")
    assert forced.kind == "text" and not forced.equal


# -- text and logs ------------------------------------------------------------------


def lines_file(path: Path, count: int, changes: dict[int, str] | None = None, end: str = "\n") -> Path:
    changes = changes or {}
    body = "\n".join(changes.get(i, f"step {i} loss {i * 0.001:.3f}") for i in range(1, count + 1))
    return write(path, body + end)


def test_log_diff_hunks_line_numbers_and_side_by_side(tmp_path):
    a = lines_file(tmp_path / "a/train.log", 100)
    b = lines_file(tmp_path / "b/train.log", 100, {10: "step 10 loss NaN", 80: "step 80 diverged"})
    result = compare_artifact("train.log", [("A", a), ("B", b)])
    diff = result.runs[0].diff
    assert isinstance(diff, TextDiff)
    assert [h.header for h in diff.hunks] == ["@@ -7,7 +7,7 @@", "@@ -77,7 +77,7 @@"]
    changed = [(line.tag, line.text, line.old, line.new) for line in diff.hunks[0].lines if line.tag != "context"]
    assert changed == [("removed", "step 10 loss 0.010", 10, None), ("added", "step 10 loss NaN", None, 10)]
    pairs = diff.hunks[0].side_by_side()
    assert len(pairs) == 7
    old, new = pairs[3]
    assert (old.text, new.text) == ("step 10 loss 0.010", "step 10 loss NaN")
    assert pairs[0][0] is pairs[0][1]  # context shows on both sides
    assert diff.summary() == "2 hunks, +2 -2"


def test_side_by_side_pads_uneven_replacements(tmp_path):
    a = write(tmp_path / "a/x.txt", "keep\nold1\nold2\nold3\nkeep2\n")
    b = write(tmp_path / "b/x.txt", "keep\nnew1\nkeep2\nadded\n")
    pairs = diff_text_files(a, b).hunks[0].side_by_side()
    shown = [(o.text if o else None, n.text if n else None) for o, n in pairs]
    assert shown == [
        ("keep", "keep"),
        ("old1", "new1"),
        ("old2", None),
        ("old3", None),
        ("keep2", "keep2"),
        (None, "added"),
    ]


def test_changes_at_the_very_start_and_end_of_small_files(tmp_path):
    body = "".join(f"line {i}\n" for i in range(20))
    a = write(tmp_path / "a.txt", body + "last\n")
    b = write(tmp_path / "b.txt", "new first\n" + body)
    diff = diff_text_files(a, b)
    changed = [(line.tag, line.text) for hunk in diff.hunks for line in hunk.lines if line.tag != "context"]
    assert changed == [("added", "new first"), ("removed", "last")]


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs GNU patch")
@pytest.mark.parametrize("end_a, end_b", [("\n", "\n"), ("", "\n"), ("\n", ""), ("", "")])
def test_unified_text_applies_with_patch(tmp_path, end_a, end_b):
    a = lines_file(tmp_path / "a/log.txt", 60, end=end_a)
    b = lines_file(tmp_path / "b/log.txt", 62, {3: "changed three", 30: "thirty", 60: "last line"}, end=end_b)
    diff = diff_text_files(a, b)
    text = unified_text(diff, "artifacts/log.txt", "run A", "run B")
    lines = text.splitlines()
    assert lines[0] == "--- a/artifacts/log.txt (run A)"
    assert lines[1] == "+++ b/artifacts/log.txt (run B)"
    for hunk in diff.hunks:  # each header's counts match its body
        assert sum(line.tag != "added" for line in hunk.lines) == hunk.old_count
        assert sum(line.tag != "removed" for line in hunk.lines) == hunk.new_count
    # GNU diff writes the same hunks
    expected = subprocess.run(["diff", "-u", str(a), str(b)], capture_output=True, text=True).stdout.splitlines()
    assert lines[2:] == expected[2:]
    target = tmp_path / "target.txt"
    shutil.copy(a, target)
    subprocess.run(["patch", "-s", str(target)], input=text, text=True, check=True)
    assert target.read_bytes() == b.read_bytes()


def test_binary_and_invalid_utf8_never_raise_and_stay_str(tmp_path):
    evil = "ok \x1b]52;c;SGVsbG8=\x07 [bold]x[/bold] \x1b[31mred\x1b[0m"
    a = write(tmp_path / "a/out.log", b"line\n\xff\xfe\x00bad\n" + evil.encode() + b"\nend\n")
    b = write(tmp_path / "b/out.log", b"line\n\xc3\x28other\n" + evil.encode() + b"\nend\n")
    result = compare_artifact("out.log", [("A", a), ("B", b)], kind="text")
    diff = result.runs[0].diff
    texts = [line.text for hunk in diff.hunks for line in hunk.lines]
    assert all(isinstance(t, str) for t in texts)
    assert evil in texts  # raw: the UI escapes, the engine does not
    assert "\ufffd" in "".join(texts)
    inert = render_plain(result, inert=True)
    assert "\x1b" not in inert and "[bold]x[/bold]" in inert
    # detected as binary without a forced kind: compared as bytes
    auto = compare_artifact("out.log", [("A", a), ("B", b)])
    assert auto.kind == "binary" and not auto.equal
    assert "Binary files a/out.log (A) and b/out.log (B) differ" in render_plain(auto)


def test_forced_text_mode_on_structured_file(tmp_path):
    a = write(tmp_path / "a/config.yml", CONFIG_A)
    b = write(tmp_path / "b/config.yml", CONFIG_A_REORDERED)
    result = compare_artifact("config.yml", [("A", a), ("B", b)], kind="text")
    assert result.kind == "text" and not result.equal and result.runs[0].diff.hunks


def test_huge_files_compare_head_and_tail_with_true_line_numbers(tmp_path):
    count = 200_000  # ~5 MiB each; a 256 KiB window stands in for 2 MiB
    a = lines_file(tmp_path / "a/big.log", count)
    # a longer line 5 and a shorter line near the end move where the byte windows cut B
    b = lines_file(tmp_path / "b/big.log", count, {5: "step 5 CHANGED " + "x" * 300, count - 3: "tail CHANGED"})
    window = 256 * 1024
    result = compare_artifact("big.log", [("A", a), ("B", b)], options=CompareOptions(window=window))
    size = a.stat().st_size
    assert f"compared the first and last 256 KiB of {size / MIB:.1f} MiB" in result.notes
    diff = result.runs[0].diff
    assert [h.part for h in diff.hunks] == ["head", "tail"]
    removed = [line for h in diff.hunks for line in h.lines if line.tag == "removed"]
    assert [(line.old, line.text) for line in removed] == [
        (5, "step 5 loss 0.005"),
        (count - 3, f"step {count - 3} loss {(count - 3) * 0.001:.3f}"),
    ]
    assert diff.hunks[1].header == f"@@ -{count - 6},7 +{count - 6},7 @@"


def test_difference_hidden_in_the_skipped_middle_is_reported(tmp_path):
    count = 100_000
    a = lines_file(tmp_path / "a/big.log", count)
    b = lines_file(tmp_path / "b/big.log", count, {count // 2: "step X middle!"})
    result = compare_artifact("big.log", [("A", a), ("B", b)], options=CompareOptions(window=64 * 1024))
    diff = result.runs[0].diff
    assert not result.equal and diff.hunks == []
    assert "differ only in the part that was not compared" in " ".join(diff.notes)
    assert diff.summary() == "differs outside the compared parts"


def test_huge_file_memory_stays_bounded(tmp_path):
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    line = b"2026-01-01 12:00:00 INFO step loss=0.1234 acc=0.9876 " + b"x" * 40 + b"\n"
    block = line * (MIB // len(line))
    with open(a, "wb") as fa, open(b, "wb") as fb:
        for i in range(40):
            fa.write(block)
            fb.write(block if i not in (0, 39) else block.replace(b"INFO", b"WARN", 3))
    tracemalloc.start()
    result = compare_artifact("run.log", [("A", a), ("B", b)], options=CompareOptions(window=MIB))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not result.equal and result.runs[0].diff.hunks
    assert peak < 25 * MIB, f"peak {peak / MIB:.1f} MiB"


def test_many_lines_are_capped_with_a_note(tmp_path):
    a = write(tmp_path / "a/x.txt", "a\n" * 5000)
    b = write(tmp_path / "b/x.txt", "b\n" * 5000)
    result = compare_artifact("x.txt", [("A", a), ("B", b)], options=CompareOptions(max_lines=1000))
    assert any("first 2,000 lines" in note for note in result.notes)  # a file read whole gets both parts' share
    assert result.runs[0].diff.removed == 2000


# -- images ---------------------------------------------------------------------------


def png(path: Path, width: int, height: int, color=(255, 0, 0)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (width, height), color).save(path)
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims a huge size; decoding it would need gigabytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return write(path, b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def test_images_share_one_scale_and_missing_runs_keep_a_slot(tmp_path):
    a = png(tmp_path / "a/cm.png", 800, 600)
    b = png(tmp_path / "b/cm.png", 400, 300, (0, 0, 255))
    result = compare_artifact("confusion_matrix.png", [("A", a), ("B", b), ("C", None)])
    assert result.kind == "image" and not result.equal
    assert result.runs[0].diff.notes == ["800×600 → 400×300"]
    layout = result.image_layout(200, 200)
    assert layout.scale == 0.25
    assert [(s.label, s.target) for s in layout.slots] == [("A", (200, 150)), ("B", (100, 75)), ("C", None)]
    assert layout.missing == ["C"]
    assert image_layout([("A", a)], 2000, 2000).scale == 1.0
    assert image_layout([("A", a)], 2000, 2000, upscale=True).scale == 2000 / 800


def test_image_sizes_come_from_headers_only(tmp_path):
    big = png_header_only(tmp_path / "big.png", 12_000, 12_000)  # over Pillow's warning limit, under its error
    huge = png_header_only(tmp_path / "huge.png", 30_000, 30_000)
    broken = write(tmp_path / "broken.png", b"\x89PNG\r\n\x1a\nnot an image")
    small = png(tmp_path / "small.png", 100, 50)
    tracemalloc.start()
    layout = image_layout([("big", big), ("huge", huge), ("broken", broken), ("small", small)], 300, 300)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 5 * MIB
    slots = {slot.label: slot for slot in layout.slots}
    assert slots["big"].size == (12_000, 12_000) and slots["big"].target == (300, 300)
    assert slots["huge"].target is None and "too large" in slots["huge"].note
    assert slots["broken"].target is None and slots["broken"].note
    assert slots["small"].target == (2, 1)  # the same scale as the 12,000-pixel image


# -- numbers --------------------------------------------------------------------------


def test_numbers_and_deltas():
    assert as_number("0.8312") == 0.8312 and as_number("100") == 100 and isinstance(as_number("100"), int)
    assert as_number(True) is None and as_number("nan") is None and as_number("1_000") is None
    assert as_number(float("inf")) is None
    assert delta_text(0.8, 0.8312) == "+0.0312"
    assert delta_text(50, 100) == "+50"
    assert delta_text(2**60, 2**60 + 1) == "+1"  # exact where floats are not
    assert delta_text(0.3, 0.1) == "-0.2"
    assert delta_text(1.5, 1.5) == "0"


def test_engine_imports_neither_textual_nor_mlflow():
    code = (
        "import sys, mltui.artifact_diff; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'mlflow') or m == 'mltui.store']; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs GNU patch")
def test_repetitive_files_are_matched_in_blocks_and_still_apply(tmp_path, monkeypatch):
    import random

    import mltui.artifact_diff.textdiff as textdiff

    monkeypatch.setattr(textdiff, "BLOCK_LINES", 50)  # 2,000 lines become 40 blocks
    rng = random.Random(7)
    words = [f"value {i}" for i in range(20)]
    a = write(tmp_path / "a.txt", "".join(rng.choice(words) + "\n" for _ in range(2000)))
    b = write(tmp_path / "b.txt", "".join(rng.choice(words) + "\n" for _ in range(2300)))
    diff = diff_text_files(a, b)
    assert diff.hunks
    target = tmp_path / "target.txt"
    shutil.copy(a, target)
    subprocess.run(["patch", "-s", str(target)], input=unified_text(diff, "a.txt", "A", "B"), text=True, check=True)
    assert target.read_bytes() == b.read_bytes()


def test_small_baseline_against_huge_file_and_three_runs(tmp_path):
    small = lines_file(tmp_path / "a/run.log", 50)
    huge = lines_file(tmp_path / "b/run.log", 100_000)
    same = lines_file(tmp_path / "c/run.log", 50)
    result = compare_artifact(
        "run.log", [("A", small), ("B", huge), ("C", same)], options=CompareOptions(window=64 * 1024)
    )
    assert [run.label for run in result.runs] == ["B", "C"]
    assert not result.runs[0].equal and result.runs[1].equal
    assert any(note.startswith("compared the first and last 64 KiB of") for note in result.runs[0].diff.notes)
    assert result.summary() == "1 of 2 runs differ from A"


@pytest.mark.parametrize("end", ["\n", ""])
def test_line_cap_keeps_true_numbers_in_head_and_tail(tmp_path, end):
    from mltui.artifact_diff import read_text_source

    path = write(tmp_path / "x.log", "\n".join(f"x{i}" for i in range(1, 10_001)) + end)
    source = read_text_source(path, window=1024, max_lines=50)
    head, tail = source.parts
    assert (head.first_line, head.lines[0], head.lines[-1], len(head.lines)) == (1, "x1", "x50", 50)
    assert (tail.first_line, tail.lines[0], tail.lines[-1], len(tail.lines)) == (9951, "x9951", "x10000", 50)
    assert tail.no_newline == (end == "")
    assert "compared at most 50 lines of each part" in source.notes
    empty = read_text_source(write(tmp_path / "empty.log", ""))
    assert empty.parts[0].lines == [] and not empty.parts[0].no_newline
