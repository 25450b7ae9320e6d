"""Run names shortened in the middle for column headers: they fit, and different names stay different."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from mltui.formatting import shorten_middle, shorten_names


def test_examples_from_the_issue():
    assert shorten_middle("Logistic Regression - Run 1", 14) == "Logistic…Run 1"
    assert shorten_middle("Sentiment_Model_Experiment_v2_Custom", 22) == "Sentiment_Mo…v2_Custom"
    assert shorten_middle("short", 14) == "short"


def test_names_differing_at_the_end_keep_their_ends():
    assert shorten_names(["Logistic Regression - Run 1", "Logistic Regression - Run 2"], 14) == [
        "Logistic…Run 1",
        "Logistic…Run 2",
    ]


def test_names_differing_in_the_middle_move_the_cut():
    names = ["experiment-alpha-seed-final", "experiment-bravo-seed-final"]
    short = shorten_names(names, 14)
    assert short[0] != short[1]
    assert all(cell_len(s) <= 14 for s in short)


def test_names_differing_only_deep_inside_get_numbers():
    names = ["a" * 30 + "1" + "b" * 30, "a" * 30 + "2" + "b" * 30]
    short = shorten_names(names, 10)
    assert short[0] != short[1] and all(len(s) <= 10 for s in short)


def test_equal_names_stay_equal_and_widths_may_differ():
    assert shorten_names(["run", "run"], 8) == ["run", "run"]
    assert shorten_names(["logreg-baseline", "logreg-tuned"], [8, 23]) == ["logr…ine", "logreg-tuned"]


def test_wide_characters_count_double():
    short = shorten_middle("実験の名前がとても長い場合", 9)
    assert cell_len(short) <= 9 and "…" in short


@given(
    st.lists(st.text(alphabet="ab-_1é実", min_size=0, max_size=40), min_size=1, max_size=8),
    st.integers(min_value=4, max_value=30),
)
def test_shortened_names_fit_and_never_collide(names, width):
    short = shorten_names(names, width)
    assert all(cell_len(s) <= width for s in short)
    for i, first in enumerate(names):
        for j, second in enumerate(names):
            assert (short[i] == short[j]) == (first == second), (names, short)
