"""Ticks and the baseline: the rules the run list's keys follow."""

from __future__ import annotations

from mltui.models import Run
from mltui.ticks import Ticks


def runs(*names: str) -> list[Run]:
    return [Run(name * 32, name, "1") for name in names]


def test_first_ticked_run_is_the_baseline_until_one_is_chosen():
    a, b, c = runs("a", "b", "c")
    ticks = Ticks()
    ticks.toggle([a])
    ticks.toggle([b])
    assert list(ticks.runs) == [a.run_id, b.run_id] and ticks.baseline_id == a.run_id
    ticks.make_baseline(c)
    assert list(ticks.runs) == [a.run_id, b.run_id, c.run_id] and ticks.baseline_id == c.run_id
    ticks.toggle([c])
    assert ticks.baseline_id == a.run_id, "unticking the baseline hands it to the first ticked run"


def test_toggling_many_ticks_all_unless_all_are_ticked():
    a, b, c = runs("a", "b", "c")
    ticks = Ticks()
    ticks.toggle([a])
    ticks.toggle([a, b, c])
    assert list(ticks.runs) == [a.run_id, b.run_id, c.run_id]
    ticks.toggle([a, b, c])
    assert ticks.runs == {} and ticks.baseline_id is None


def test_tick_all_keeps_the_order_and_takes_fresh_copies():
    a, b = runs("a", "b")
    ticks = Ticks()
    ticks.toggle([b])
    fresh_b = Run(b.run_id, "b-renamed", "1")
    ticks.add({a.run_id: a, b.run_id: fresh_b})
    assert list(ticks.runs) == [b.run_id, a.run_id]
    assert ticks.runs[b.run_id].name == "b-renamed" and ticks.baseline_id == b.run_id


def test_drop_and_refresh_say_whether_a_ticked_run_was_involved():
    a, b, c = runs("a", "b", "c")
    ticks = Ticks()
    ticks.toggle([a, b])
    held = ticks.runs
    assert not ticks.drop([c.run_id])
    assert ticks.drop([a.run_id]) and ticks.baseline_id == b.run_id
    assert not ticks.refresh([c])
    assert ticks.refresh([Run(b.run_id, "b2", "1")]) and ticks.runs[b.run_id].name == "b2"
    ticks.clear()
    assert ticks.runs is held and held == {} and ticks.baseline_id is None, "updated in place: cells hold it"
