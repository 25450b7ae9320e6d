"""The pure diff engine: built from plain Run objects, no MLflow store needed."""

from __future__ import annotations

import math
import random
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mltui.diff import (
    DEFAULT_LOWER_IS_BETTER,
    MISSING,
    DiffCell,
    DiffOptions,
    DiffResult,
    DiffRow,
    build_diff,
    format_delta,
    format_values,
    is_lower_better,
)
from mltui.models import Run

A_ID = "a" * 32
B_ID = "b" * 32
C_ID = "c" * 32
SEED_A = {"accuracy": 0.85, "precision": 0.88, "recall": 0.82, "f1_score": 0.85}
SEED_B = {"accuracy": 0.92, "precision": 0.91, "recall": 0.93, "f1_score": 0.92}


def make_run(
    run_id: str = A_ID,
    name: str = "run",
    metrics: dict[str, float] | None = None,
    params: dict[str, str] | None = None,
    tags: dict[str, str] | None = None,
    **kw: object,
) -> Run:
    return Run(
        run_id=run_id,
        name=name,
        experiment_id="1",
        metrics=dict(metrics or {}),
        params=dict(params or {}),
        tags=dict(tags or {}),
        **kw,
    )


def row(result: DiffResult, section: str, key: str) -> DiffRow:
    matches = [r for r in result.rows if r.section == section and r.key == key]
    assert len(matches) == 1, f"{section}/{key} not found once in {[(r.section, r.key) for r in result.rows]}"
    return matches[0]


@pytest.fixture
def seed() -> DiffResult:
    a = make_run(A_ID, "logreg-a", SEED_A, {"C": "1.0", "max_iter": "100"}, {"model": "logreg"})
    b = make_run(B_ID, "logreg-b", {**SEED_B, "auc": 0.95}, {"C": "0.5", "max_iter": "100"}, {"model": "logreg"})
    return build_diff([a, b])


# --------------------------------------------------------------------------- seed case and deltas


def test_seed_case_delta_texts(seed: DiffResult) -> None:
    expected = {"accuracy": "+0.07", "precision": "+0.03", "recall": "+0.11", "f1_score": "+0.07"}
    for key, prefix in expected.items():
        cell = row(seed, "metrics", key).cells[1]
        assert cell.delta_text.startswith(prefix + " ("), cell.delta_text
        assert "0000" not in cell.delta_text
        assert cell.verdict == "better"
    assert row(seed, "metrics", "accuracy").cells[1].delta_text == "+0.07 (+8.2%)"


def test_seed_case_keeps_full_precision_delta(seed: DiffResult) -> None:
    cell = row(seed, "metrics", "accuracy").cells[1]
    assert cell.delta == 0.92 - 0.85
    assert cell.delta != 0.07  # the float noise is kept, only the display is rounded
    assert [c.text for c in row(seed, "metrics", "accuracy").cells] == ["0.85", "0.92"]


def test_baseline_column_has_no_delta(seed: DiffResult) -> None:
    for r in seed.rows:
        base = r.cells[0]
        assert (base.delta, base.delta_text, base.verdict) == (None, "", None)


def test_format_delta_styles() -> None:
    assert format_delta(0.85, 0.92) == "+0.07 (+8.2%)"
    assert format_delta(0.86, 0.83) == "-0.03 (-3.5%)"
    assert format_delta(0.5, 0.5) == "0"
    assert format_delta(2, 5) == "+3 (+150%)"
    assert format_delta(1.0, 1.12) == "+0.12 (+12%)"
    assert format_delta(100.0, 100.24) == "+0.24 (+0.24%)"
    assert format_delta(0.1, 0.1 + 0.2) == "+0.2 (+200%)"


def test_percent_omitted_when_baseline_is_zero() -> None:
    assert format_delta(0.0, 3.0) == "+3"
    assert format_delta(0.0, -0.25) == "-0.25"


def test_nonzero_delta_never_reads_zero() -> None:
    for base in (1.0, 0.3, 1e-300, 123456.789, -2.5):
        text = format_delta(base, math.nextafter(base, math.inf))
        assert text.split(" ")[0] not in ("0", "+0", "-0")
        assert text.startswith("+")


def test_format_delta_non_finite_is_empty() -> None:
    assert format_delta(float("nan"), 1.0) == ""
    assert format_delta(1.0, float("inf")) == ""
    assert format_delta(-1e308, 1e308) == ""  # the difference overflows


# --------------------------------------------------------------------------- value display


def test_format_values_distinguishes_close_values() -> None:
    assert format_values([0.9234, 0.9236]) == ["0.9234", "0.9236"]
    texts = format_values([0.12345678, 0.12345679])
    assert texts[0] != texts[1]
    texts = format_values([1.0, math.nextafter(1.0, 2.0)])
    assert texts[0] != texts[1] and float(texts[1]) == math.nextafter(1.0, 2.0)


def test_format_values_not_padded_and_integers_plain() -> None:
    assert format_values([0.85, 0.123456789]) == ["0.85", "0.123457"]
    assert format_values([1000.0, 2.0, -7.0]) == ["1000", "2", "-7"]
    assert format_values([0.0]) == ["0"]
    assert format_values([0.1, math.nextafter(0.1, 1.0)]) == ["0.1", "0.10000000000000002"]


def test_format_values_avoids_exponent_for_ordinary_magnitudes() -> None:
    texts = format_values([0.0001234, 123456789.0, 98765432.1, 12345678901234.5])
    assert all("e" not in t for t in texts), texts
    assert texts[:2] == ["0.0001234", "123456789"]
    assert "e" in format_values([1e-7])[0]
    assert "e" in format_values([1e20])[0]


def test_format_values_missing_and_non_finite() -> None:
    assert format_values([None, float("nan"), float("inf"), float("-inf")]) == [MISSING, "nan", "inf", "-inf"]


# --------------------------------------------------------------------------- direction, verdicts, best


@pytest.mark.parametrize(
    "key", ["loss", "val_loss", "Train/Error", "RMSE", "mae_test", "perplexity", "p95_latency", "fit_time"]
)
def test_lower_is_better_fragments(key: str) -> None:
    assert is_lower_better(key)


@pytest.mark.parametrize("key", ["accuracy", "f1_score", "auc", "precision", "[bold red]x[/]"])
def test_higher_is_better_by_default(key: str) -> None:
    assert not is_lower_better(key)


def test_user_fragments_and_flip() -> None:
    assert is_lower_better("wer", DEFAULT_LOWER_IS_BETTER + ("wer",))
    assert not is_lower_better("val_loss", flipped=frozenset({"val_loss"}))
    assert is_lower_better("accuracy", flipped=frozenset({"accuracy"}))


def test_verdict_follows_direction_and_flip() -> None:
    a = make_run(A_ID, "a", {"loss": 0.5, "accuracy": 0.8, "steps": 10})
    b = make_run(B_ID, "b", {"loss": 0.4, "accuracy": 0.7, "steps": 10})
    result = build_diff([a, b])
    assert row(result, "metrics", "loss").lower_is_better is True
    assert row(result, "metrics", "loss").cells[1].verdict == "better"
    assert row(result, "metrics", "accuracy").cells[1].verdict == "worse"
    assert row(result, "metrics", "steps").cells[1].verdict == "same"
    assert row(result, "metrics", "steps").cells[1].delta_text == "0"
    flipped = build_diff([a, b], options=DiffOptions(flipped=frozenset({"loss"})))
    assert row(flipped, "metrics", "loss").lower_is_better is False
    assert row(flipped, "metrics", "loss").cells[1].verdict == "worse"


def test_is_best_marks_best_by_direction_and_all_ties() -> None:
    runs = [
        make_run(A_ID, "a", {"loss": 0.3, "acc": 0.9}),
        make_run(B_ID, "b", {"loss": 0.2, "acc": 0.9}),
        make_run(C_ID, "c", {"loss": 0.2, "acc": 0.8}),
    ]
    result = build_diff(runs)
    assert [c.is_best for c in row(result, "metrics", "loss").cells] == [False, True, True]
    assert [c.is_best for c in row(result, "metrics", "acc").cells] == [True, True, False]
    for r in result.rows:
        if r.section != "metrics":
            assert not any(c.is_best for c in r.cells)


def test_best_ignores_nan_and_inf() -> None:
    runs = [
        make_run(A_ID, "a", {"loss": float("nan")}),
        make_run(B_ID, "b", {"loss": float("-inf")}),
        make_run(C_ID, "c", {"loss": 0.5}),
    ]
    assert [c.is_best for c in row(build_diff(runs), "metrics", "loss").cells] == [False, False, True]


# --------------------------------------------------------------------------- missing and non-finite


def test_missing_metric_cells_and_summary() -> None:
    a = make_run(A_ID, "logreg-a", {"accuracy": 0.85})
    b = make_run(B_ID, "logreg-b", {"accuracy": 0.9, "auc": 0.95, "f1": 0.9})
    result = build_diff([a, b])
    cell = row(result, "metrics", "auc").cells[0]
    assert (cell.raw, cell.text, cell.delta, cell.verdict) == (None, MISSING, None, None)
    assert row(result, "metrics", "auc").cells[1].delta is None  # no baseline value, no delta
    assert row(result, "metrics", "auc").changed
    assert result.missing == {A_ID: ["auc", "f1"]}
    assert result.missing[B_ID] == []
    assert result.missing_summary() == "2 metrics missing in 1 run: logreg-a (auc, f1)"


def test_missing_summary_none_when_complete(seed: DiffResult) -> None:
    complete = build_diff([make_run(A_ID, "a", SEED_A), make_run(B_ID, "b", SEED_B)])
    assert complete.missing == {}
    assert complete.missing_summary() is None
    assert seed.missing_summary() == "1 metric missing in 1 run: logreg-a (auc)"


def test_missing_summary_several_runs() -> None:
    runs = [make_run(A_ID, "a", {"x": 1.0}), make_run(B_ID, "b", {"y": 1.0}), make_run(C_ID, "", {"x": 1.0, "y": 2.0})]
    assert build_diff(runs).missing_summary() == "2 metrics missing in 2 runs: a (y); b (x)"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_values_never_produce_a_delta(bad: float) -> None:
    result = build_diff([make_run(A_ID, "a", {"m": 1.0, "n": bad}), make_run(B_ID, "b", {"m": bad, "n": 1.0})])
    for key in ("m", "n"):
        cells = row(result, "metrics", key).cells
        assert all(c.delta is None and c.delta_text == "" and c.verdict is None for c in cells)
    assert row(result, "metrics", "m").cells[1].text == {"nan": "nan", "inf": "inf", "-inf": "-inf"}[repr(bad)]


def test_nan_in_both_runs_is_unchanged() -> None:
    result = build_diff([make_run(A_ID, "a", {"m": float("nan")}), make_run(B_ID, "b", {"m": float("nan")})])
    assert not row(result, "metrics", "m").changed


# --------------------------------------------------------------------------- params and tags


def test_params_side_by_side_with_numeric_deltas(seed: DiffResult) -> None:
    c = row(seed, "params", "C")
    assert [cell.text for cell in c.cells] == ["1.0", "0.5"]
    assert c.changed and c.lower_is_better is None
    assert c.cells[1].delta == -0.5 and c.cells[1].delta_text == "-0.5 (-50%)" and c.cells[1].verdict is None
    assert not row(seed, "params", "max_iter").changed


def test_numeric_looking_params_delta() -> None:
    result = build_diff(
        [
            make_run(A_ID, "a", params={"lr": "0.01", "opt": "adam", "w": "nan", "n": "1e3"}),
            make_run(B_ID, "b", params={"lr": "0.005", "opt": "sgd", "w": "1", "n": "2e3"}),
        ]
    )
    lr = row(result, "params", "lr").cells[1]
    assert (lr.delta, lr.delta_text, lr.verdict) == (0.005 - 0.01, "-0.005 (-50%)", None)
    assert row(result, "params", "n").cells[1].delta == 1000.0
    for key in ("opt", "w"):
        cell = row(result, "params", key).cells[1]
        assert cell.delta is None and cell.delta_text == ""


def test_param_text_cleaned_raw_untouched() -> None:
    raw = "line1\nline2\x1b[31m red"
    result = build_diff([make_run(A_ID, "a", params={"p": raw}), make_run(B_ID, "b", params={"q": ""})])
    cell = row(result, "params", "p").cells[0]
    assert cell.raw == raw
    assert "\n" not in cell.text and "\x1b" not in cell.text
    assert row(result, "params", "p").cells[1].text == MISSING
    q = row(result, "params", "q")
    assert [c.raw for c in q.cells] == [None, ""] and q.changed


def test_system_tags_hidden_unless_asked() -> None:
    tags = {"mlflow.runName": "a", "mlflow.user": "me", "team": "x"}
    runs = [make_run(A_ID, "a", tags=tags), make_run(B_ID, "b", tags={**tags, "team": "y"})]
    keys = [r.key for r in build_diff(runs).rows_in("tags")]
    assert keys == ["team"]
    shown = [r.key for r in build_diff(runs, options=DiffOptions(show_system_tags=True)).rows_in("tags")]
    assert shown == ["mlflow.runName", "mlflow.user", "team"]
    assert all(c.delta is None for r in build_diff(runs).rows_in("tags") for c in r.cells)


# --------------------------------------------------------------------------- info section


def test_info_rows() -> None:
    commit = "0123456789abcdef0123"
    a = make_run(
        A_ID,
        "a",
        start_time=1_700_000_000_000,
        end_time=1_700_000_065_000,
        user="alice",
        tags={"mlflow.source.name": "train.py", "mlflow.source.git.commit": commit},
    )
    b = make_run(
        B_ID,
        "b",
        status="FAILED",
        start_time=1_700_000_100_000,
        end_time=1_700_000_102_300,
        tags={"mlflow.user": "bob"},
    )
    result = build_diff([a, b])
    info = {r.key: r for r in result.rows_in("info")}
    assert set(info) == {"status", "duration", "start time", "user", "source", "git commit"}
    assert [c.text for c in info["status"].cells] == ["FINISHED", "FAILED"]
    assert [c.text for c in info["duration"].cells] == ["1m 05s", "2.3s"]
    assert info["duration"].cells[1].delta == pytest.approx(-62.7)
    assert info["duration"].cells[1].delta_text.startswith("-1m 03s")
    expected = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(1_700_000_000))
    assert info["start time"].cells[0].text == expected
    assert [c.text for c in info["user"].cells] == ["alice", "bob"]
    assert [c.text for c in info["source"].cells] == ["train.py", MISSING]
    assert info["git commit"].cells[0].text == commit[:10] and info["git commit"].cells[0].raw == commit
    assert all(c.verdict is None and not c.is_best for r in info.values() for c in r.cells)


def test_info_running_run_has_no_duration() -> None:
    result = build_diff([make_run(A_ID, "a", start_time=1000, end_time=None, status="RUNNING")])
    cell = row(result, "info", "duration").cells[0]
    assert (cell.raw, cell.text) == (None, MISSING)


# --------------------------------------------------------------------------- options, ordering, edge cases


def test_changed_only_hides_identical_rows_in_all_sections() -> None:
    a = make_run(
        A_ID, "a", {"same": 1.0, "diff": 1.0}, {"p": "x", "q": "1"}, {"t": "x", "u": "1"}, start_time=1, end_time=2
    )
    b = make_run(
        B_ID, "b", {"same": 1.0, "diff": 2.0}, {"p": "x", "q": "2"}, {"t": "x", "u": "2"}, start_time=1, end_time=2
    )
    full = build_diff([a, b])
    result = build_diff([a, b], options=DiffOptions(changed_only=True))
    assert [(r.section, r.key) for r in result.rows] == [("metrics", "diff"), ("params", "q"), ("tags", "u")]
    assert result.hidden == len(full.rows) - 3
    assert full.hidden == 0


def test_rows_grouped_by_section_order_and_sorted(seed: DiffResult) -> None:
    assert [r.section for r in seed.rows] == sorted(
        (r.section for r in seed.rows), key=["metrics", "params", "tags", "info"].index
    )
    for section in ("metrics", "params", "tags", "info"):
        keys = [r.key for r in seed.rows_in(section)]
        assert keys == sorted(keys)
    assert [r.key for r in seed.rows_in("metrics")] == ["accuracy", "auc", "f1_score", "precision", "recall"]
    only = build_diff(seed.runs, options=DiffOptions(sections=("tags", "metrics")))
    assert [r.section for r in only.rows] == ["tags"] + ["metrics"] * 5


def test_unknown_section_or_mode_rejected() -> None:
    with pytest.raises(ValueError):
        build_diff([make_run()], options=DiffOptions(sections=("metric",)))
    with pytest.raises(ValueError):
        build_diff([make_run()], options=DiffOptions(value_mode="worst"))


def test_best_value_mode_uses_best_values_with_fallback() -> None:
    a = make_run(A_ID, "a", {"loss": 0.5, "acc": 0.7})
    b = make_run(B_ID, "b", {"loss": 0.6, "acc": 0.8})
    best = {A_ID: {"loss": 0.2}, B_ID: {"loss": 0.1, "acc": 0.9}}
    result = build_diff([a, b], options=DiffOptions(value_mode="best"), best_values=best)
    assert [c.raw for c in row(result, "metrics", "loss").cells] == [0.2, 0.1]
    assert [c.raw for c in row(result, "metrics", "acc").cells] == [0.7, 0.9]  # a falls back to latest
    latest = build_diff([a, b], best_values=best)
    assert [c.raw for c in row(latest, "metrics", "loss").cells] == [0.5, 0.6]
    assert result.options.value_mode == "best"


def test_baseline_selection_moves_baseline_first() -> None:
    runs = [make_run(A_ID, "a", {"m": 1.0}), make_run(B_ID, "b", {"m": 2.0}), make_run(C_ID, "c", {"m": 4.0})]
    result = build_diff(runs, baseline_id=B_ID)
    assert [r.run_id for r in result.runs] == [B_ID, A_ID, C_ID]
    assert result.baseline_id == B_ID
    assert [c.delta for c in row(result, "metrics", "m").cells] == [None, -1.0, 2.0]
    assert build_diff(runs).baseline_id == A_ID
    assert build_diff(runs, baseline_id="nope").baseline_id == A_ID


def test_empty_and_single_run() -> None:
    empty = build_diff([])
    assert (empty.runs, empty.rows, empty.hidden, empty.missing_summary()) == ([], [], 0, None)
    single = build_diff([make_run(A_ID, "a", {"m": 0.5}, {"p": "1"})])
    assert single.rows and all(len(r.cells) == 1 and r.cells[0].delta is None for r in single.rows)
    assert not any(r.changed for r in single.rows)


def test_odd_keys_and_huge_values_do_not_crash() -> None:
    huge = "x" * 100_000 + "\n" + "[bold red]y[/]"
    markup = "[bold red]x[/]"
    a = make_run(A_ID, "[red]a[/]", {markup: 1.0, "": 2.0}, {markup: huge, "e": ""}, {markup: "[/]"})
    b = make_run(B_ID, "b\nc", {markup: 1.5}, {markup: "9" * 500}, {})
    result = build_diff([a, b])
    assert row(result, "metrics", markup).cells[1].delta == 0.5
    for r in result.rows:
        for cell in r.cells:
            assert "\n" not in cell.text and "\n" not in cell.delta_text
            assert len(cell.text) <= 500
    assert row(result, "tags", markup).cells[0].text == "[/]"  # markup is not escaped here, the UI shows it literally


def test_import_pulls_in_neither_textual_nor_mlflow() -> None:
    code = (
        "import sys, mltui.diff, mltui.export; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'mlflow')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- properties

finite = st.floats(allow_nan=False, allow_infinity=False)
any_float = st.floats(allow_nan=True, allow_infinity=True)
metric_keys = st.sampled_from(["acc", "loss", "f1", "val_error", "[b]x[/]", "steps"])
param_values = st.one_of(st.text(max_size=8), finite.map(repr), st.integers(-1000, 1000).map(str))
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def runs_strategy(draw: st.DrawFn, min_size: int = 1, max_size: int = 4) -> list[Run]:
    count = draw(st.integers(min_size, max_size))
    runs = []
    for i in range(count):
        start = draw(st.one_of(st.none(), st.integers(0, 2_000_000_000_000)))
        end = None if start is None else draw(st.one_of(st.none(), st.integers(start, start + 10**9)))
        runs.append(
            make_run(
                f"{i:032x}",
                f"run{i}",
                draw(st.dictionaries(metric_keys, any_float, max_size=6)),
                draw(st.dictionaries(st.sampled_from(["lr", "C", "opt"]), param_values, max_size=3)),
                draw(st.dictionaries(st.sampled_from(["t", "mlflow.user"]), st.text(max_size=5), max_size=2)),
                start_time=start,
                end_time=end,
            )
        )
    return runs


def cell_key(cell: DiffCell) -> tuple:
    """A comparable form of a cell (NaN != NaN would defeat plain equality)."""
    return (repr(cell.raw), cell.text, repr(cell.delta), cell.delta_text, cell.verdict, cell.is_best)


@PROPS
@given(runs_strategy(max_size=1))
def test_property_run_against_itself_has_zero_deltas(runs: list[Run]) -> None:
    run = runs[0]
    twin = make_run(
        "f" * 32, "twin", run.metrics, run.params, run.tags, start_time=run.start_time, end_time=run.end_time
    )
    for pair in ([run, run], [run, twin]):
        result = build_diff(pair)
        for r in result.rows:
            assert not r.changed  # identical data: nothing changed
            cell = r.cells[1]
            if r.section == "metrics":
                if math.isfinite(cell.raw):
                    assert cell.delta == 0 and cell.verdict == "same" and cell.delta_text == "0"
                else:
                    assert cell.delta is None and cell.verdict is None
            elif cell.delta is not None:
                assert cell.delta == 0 and cell.delta_text == "0"


@PROPS
@given(runs_strategy(min_size=2, max_size=4), st.randoms(use_true_random=False))
def test_property_reordering_others_only_permutes_columns(runs: list[Run], rnd: random.Random) -> None:
    shuffled = [runs[0], *rnd.sample(runs[1:], len(runs) - 1)]
    first, second = build_diff(runs), build_diff(shuffled)
    assert [r.run_id for r in second.runs] == [r.run_id for r in shuffled]
    assert [(r.section, r.key, r.changed) for r in first.rows] == [(r.section, r.key, r.changed) for r in second.rows]
    for r1, r2 in zip(first.rows, second.rows):
        by_id = {run.run_id: cell_key(c) for run, c in zip(first.runs, r1.cells)}
        assert [by_id[run.run_id] for run in second.runs] == [cell_key(c) for c in r2.cells]


@PROPS
@given(runs_strategy(min_size=2, max_size=4))
def test_property_nan_never_produces_a_number(runs: list[Run]) -> None:
    result = build_diff(runs, options=DiffOptions(show_system_tags=True))
    for r in result.rows_in("metrics"):
        base = r.cells[0].raw
        for cell in r.cells[1:]:
            if cell.raw is None or base is None or not (math.isfinite(cell.raw) and math.isfinite(base)):
                assert cell.delta is None and cell.verdict is None and cell.delta_text == ""
            else:
                assert cell.delta is not None and math.isfinite(cell.delta)
    for r in result.rows:
        for cell in r.cells:
            assert cell.delta is None or math.isfinite(cell.delta)
            assert "nan" not in cell.delta_text and "inf" not in cell.delta_text


@st.composite
def close_floats(draw: st.DrawFn) -> list[float]:
    """Rows with near-identical values, where naive rounding would collide."""
    base = draw(finite)
    values = [base]
    for _ in range(draw(st.integers(1, 5))):
        pick = draw(st.sampled_from(["next", "scaled", "free"]))
        if pick == "next":
            values.append(math.nextafter(draw(st.sampled_from(values)), draw(st.sampled_from([math.inf, -math.inf]))))
        elif pick == "scaled":
            values.append(base * (1 + draw(st.floats(-1e-6, 1e-6))))
        else:
            values.append(draw(finite))
    return [v for v in values if math.isfinite(v)]


@PROPS
@given(st.one_of(close_floats(), st.lists(finite, min_size=2, max_size=6)))
def test_property_unequal_values_display_unequal(values: list[float]) -> None:
    texts = format_values(values)
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            if a != b:
                assert texts[i] != texts[j], (a, b, texts)
            else:
                assert texts[i] == texts[j]
    for text, value in zip(texts, values):
        assert "\n" not in text and not text.endswith(".0")
        if 1e-4 <= abs(value) < 1e15:
            assert "e" not in text


@PROPS
@given(finite, finite)
def test_property_delta_text_sign_and_never_false_zero(base: float, value: float) -> None:
    text = format_delta(base, value)
    if not math.isfinite(value - base):
        assert text == ""
    elif value == base:
        assert text == "0"
    else:
        number = text.split(" ")[0]
        assert number not in ("0", "+0", "-0")
        assert number.startswith("+" if value > base else "-")
        assert float(number) != 0
