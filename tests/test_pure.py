"""Unit tests of the pure helpers: text safety, locations, run-list logic, config."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from mltui.config import Config
from mltui.errors import friendly_error
from mltui.formatting import format_duration, format_number
from mltui.locations import resolve_location, sqlite_path
from mltui.models import Experiment, Run
from mltui.runview import (
    CellContext,
    ListTitle,
    RunRow,
    RunTree,
    add_keys,
    cell_text,
    end_of_children,
    group_runs,
    metric_stats,
    next_sort,
    order_by_clause,
    sort_runs,
)
from mltui.text import clean, literal, mask_uri, strip_control
from mltui.widgets.run_columns import column_options, group_options, table_columns, visible_columns


def run(run_id: str, name: str = "", parent: str | None = None, **metrics: float) -> Run:
    tags = {"mlflow.parentRunId": parent} if parent else {}
    return Run(run_id, name or run_id, "1", metrics=dict(metrics), tags=tags)


def test_strip_control_removes_escape_sequences_and_keeps_text():
    hostile = "a\x1b]52;c;SGVsbG8=\x07b\x1b[31mred\x1b[0m\x07\x00c"
    assert strip_control(hostile) == "abredc"
    assert "\x1b" not in clean("\x1b[2J\x1b]0;title\x1b\\x")


def test_literal_never_interprets_markup():
    text = literal("[bold red]x[/]")
    assert text.plain == "[bold red]x[/]"
    assert not text.spans


def test_clean_is_one_line_and_bounded():
    assert clean("a\nb\r\tc") == "a b    c"
    assert len(clean("x" * 10_000, max_len=50)) == 50


def test_clean_first_line_keeps_an_error_headline():
    assert clean("\n  \nbad \x1b[31mvalue\x1b[0m\nTraceback ...", first_line=True) == "bad value"
    assert clean(ValueError("no newline"), first_line=True) == "no newline"
    assert len(clean("y" * 1000 + "\nrest", max_len=200, first_line=True)) == 200
    assert clean("", first_line=True) == ""


def test_mask_uri_hides_credentials():
    assert mask_uri("https://alice:s3cret@host:5000/path") == "https://***@host:5000/path"
    assert mask_uri("http://token@host") == "http://***@host"
    assert mask_uri("sqlite:///x.db") == "sqlite:///x.db"


def test_friendly_error_is_one_line_without_secrets():
    exc = Exception("API request to http://bob:pw@h:1/api failed\nMax retries exceeded with url\ntraceback...")
    message = friendly_error(exc, "http://bob:pw@h:1")
    assert "\n" not in message and "pw" not in message
    assert message.startswith("Cannot reach http://***@h:1")


def test_resolve_location(tmp_path):
    db = tmp_path / "mlflow.db"
    db.write_bytes(b"")
    assert resolve_location(str(db)) == (f"sqlite:///{db}", None)
    assert resolve_location(str(tmp_path))[0] == f"sqlite:///{db}"
    mlruns = tmp_path / "mlruns"
    (mlruns / "0").mkdir(parents=True)
    (mlruns / "0" / "meta.yaml").write_text("name: Default")
    uri, note = resolve_location(str(mlruns))
    assert uri == mlruns.as_uri() and "MLFLOW_ALLOW_FILE_STORE" in note
    assert resolve_location("http://h:5000") == ("http://h:5000", None)
    assert sqlite_path("sqlite:////abs/m.db") == __import__("pathlib").Path("/abs/m.db")


def test_run_tree_puts_children_under_parents_and_survives_cycles():
    runs = [
        run("c1", parent="p"),
        run("p"),
        run("c2", parent="p"),
        run("orphan", parent="missing"),
        run("x", parent="y"),
        run("y", parent="x"),
    ]
    rows = RunTree(runs).rows(collapsed=set())
    order = [(r.run.run_id, r.depth) for r in rows]
    assert order[:3] == [("p", 0), ("c1", 1), ("c2", 1)]
    assert ("orphan", 0) in order
    assert len(rows) == 6, "runs in a parent cycle still show"
    folded = RunTree(runs[:3]).rows(collapsed={"p"})
    assert [(r.run.run_id, r.children, r.collapsed) for r in folded] == [("p", 2, True)]


def row_ids(rows: list[RunRow]) -> list[tuple[str, int, int, bool]]:
    return [(r.run.run_id, r.depth, r.children, r.collapsed) for r in rows]


@settings(max_examples=300, deadline=None)
@given(
    parents=st.lists(st.integers(min_value=-1, max_value=11), min_size=1, max_size=12),
    folded=st.sets(st.integers(min_value=0, max_value=11)),
    pick=st.integers(min_value=0),
)
def test_folding_in_place_matches_a_full_rebuild(parents, folded, pick):
    """What RunList.action_fold does (splice one subtree) equals re-nesting every run."""
    runs = [run(str(i), parent=str(p) if p >= 0 else None) for i, p in enumerate(parents)]
    collapsed = {str(i) for i in folded}
    tree = RunTree(runs)
    rows = tree.rows(collapsed)
    assert sorted(r.run.run_id for r in tree.rows(set())) == sorted(r.run_id for r in runs), "each run shows once"
    parents_shown = [i for i, r in enumerate(rows) if r.children]
    if not parents_shown:
        return
    index = parents_shown[pick % len(parents_shown)]
    row = rows[index]
    collapsed ^= {row.run.run_id}
    row.collapsed = row.run.run_id in collapsed
    beneath = [] if row.collapsed else tree.subtree(row.run, row.depth, collapsed)
    rows[index + 1 : end_of_children(rows, index)] = beneath
    assert row_ids(rows) == row_ids(tree.rows(collapsed))
    assert len({r.run.run_id for r in rows}) == len(rows), "no run shows twice"


def test_group_runs_and_stats():
    runs = [
        Run(str(i), f"r{i}", "1", metrics={"acc": a}, params={"model": m})
        for i, (a, m) in enumerate([(0.7, "resnet"), (0.8, "resnet"), (0.9, "vit"), (float("nan"), "vit")])
    ]
    groups = group_runs(runs, "p:model", expanded=set())
    assert [(g.value, len(g.members)) for g in groups] == [("resnet", 2), ("vit", 2)]
    stats = metric_stats(groups[1].members, "acc")
    assert stats.count == 1 and stats.mean == 0.9
    ctx = CellContext(set(), None, {})
    assert cell_text(groups[0], "m:acc", ctx)[0] == "0.75 (0.7–0.8)"
    assert cell_text(groups[0], "name", ctx)[0] == "▸ model=resnet (2)"


def test_sort_runs_puts_missing_last_either_way():
    runs = [run("a", acc=0.5), run("b"), run("c", acc=0.9), run("d", acc=float("nan"))]
    assert [r.run_id for r in sort_runs(runs, "m:acc", descending=True)][:2] == ["c", "a"]
    assert [r.run_id for r in sort_runs(runs, "m:acc", descending=False)][:2] == ["a", "c"]
    assert {r.run_id for r in sort_runs(runs, "m:acc", True)[2:]} == {"b", "d"}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
            st.one_of(st.none(), st.sampled_from(["10", "2", "2.0", "adam", "Adam", "", "inf", "nan", "1e-3"])),
        ),
        max_size=30,
    ),
    st.booleans(),
)
def test_sort_runs_is_a_stable_sort_with_missing_values_last(values, descending):
    """Checked against the plain definition: present values by key (ties keep the store's order), then the rest."""
    runs = [
        Run(f"r{i}", f"run {i}", "1", metrics={} if m is None else {"acc": m}, params={} if p is None else {"opt": p})
        for i, (m, p) in enumerate(values)
    ]
    for column, field in (("m:acc", 0), ("p:opt", 1)):

        def present(pair, field=field):
            value = pair[1][field]
            return value is not None and value == value

        def key(pair, field=field):
            value = pair[1][field]
            if not isinstance(value, str):
                return value
            try:
                return (0, float(value), value)
            except ValueError:
                return (1, 0.0, value.lower())

        pairs = list(enumerate(values))
        shown = sorted(filter(present, pairs), key=key, reverse=descending)
        expected = [f"r{i}" for i, _ in shown] + [f"r{i}" for i, pair in pairs if not present((i, pair))]
        assert [r.run_id for r in sort_runs(runs, column, descending)] == expected


def test_order_by_clause():
    assert order_by_clause("m:val loss", True) == "metrics.`val loss` DESC"
    assert order_by_clause("start", False) == "attributes.start_time ASC"
    assert order_by_clause("duration", True) is None


def test_run_cells_render_untrusted_values_inert():
    ctx = CellContext({"r"}, None, {})
    row = RunRow(Run("r", "[b]x\x1b[31m[/b]", "1", metrics={"m": math.inf}, params={"p": "a\nb"}))
    assert cell_text(row, "name", ctx)[0] == "[b]x[/b]"
    assert cell_text(row, "tick", ctx)[0] == "☑"
    assert cell_text(row, "m:m", ctx)[0] == "inf"
    assert cell_text(row, "p:p", ctx)[0] == "a b"


def test_formatting():
    assert format_duration(850) == "850ms"
    assert format_duration(65_000) == "1m 05s"
    assert format_number(0.123456) == "0.1235"
    assert format_number(1000.0) == "1000"
    assert format_number(float("nan")) == "nan"


def test_config_round_trip_and_damaged_file(tmp_path):
    path = tmp_path / "c" / "config.json"
    config = Config(columns={"1": ["m:acc"]})
    config.remember_filter("metrics.acc > 1")
    config.save(path)
    loaded = Config.load(path)
    assert loaded.columns == {"1": ["m:acc"]} and loaded.filter_history == ["metrics.acc > 1"]
    path.write_text("{not json")
    assert Config.load(path) == Config()


def test_chart_helpers():
    from mltui.charts import plottable, smooth, x_values

    points = [(0, 60_000, 1.0), (5, 120_000, float("nan")), (10, 180_000, 3.0)]
    assert x_values(points, "step") == [0.0, 5.0, 10.0]
    assert x_values(points, "time") == [0.0, 1.0, 2.0]
    smoothed = smooth([1.0, float("nan"), 3.0], 0.5)
    assert smoothed[0] == 1.0 and math.isnan(smoothed[1]) and smoothed[2] == 2.0
    assert plottable([0, 1, 2], [0.0, float("inf"), 2.0], log_scale=True) == ([2], [2.0])


def test_sort_key_cycles_descending_ascending_off():
    assert next_sort(None, "m:acc") == ("m:acc", True)
    assert next_sort(("m:acc", True), "m:acc") == ("m:acc", False)
    assert next_sort(("m:acc", False), "m:acc") is None
    assert next_sort(("m:acc", False), "name") == ("name", True)


def test_add_keys_reports_only_new_keys():
    keys: dict[str, set[str]] = {"m": set(), "p": set(), "t": set()}
    first = Run("a", "a", "1", metrics={"acc": 1.0}, params={"C": "1"}, tags={"team": "x"})
    assert add_keys(keys, [first])
    assert keys == {"m": {"acc"}, "p": {"C"}, "t": {"team"}}
    assert not add_keys(keys, [Run("b", "b", "1", metrics={"acc": 2.0})])
    assert add_keys(keys, [Run("c", "c", "1", params={"seed": "1"})])


def test_list_title_reads_literally_and_says_every_option():
    title = ListTitle(["[b]exp[/b]"], None, 3, "metrics.acc > 0.9", ("m:acc", True), "p:model", True, live=True)
    text = "".join(part for part, _ in title.parts())
    assert text == "Runs of [b]exp[/b]  filter: metrics.acc > 0.9  sort: acc ↓  grouped by model  +deleted  ● live"
    lookup = ListTitle(["a", "b"], "id\x1b[2J", 7)
    assert "".join(p for p, _ in lookup.parts()) == "Go to id  7 runs in 2 experiments", "escapes dropped"


def test_run_columns_fixed_then_chosen_and_bounded_widths():
    keys = {"m": {"loss", "acc"}, "p": {"C"}, "t": {"team", "mlflow.user"}}
    one, two = [Experiment("1", "a")], [Experiment("1", "a"), Experiment("2", "b")]
    assert visible_columns(one, keys, None) == ["tick", "name", "status", "start", "duration", "m:acc", "m:loss"]
    assert visible_columns(two, keys, ["p:C"])[2] == "experiment"
    assert visible_columns(two, keys, ["p:C"])[-1] == "p:C"
    ctx = CellContext(set(), None, {})
    long = RunRow(Run("r", "n" * 100, "1", metrics={"acc": 0.123456789}, params={"C": "x" * 100}))
    widths = {c.key: c.width for c in table_columns(["name", "m:acc", "p:C"], [long], ctx, grouped=False)}
    assert widths == {"name": 40, "m:acc": 6, "p:C": 24}
    assert [v for v, _ in group_options(keys)] == ["", "p:C", "t:team"], "no mlflow.* system tags"
    assert ("m:acc", "metric acc", True) in column_options(keys, ["m:acc"])
    assert ("p:C", "param C", False) in column_options(keys, ["m:acc"])
