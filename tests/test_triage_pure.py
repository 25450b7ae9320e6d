"""Pure pieces behind issue 11: tick counts, sweep baselines, plurals, stored infinities, elapsed time."""

from __future__ import annotations

import json
import math

from mltui.demo import MARKUP_RUN_NAME
from mltui.demo_files import data_text
from mltui.diff import build_diff
from mltui.formatting import as_logged, format_number, plural
from mltui.models import Run
from mltui.runview import CellContext, ListTitle, RunRow, cell_text, elapsed_ms, metric_stats
from mltui.ticks import family_baseline, tick_summary

MAX = 1.7976931348623157e308


def run(run_id: str, experiment_id: str = "1", **metrics: float) -> Run:
    return Run(run_id, f"run-{run_id}", experiment_id, metrics=metrics)


def test_tick_summary_counts_ticks_outside_the_list():
    ticked = [run("a", "1"), run("b", "2"), run("c", "2"), run("d", "1")]
    assert tick_summary([], {"a"}, {"1"}) == ""
    assert tick_summary(ticked[:1], {"a"}, {"1"}) == "1 ticked"
    assert tick_summary(ticked[:3], {"a"}, {"1"}) == "3 ticked · 2 in other experiments"
    assert tick_summary(ticked[:2], {"a"}, {"1"}) == "2 ticked · 1 in another experiment"
    assert tick_summary(ticked, {"a"}, {"1"}) == "4 ticked · 2 in other experiments · 1 not in this list"


def test_a_sweep_compares_against_the_first_child_sharing_a_metric():
    parent = run("p", best=0.9)
    lonely = run("x", other=1.0)
    kids = [lonely, run("k1", acc=0.7, loss=0.3), run("k2", acc=0.8)]
    assert family_baseline(parent, kids).run_id == "k1"
    assert family_baseline(parent, [lonely]) is parent, "nothing shared: the parent stays"
    assert family_baseline(parent, []) is parent


def test_plurals():
    assert plural(1, "run") == "1 run"
    assert plural(0, "run") == "0 runs"
    assert plural(1200, "run") == "1,200 runs"
    assert plural(2, "of them is", "of them are") == "2 of them are"
    title = ListTitle(["exp"], "abcd", 1)
    assert "1 run in 1 experiment" in "".join(text for text, _ in title.parts())
    title = ListTitle(["a", "b"], "x", 3)
    assert "3 runs in 2 experiments" in "".join(text for text, _ in title.parts())


def test_stored_infinities_read_inf_and_stay_out_of_deltas():
    assert as_logged(MAX) == math.inf and as_logged(-MAX) == -math.inf and as_logged(1.5) == 1.5
    assert format_number(MAX) == "inf" and format_number(-MAX) == "-inf"
    result = build_diff([run("a", pos=5.0, neg=2.0, x=1.0), run("b", pos=MAX, neg=-MAX, x=2.0)])
    rows = {row.key: row for row in result.rows if row.section == "metrics"}
    assert [cell.text for cell in rows["pos"].cells] == ["5", "inf"]
    assert [cell.text for cell in rows["neg"].cells] == ["2", "-inf"]
    for key in ("pos", "neg"):
        assert rows[key].cells[1].delta is None and rows[key].cells[1].delta_text == ""
    assert rows["x"].cells[1].delta_text == "+1 (+100%)"
    assert metric_stats([run("a", pos=1.0), run("b", pos=MAX)], "pos").high == 1.0, "inf stays out of group stats"


def test_a_running_run_shows_how_long_it_has_been_going():
    running = Run("r", "r", "1", status="RUNNING", start_time=1_000)
    assert elapsed_ms(running, 66_000) == 65_000
    assert elapsed_ms(Run("f", "f", "1", status="FINISHED", start_time=1_000, end_time=2_000), 66_000) is None
    assert elapsed_ms(Run("n", "n", "1", status="RUNNING"), 66_000) is None
    text, _ = cell_text(RunRow(running), "duration", CellContext({}, None, {}))
    assert text.endswith(("d", "h", "m", "s")) and text != ""


def test_the_demo_hostile_run_is_not_the_first_row():
    """Runs list newest first: the `[bold red]x[/]` run must not be what a newcomer sees first."""
    specs = [spec for spec in json.loads(data_text("classifier_runs.json")) if not spec.get("deleted")]
    assert MARKUP_RUN_NAME in [spec["name"] for spec in specs], "the hostile run stays in the demo"
    newest_first = sorted(specs, key=lambda spec: -spec["start_hours"])
    assert newest_first[0]["name"] != MARKUP_RUN_NAME
    assert newest_first[-1]["name"] == MARKUP_RUN_NAME
