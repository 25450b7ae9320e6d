"""The command line, run as a user would: a subprocess against real stores."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys


def mltui(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mltui", *args], capture_output=True, text=True, timeout=120, env=env)


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
