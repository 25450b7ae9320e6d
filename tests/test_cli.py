"""The command line, run as a user would: a subprocess against real stores."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import lookup_stores
from lookup_stores import BERT_ID, LSTM_ID


def mltui(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mltui", *args], capture_output=True, text=True, timeout=120, env=env)


twin_prefix_store = lookup_stores.twin_prefix_store  # a shared fixture


def test_diff_markdown_shows_the_seed_deltas(classifier_store):
    a, b = classifier_store["runs"]
    result = mltui("diff", a, b, "--tracking-uri", classifier_store["uri"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("| metrics | accuracy | 0.85 | 0.92 | +0.07") for line in lines), result.stdout
    assert any("| recall | 0.82 | 0.93 | +0.11" in line for line in lines)
    assert any("| auc | — | 0.95 |" in line for line in lines)


def test_diff_json_carries_full_precision(classifier_store):
    a, b = classifier_store["runs"]
    result = mltui("diff", a, b, "--format", "json", "--tracking-uri", classifier_store["uri"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    accuracy = next(row for row in data["rows"] if row["key"] == "accuracy")
    assert accuracy["deltas"][b] == 0.92 - 0.85
    assert data["baseline"] == a


def test_diff_csv_with_baseline_and_changed_only(classifier_store):
    a, b = classifier_store["runs"]
    result = mltui(
        "diff", a, b, "--baseline", b, "--format", "csv", "--changed-only", "--tracking-uri", classifier_store["uri"]
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    keys = [row[1] for row in rows[1:]]
    assert "max_iter" not in keys, "identical rows are hidden"
    accuracy = next(row for row in rows if row[1] == "accuracy")
    assert accuracy[2:5] == ["0.92", "0.85", "-0.07 (-7.6%)"]


def test_diff_unknown_run_id_is_one_line_exit_2(classifier_store):
    a, _ = classifier_store["runs"]
    result = mltui("diff", a, "0" * 32, "--tracking-uri", classifier_store["uri"])
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("mltui: No run with id 00000000")
    assert "Traceback" not in result.stderr


def test_unknown_location_is_one_line_exit_2(tmp_path):
    result = mltui(str(tmp_path / "does-not-exist"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"mltui: {tmp_path / 'does-not-exist'}: no such file, folder or tracking URI"


def test_dead_server_diff_fails_fast_with_one_line():
    result = mltui("diff", "a" * 32, "b" * 32, "--tracking-uri", "http://user:pw@127.0.0.1:9")
    assert result.returncode == 2
    assert "Cannot reach http://***@127.0.0.1:9" in result.stderr
    assert "pw" not in result.stderr and "Traceback" not in result.stderr
    assert "press R" not in result.stderr, "no in-app advice on a command line"


def test_help_does_not_import_mlflow():
    code = "import sys; from mltui.cli import main\ntry:\n main(['--help'])\nexcept SystemExit: pass\nprint('mlflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().endswith("False")


def test_a_zero_size_terminal_still_loads_the_image_widget():
    """`script` and some `docker exec -t` report a 0x0 terminal: textual-image divided by zero on import."""
    import os
    import pty

    master, slave = pty.openpty()  # a fresh pty reports 0 rows x 0 columns
    code = "import mltui.widgets.artifact_viewer as v; print('IMAGE-WIDGET', v.image_widget() is not None)"
    try:
        proc = subprocess.run([sys.executable, "-c", code], stdin=slave, stdout=slave, stderr=slave, timeout=60)
        os.close(slave)
        output = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the other end is closed: all read
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(master)
    text = output.decode(errors="replace")
    assert proc.returncode == 0, text[-2000:]
    assert "IMAGE-WIDGET True" in text and "Traceback" not in text


# -- runs named as the UI shows them, the store given like `mltui STORE` --------------------------


def test_diff_takes_the_store_first_and_8_character_prefixes(twin_prefix_store):
    result = mltui("diff", str(twin_prefix_store["db"]), BERT_ID[:8], LSTM_ID[:8], "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["baseline"] == BERT_ID
    f1 = next(row for row in data["rows"] if row["key"] == "f1")
    assert f1["deltas"][LSTM_ID] == 0.84 - 0.91


def test_diff_takes_names_and_the_store_from_the_environment(twin_prefix_store):
    env = {**os.environ, "MLFLOW_TRACKING_URI": twin_prefix_store["uri"]}
    result = mltui("diff", "resnet", "sentiment_PROBE", "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    assert next(row for row in csv.reader(io.StringIO(result.stdout)) if row[1] == "acc")[2:5] == [
        "0.9",
        "0.5",
        "-0.4 (-44%)",
    ]


def test_diff_ambiguous_prefix_exits_2_listing_the_candidates(twin_prefix_store):
    result = mltui("diff", "7b81", "resnet", "--tracking-uri", twin_prefix_store["uri"])
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "mltui: '7b81' matches 2 runs; give more of the id:"
    assert sorted(lines[1:]) == [
        f"  {BERT_ID[:12]}  Sentiment-BERT  (nlp/sentiment)",
        f"  {LSTM_ID[:12]}  sentiment-lstm  (nlp/sentiment)",
    ]
    assert "Traceback" not in result.stderr


def test_diff_unknown_name_is_one_line_exit_2(twin_prefix_store):
    result = mltui("diff", str(twin_prefix_store["db"]), "resnet", "no-such-run")
    assert result.returncode == 2
    assert result.stderr == "mltui: No run matches 'no-such-run' (tried run id, id prefix, run name)\n"


def test_diff_shows_stored_infinities_as_inf_without_deltas(twin_prefix_store):
    ids = twin_prefix_store["ids"]
    result = mltui("diff", str(twin_prefix_store["db"]), ids["plain"], ids["odd"])
    assert result.returncode == 0, result.stderr
    rows = {line.split("|")[2].strip(): line for line in result.stdout.splitlines() if line.startswith("| metrics")}
    assert [c.strip() for c in rows["pos_inf"].split("|")[3:6]] == ["5", "inf", ""]
    assert [c.strip() for c in rows["neg_inf"].split("|")[3:6]] == ["2", "-inf", ""]
    assert "1.79769e+308" not in result.stdout and "e+308" not in result.stdout
    data = json.loads(mltui("diff", str(twin_prefix_store["db"]), ids["plain"], ids["odd"], "--format", "json").stdout)
    pos_inf = next(row for row in data["rows"] if row["key"] == "pos_inf")
    assert pos_inf["deltas"][ids["odd"]] is None
