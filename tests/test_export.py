"""Exporters: Markdown and CSV carry display strings, JSON the full-precision values."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from mltui.diff import DiffOptions, DiffResult, build_diff
from mltui.export import EXTENSIONS, export, to_csv, to_json, to_markdown
from mltui.models import Run

A_ID = "a" * 32
B_ID = "b" * 32


def strict_loads(text: str) -> object:
    """json.loads that refuses NaN/Infinity, which are not JSON."""

    def reject(name: str) -> object:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=reject)


@pytest.fixture
def seed() -> DiffResult:
    a = Run(
        A_ID,
        "logreg-a",
        "1",
        metrics={"accuracy": 0.85, "precision": 0.88, "recall": 0.82, "f1_score": 0.85, "loss": float("nan")},
        params={"C": "1.0", "max_iter": "100"},
        tags={"model": "logreg"},
        start_time=1_700_000_000_000,
        end_time=1_700_000_065_000,
    )
    b = Run(
        B_ID,
        "logreg-b",
        "1",
        metrics={"accuracy": 0.92, "precision": 0.91, "recall": 0.93, "f1_score": 0.92, "auc": 0.95, "loss": 0.3},
        params={"C": "0.5", "max_iter": "100"},
        tags={"model": "logreg|v2"},
    )
    return build_diff([a, b])


def test_markdown_seed_row(seed: DiffResult) -> None:
    text = to_markdown(seed)
    lines = text.splitlines()
    assert "| metrics | accuracy | 0.85 | 0.92 | +0.07 (+8.2%) |" in lines
    assert lines[0].startswith("Baseline: logreg-a (aaaaaaaa)") and "latest" in lines[0]
    assert "1 metric missing in 1 run: logreg-a (auc)" in lines
    assert "| section | key | logreg-a (aaaaaaaa) | logreg-b (bbbbbbbb) | Δ logreg-b |" in lines


def test_markdown_escapes_pipes_and_keeps_columns(seed: DiffResult) -> None:
    lines = to_markdown(seed).splitlines()
    assert "| tags | model | logreg | logreg\\|v2 |  |" in lines
    table = [line for line in lines if line.startswith("|")]
    widths = {len(line.replace("\\|", "").split("|")) for line in table}
    assert len(widths) == 1  # every row has as many cells as the header


def test_markdown_mentions_hidden_rows_and_best_mode(seed: DiffResult) -> None:
    result = build_diff(seed.runs, options=DiffOptions(changed_only=True, value_mode="best"))
    text = to_markdown(result)
    assert "best" in text.splitlines()[0]
    assert f"{result.hidden} unchanged rows hidden" in text


def test_csv_parses_back(seed: DiffResult) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(seed))))
    assert rows[0] == ["section", "key", "logreg-a (aaaaaaaa)", "logreg-b (bbbbbbbb)", "Δ logreg-b"]
    assert ["metrics", "accuracy", "0.85", "0.92", "+0.07 (+8.2%)"] in rows
    assert ["tags", "model", "logreg", "logreg|v2", ""] in rows
    assert len(rows) == 1 + len(seed.rows)
    assert all(len(r) == 5 for r in rows)


def test_json_round_trips_full_precision_and_nulls_nan(seed: DiffResult) -> None:
    doc = strict_loads(to_json(seed))
    assert doc["baseline"] == A_ID and doc["value_mode"] == "latest" and doc["hidden"] == 0
    assert doc["runs"] == [
        {"run_id": A_ID, "name": "logreg-a", "experiment_id": "1"},
        {"run_id": B_ID, "name": "logreg-b", "experiment_id": "1"},
    ]
    rows = {(r["section"], r["key"]): r for r in doc["rows"]}
    accuracy = rows[("metrics", "accuracy")]
    assert accuracy["values"] == {A_ID: 0.85, B_ID: 0.92}
    assert accuracy["deltas"][B_ID] == 0.92 - 0.85 and accuracy["deltas"][B_ID] != 0.07
    assert accuracy["deltas"][A_ID] is None and accuracy["changed"] is True
    loss = rows[("metrics", "loss")]
    assert loss["values"][A_ID] is None and loss["deltas"][B_ID] is None
    assert rows[("metrics", "auc")]["values"][A_ID] is None
    assert rows[("params", "C")]["values"] == {A_ID: "1.0", B_ID: "0.5"}
    assert rows[("params", "C")]["deltas"][B_ID] == -0.5
    assert doc["missing"] == {A_ID: ["auc"]}


def test_json_infinities_are_null() -> None:
    runs = [Run(A_ID, "a", "1", metrics={"m": float("inf")}), Run(B_ID, "b", "1", metrics={"m": float("-inf")})]
    doc = strict_loads(to_json(build_diff(runs)))
    row = next(r for r in doc["rows"] if r["key"] == "m")
    assert row["values"] == {A_ID: None, B_ID: None} and row["deltas"] == {A_ID: None, B_ID: None}


def test_exports_survive_odd_input() -> None:
    runs = [
        Run(A_ID, "a|[b]x[/]", "1", metrics={"[bold red]x[/]": 1.0}, params={"p\n|q": "line\nbreak|pipe"}),
        Run(B_ID, "", "1", metrics={"[bold red]x[/]": 2.0}, params={"p\n|q": "x" * 5000}),
    ]
    result = build_diff(runs)
    for fmt in ("markdown", "csv", "json"):
        assert export(result, fmt)
    md_lines = to_markdown(result).splitlines()
    assert any(line.startswith("| params | p \\|q | line break\\|pipe |") for line in md_lines)
    assert strict_loads(to_json(result))["rows"][1]["values"][A_ID] == "line\nbreak|pipe"


def test_empty_result_exports() -> None:
    result = build_diff([])
    assert list(csv.reader(io.StringIO(to_csv(result)))) == [["section", "key"]]
    assert strict_loads(to_json(result))["rows"] == []
    assert "| section | key |" in to_markdown(result)


def test_export_dispatch(seed: DiffResult) -> None:
    assert export(seed, "md") == export(seed, "markdown") == to_markdown(seed)
    assert export(seed, "csv") == to_csv(seed)
    assert export(seed, "json") == to_json(seed)
    with pytest.raises(ValueError):
        export(seed, "xlsx")
    assert EXTENSIONS == {"markdown": "md", "csv": "csv", "json": "json"}


def test_json_deltas_are_finite_numbers_or_null(seed: DiffResult) -> None:
    for row in strict_loads(to_json(seed))["rows"]:
        for delta in row["deltas"].values():
            assert delta is None or (isinstance(delta, float | int) and math.isfinite(delta))
