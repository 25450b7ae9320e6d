"""mltui.search_filter: MLflow's run-search grammar, cross-checked against MLflow's own SearchUtils."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mltui.search_filter import (
    ATTRIBUTE,
    METRIC,
    PARAM,
    TAG,
    Clause,
    OrderKey,
    Unsupported,
    parse_filter,
    parse_order_by,
)


def mlflow_clauses(text: str) -> list[Clause]:
    """What MLflow's SqlAlchemyStore would filter on, in our shape; raises where MLflow raises."""
    from mlflow.utils.search_utils import SearchUtils as S

    out = []
    for c in S.parse_search_filter(text):
        kind, key, op, value = c["type"], S.translate_key_alias(c["key"]), c["comparator"].upper(), c["value"]
        ok = (
            S.is_string_attribute(kind, key, op)
            or S.is_numeric_attribute(kind, key, op)
            or S.is_metric(kind, op)
            or S.is_param(kind, op)
            or S.is_tag(kind, op)
        )
        assert ok, c
        if kind == METRIC:
            value = float(value)
        out.append(Clause(kind, key, op, value))
    return out


def mlflow_order(items: list[str]) -> list[OrderKey]:
    from mlflow.utils.search_utils import SearchUtils as S

    out = []
    for item in items:
        kind, key, asc = S.parse_order_by_for_search_runs(item)
        out.append(OrderKey(kind, S.translate_key_alias(key), asc))
    if len({(k.kind, k.key) for k in out}) != len(out):
        raise ValueError("duplicate")
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("metrics.acc > 0.9", [Clause(METRIC, "acc", ">", 0.9)]),
        ("metric.acc>=1e3", [Clause(METRIC, "acc", ">=", 1000.0)]),
        ("metrics.train.loss < -1", [Clause(METRIC, "train.loss", "<", -1.0)]),
        ("params.lr = '0.1'", [Clause(PARAM, "lr", "=", "0.1")]),
        ('param.lr != "0.1"', [Clause(PARAM, "lr", "!=", "0.1")]),
        ("params.x like '%a%'", [Clause(PARAM, "x", "LIKE", "%a%")]),
        ("tags.`mlflow.runName` = 'y'", [Clause(TAG, "mlflow.runName", "=", "y")]),
        ("tags.`my key` ILIKE 'A%'", [Clause(TAG, "my key", "ILIKE", "A%")]),
        ("tags.team IS NULL", [Clause(TAG, "team", "IS NULL", None)]),
        ("params.x is not null", [Clause(PARAM, "x", "IS NOT NULL", None)]),
        ("status = 'FINISHED'", [Clause(ATTRIBUTE, "status", "=", "FINISHED")]),
        ("attributes.run_name ILIKE '%cnn%'", [Clause(ATTRIBUTE, "run_name", "ILIKE", "%cnn%")]),
        ("attributes.`Run name` = 'a'", [Clause(ATTRIBUTE, "run_name", "=", "a")]),
        ("created > 5", [Clause(ATTRIBUTE, "start_time", ">", 5)]),
        ("attr.end_time <= 1.5", [Clause(ATTRIBUTE, "end_time", "<=", 1.5)]),
        ("run_id IN ('a', \"b\")", [Clause(ATTRIBUTE, "run_id", "IN", ("a", "b"))]),
        ("run.run_id not in ('a')", [Clause(ATTRIBUTE, "run_id", "NOT IN", ("a",))]),
        (
            "metrics.acc > 0.9 and params.lr = '0.1' AND tags.t IS NULL",
            [Clause(METRIC, "acc", ">", 0.9), Clause(PARAM, "lr", "=", "0.1"), Clause(TAG, "t", "IS NULL", None)],
        ),
    ],
)
def test_parse_filter(text, expected):
    assert parse_filter(text) == expected
    assert mlflow_clauses(text) == expected  # the expectation is MLflow's


@pytest.mark.parametrize(
    "text",
    [
        "metrics.acc > 0.9 OR params.lr = '1'",  # OR: MLflow rejects it
        "(metrics.acc > 0.9)",
        "metrics.acc > 'x'",
        "metrics.acc LIKE 1",
        "metrics.acc IS NULL",
        "params.lr = 1",
        "params.lr > '1'",
        "params.lr IN ('1')",
        "status IN ('FINISHED')",
        "status > 'A'",
        "start_time = 'x'",
        "lifecycle_stage = 'active'",
        "Metrics.acc > 1",
        "datasets.name = 'x'",
        "params.lr = 'it''s'",  # MLflow keeps both quotes: left to MLflow
        "params.lr = 'back\\slash'",
        "metrics.acc == 1",
        "metrics.acc <> 1",
        "metrics.acc > 1 AND",
        "metrics.acc > 1 metrics.b < 2",
        "run_id IN ()",
        "nonsense",
        "   ",
    ],
)
def test_unsupported_filters(text):
    with pytest.raises(Unsupported):
        parse_filter(text)


def test_parse_order_by():
    assert parse_order_by(None) == []
    assert parse_order_by(["metrics.acc DESC", "attributes.start_time asc", "tags.`mlflow.runName`"]) == [
        OrderKey(METRIC, "acc", False),
        OrderKey(ATTRIBUTE, "start_time", True),
        OrderKey(TAG, "mlflow.runName", True),
    ]
    assert parse_order_by(["created DESC", "params.`a b`"]) == [
        OrderKey(ATTRIBUTE, "start_time", False),
        OrderKey(PARAM, "a b", True),
    ]
    for bad in (["metrics.acc", "metric.acc DESC"], ["metrics.acc up"], ["lifecycle_stage"], ["a.b"], ["metrics."]):
        with pytest.raises(Unsupported):
            parse_order_by(bad)


# --------------------------------------------------------------------------- agreement with MLflow

_KEYS = st.sampled_from(
    [
        "metrics.acc",
        "metric.a.b",
        "params.lr",
        "param.`my key`",
        "tags.`mlflow.runName`",
        "tag.t",
        "attributes.status",
        "attr.run_name",
        "run_id",
        "start_time",
        "created",
        "end_time",
        "user_id",
        "artifact_uri",
        "attributes.`Run Name`",
        "lifecycle_stage",
        "experiment_id",
        "datasets.name",
        "Params.lr",
    ]
)
_OPS = st.sampled_from(["=", "!=", ">", ">=", "<", "<=", "LIKE", "ilike", "Like", "IN", "not in", "==", "IS"])
_VALUES = st.sampled_from(
    [
        "'a'",
        '"b"',
        "'%x_'",
        "'it''s'",
        '"it\'s"',
        "1",
        "-2",
        "0.5",
        ".5",
        "1.",
        "1e3",
        "1E-3",
        "('a', 'b')",
        "('a')",
        "NULL",
        "abc",
        "'a\\b'",
    ]
)
_SPACE = st.sampled_from([" ", "", "  ", "\t"])


@st.composite
def _filter_text(draw):
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        key, op, value = draw(_KEYS), draw(_OPS), draw(_VALUES)
        if draw(st.integers(0, 9)) == 0:
            parts.append(f"{key} {draw(st.sampled_from(['IS NULL', 'is not null', 'IS  NULL']))}")
        else:
            parts.append(f"{key}{draw(_SPACE)}{op}{draw(_SPACE)}{value}")
    return draw(st.sampled_from([" AND ", " and ", " OR ", "  AND  ", " AND"])).join(parts)


@settings(max_examples=400, deadline=None)
@given(_filter_text())
def test_whatever_we_accept_mlflow_parses_the_same(text):
    try:
        ours = parse_filter(text)
    except Unsupported:
        return
    assert mlflow_clauses(text) == ours


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="metrics.acparmtgs`'\" <>=!()0123.e-_ANDORIS", max_size=30))
def test_random_text_is_unsupported_or_agrees(text):
    try:
        ours = parse_filter(text)
    except Unsupported:
        return
    assert mlflow_clauses(text) == ours


_ORDER_ITEMS = st.sampled_from(
    ["metrics.acc", "metric.acc", "params.lr", "tags.`mlflow.runName`", "tag.`a b`", "start_time", "created"]
    + ["attributes.end_time", "run_name", "attr.run_id", "status", "lifecycle_stage", "a.b", "metrics.a.b"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_ORDER_ITEMS, st.sampled_from(["", " ASC", " desc", " Desc", "  DESC", " up"])), max_size=3))
def test_order_by_agrees_with_mlflow(items):
    texts = [k + d for k, d in items]
    try:
        ours = parse_order_by(texts)
    except Unsupported:
        return
    assert mlflow_order(texts) == ours
