"""The SQL fast path returns what MlflowClient.search_runs returns: same runs, order and values.

One store logged with real mlflow calls holds nested runs, deleted runs, NaN/±inf
metrics, missing metrics, tied start times and params/tags with quotes, `%` and `_`.
Every check compares against MlflowClient on that store, once in SQLite and once in
PostgreSQL on a direct `postgresql+psycopg2://` URI (the server marker; skipped where
PostgreSQL is not installed). Schema and file checks are SQLite's alone.
"""

from __future__ import annotations

import math
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mltui import sqlfast
from mltui.search_filter import Unsupported
from tests.conftest import make_experiment, new_client

pytest_plugins = ("servers",)

BASE = 1_700_000_000_000
LRS = ["0.1", "0.01", "0.1", "it's", "50%", "a_b", "ABC", "abc", "0.001", "Abc%"]
TEAMS = ["vision", "nlp", "Vision", "tab%ular", None]
STATUSES = ["FINISHED", "FAILED", "RUNNING", "KILLED"]
USERS = ["alice", "bob", "Alice"]


def _acc(i: int) -> float | None:
    special = {3: math.nan, 7: math.inf, 11: -math.inf, 15: None, 19: None, 23: math.nan}
    return special[i] if i in special else round((i * 37 % 100) / 100, 2)


def _log(client, exp: str, i: int, parent: str | None = None) -> str:
    from mlflow.entities import Metric, Param, RunTag

    tags = {"mlflow.user": USERS[i % 3]}
    if TEAMS[i % 5] is not None:
        tags["team"] = TEAMS[i % 5]
    if parent:
        tags["mlflow.parentRunId"] = parent
    # Every third pair of runs shares a start time, so the run_uuid tie-breaker matters.
    start = BASE + (i // 2 if i % 3 == 0 else i) * 1000
    run = client.create_run(exp, run_name=f"run-{i:02d}" if i % 4 else f"Run_{i}'s", tags=tags, start_time=start)
    rid = run.info.run_id
    acc = _acc(i)
    metrics = [Metric("loss", 1.0 / (i + 1), BASE, 0), Metric("loss", 0.5 / (i + 1), BASE, 1)]
    if acc is not None:
        metrics.append(Metric("acc", acc, BASE, 0))
    params = [Param("lr", LRS[i % len(LRS)])]
    if i % 2:
        params.append(Param("x", f"a{i}%b"))
    client.log_batch(rid, metrics=metrics, params=params, tags=[RunTag("idx", str(i))])
    if i % 6 != 5:
        client.set_terminated(rid, status=STATUSES[i % 4], end_time=start + 500 * i)
    return rid


def _fill(client, root: Path, uri: str) -> dict:
    exp_a = make_experiment(client, root, "fast-a")
    exp_b = make_experiment(client, root, "fast-b")
    ids = []
    for i in range(30):
        parent = ids[i - 1] if i % 5 == 4 else None  # nested: every fifth run is a child
        ids.append(_log(client, exp_a if i < 24 else exp_b, i, parent))
    for rid in ids[2:30:7]:
        client.delete_run(rid)
    make_experiment(client, root, "empty")
    return {"uri": uri, "root": root, "client": client, "exps": [exp_a, exp_b]}


@pytest.fixture(scope="session")
def sqlite_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("sqlfast")
    return _fill(new_client(root), root, f"sqlite:///{root}/mlflow.db")


@pytest.fixture(scope="session")
def postgres_store(request, tmp_path_factory):
    """The same runs in PostgreSQL, read by the fast path on its direct `postgresql+psycopg2://` URI."""
    from mlflow import MlflowClient

    uri = request.getfixturevalue("postgres").create_database("mlflow_fastpath")
    return _fill(MlflowClient(uri), tmp_path_factory.mktemp("sqlfast-pg"), uri)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.server)])
def fast_store(request):
    """Each parity check runs on SQLite and on PostgreSQL (skipped where PostgreSQL is not installed)."""
    return request.getfixturevalue("sqlite_store" if request.param == "sqlite" else "postgres_store")


def _norm(run):
    """A comparable form of a Run: NaN equals NaN here."""

    def fix(v):
        return "NaN" if isinstance(v, float) and math.isnan(v) else v

    return (
        run.run_id,
        run.name,
        run.experiment_id,
        run.status,
        run.start_time,
        run.end_time,
        run.lifecycle_stage,
        run.user,
        {k: fix(v) for k, v in run.metrics.items()},
        run.params,
        run.tags,
    )


def via_mlflow(store, flt=None, deleted=False, order=None, exps=None):
    from mlflow.entities import ViewType

    from mltui.store import to_run

    view = ViewType.ALL if deleted else ViewType.ACTIVE_ONLY
    runs = store["client"].search_runs(exps or store["exps"], flt or "", view, max_results=1000, order_by=order or None)
    return [_norm(to_run(r)) for r in runs]


def via_fast(store, flt=None, deleted=False, order=None, exps=None, pages=(3, 7)):
    it = sqlfast.iter_runs(store["uri"], exps or store["exps"], flt, deleted, order, *pages)
    return [_norm(r) for page in it for r in page]


def test_plain_load_matches_and_pages(fast_store):
    want = via_mlflow(fast_store)
    assert len(want) > 20
    assert via_fast(fast_store) == want
    pages = list(sqlfast.iter_runs(fast_store["uri"], fast_store["exps"], first_page=4, page_size=5))
    assert [len(p) for p in pages][:2] == [4, 5]
    assert [_norm(r) for p in pages for r in p] == want


def test_values_as_mlflow_returns_them(fast_store):
    runs = {r.tags["idx"]: r for p in sqlfast.iter_runs(fast_store["uri"], fast_store["exps"], None, True) for r in p}
    assert math.isnan(runs["3"].metrics["acc"])
    assert runs["7"].metrics["acc"] == sys.float_info.max  # +inf as SQL stores keep it
    assert runs["11"].metrics["acc"] == -sys.float_info.max
    assert "acc" not in runs["15"].metrics
    assert runs["1"].metrics["loss"] == 0.25  # the latest value, not the first
    assert runs["4"].parent_id == runs["3"].run_id
    assert runs["2"].deleted and runs["2"].lifecycle_stage == "deleted"
    assert runs["3"].params["lr"] == "it's" and runs["4"].params["lr"] == "50%"


TRICKY = [
    "params.x LIKE '%a%'",
    "params.x LIKE '%A%'",
    "params.lr ILIKE 'abc%'",
    "params.lr LIKE 'a_b'",
    "tags.`mlflow.runName` = 'run-01'",
    "attributes.status = 'FINISHED'",
    "metrics.acc > 0.5 and params.lr = '0.1'",
    "metrics.acc != 0.5",
    "metrics.acc <= 0",
    "metrics.acc >= 1e308",
    "attributes.run_name ILIKE 'RUN%'",
    "attributes.run_name LIKE 'run%'",
    'run_name = "Run_4\'s"',
    "tags.team IS NULL",
    "params.x IS NOT NULL AND tags.team != 'nlp'",
    "status != 'RUNNING' AND start_time > 1700000005000",
    "end_time < 1700000010000",
    "attributes.user_id = 'Alice'",
    "created >= 1700000003000",
    'tags.team = "tab%ular"',
]


@pytest.mark.parametrize("flt", TRICKY)
def test_tricky_filters_match(fast_store, flt):
    want = via_mlflow(fast_store, flt, deleted=True)
    assert via_fast(fast_store, flt, deleted=True) == want


@pytest.mark.parametrize(
    "order",
    [
        ["metrics.acc ASC"],
        ["metrics.acc DESC"],
        ["metrics.acc"],
        ["params.x DESC", "metrics.loss"],
        ["tags.team", "attributes.start_time ASC"],
        ["attributes.end_time DESC"],
        ["run_name"],
        ["attributes.run_id DESC"],
        ["status", "created DESC"],
        ["tags.`mlflow.runName` DESC"],
    ],
)
def test_order_by_matches_including_nan_and_null(fast_store, order):
    want = via_mlflow(fast_store, deleted=True, order=order)
    assert via_fast(fast_store, deleted=True, order=order) == want


def test_run_id_in_and_not_in(fast_store):
    ids = [r[0] for r in via_mlflow(fast_store)[:3]]
    quoted = ", ".join(f"'{i}'" for i in ids)
    for flt in (f"attributes.run_id IN ({quoted})", f"run_id NOT IN ({quoted})"):
        assert via_fast(fast_store, flt) == via_mlflow(fast_store, flt)
    assert len(via_fast(fast_store, f"run_id IN ({quoted})")) == 3


def test_one_experiment_and_none(fast_store):
    exp_b = [fast_store["exps"][1]]
    assert via_fast(fast_store, exps=exp_b) == via_mlflow(fast_store, exps=exp_b)
    assert list(sqlfast.iter_runs(fast_store["uri"], [])) == [[]]


@pytest.mark.parametrize(
    "flt",
    [
        "metrics.acc > 0.5 OR params.lr = '0.1'",
        "(metrics.acc > 0.5)",
        "params.lr = 0.1",
        "metrics.acc IS NULL",
        "attributes.lifecycle_stage = 'deleted'",
        "datasets.name = 'x'",
        "params.lr = 'it''s'",
        "attributes.status IN ('FINISHED')",
        "metrics.acc == 1",
        "metrics.acc >",
        "nonsense",
    ],
)
def test_untranslatable_filters_raise_unsupported(fast_store, flt):
    with pytest.raises(Unsupported):
        sqlfast.iter_runs(fast_store["uri"], fast_store["exps"], flt)


def test_duplicate_order_by_is_unsupported(fast_store):
    with pytest.raises(Unsupported):
        sqlfast.iter_runs(fast_store["uri"], fast_store["exps"], order_by=["metrics.acc", "metrics.acc DESC"])


def _copy_with_revision(store, tmp_path: Path, revision: str) -> str:
    db = tmp_path / "copy.db"
    shutil.copy(store["root"] / "mlflow.db", db)
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    con.close()
    return f"sqlite:///{db}"


@pytest.mark.parametrize("revision", ["ffffffffffff", "0c779009ac13"])
def test_unknown_or_old_schema_revision_falls_back(sqlite_store, tmp_path, revision):
    uri = _copy_with_revision(sqlite_store, tmp_path, revision)
    with pytest.raises(Unsupported, match="revision"):
        sqlfast.iter_runs(uri, sqlite_store["exps"])
    with pytest.raises(Unsupported):
        sqlfast.exact_counts(uri)


def test_current_revision_is_known(sqlite_store):
    con = sqlite3.connect(sqlite_store["root"] / "mlflow.db")
    (revision,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
    con.close()
    assert revision == sqlfast.installed_head()
    assert revision in sqlfast.KNOWN_REVISIONS


def test_not_a_database_or_missing_file_is_unsupported(tmp_path):
    for uri in ("http://127.0.0.1:5000", "file:///tmp/mlruns", "sqlite://", f"sqlite:///{tmp_path}/none.db"):
        with pytest.raises(Unsupported):
            sqlfast.iter_runs(uri, ["0"])
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(Unsupported):
        sqlfast.iter_runs(f"sqlite:///{junk}", ["0"])


def test_is_db_uri():
    assert sqlfast.is_db_uri("sqlite:///mlflow.db")
    assert sqlfast.is_db_uri("sqlite:////abs/mlflow.db")
    assert sqlfast.is_db_uri("postgresql://u:p@h:5432/db")
    assert sqlfast.is_db_uri("postgresql+psycopg2://h/db")
    assert sqlfast.is_db_uri("mysql+pymysql://h/db")
    assert not sqlfast.is_db_uri("sqlite://")
    assert not sqlfast.is_db_uri("http://localhost:5000")
    assert not sqlfast.is_db_uri("databricks")
    assert not sqlfast.is_db_uri("./mlruns")


def test_relative_sqlite_uri(sqlite_store, tmp_path, monkeypatch):
    shutil.copy(sqlite_store["root"] / "mlflow.db", tmp_path / "rel.db")
    monkeypatch.chdir(tmp_path)
    assert via_fast(dict(sqlite_store, uri="sqlite:///rel.db")) == via_mlflow(sqlite_store)


def test_exact_counts(fast_store):
    counts = sqlfast.exact_counts(fast_store["uri"])
    for exp in fast_store["exps"]:
        assert counts[exp] == len(via_mlflow(fast_store, exps=[exp]))
    assert sorted(counts.values())[0] == 0  # the empty experiment, and Default
    assert counts[fast_store["exps"][0]] < len(via_mlflow(fast_store, exps=[fast_store["exps"][0]], deleted=True))


def test_first_rows_without_importing_mlflow_or_sqlalchemy(sqlite_store):
    code = (
        "import sys; from mltui import sqlfast;"
        f"page = next(sqlfast.iter_runs({sqlite_store['uri']!r}, {sqlite_store['exps']!r}));"
        "assert page, 'no rows';"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mlflow', 'sqlalchemy', 'sqlparse')))"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- property test

_NUMS = st.sampled_from(["0", "0.5", "0.37", "1", "-1", "1e308", "-1e308", ".25", "0.99", "3"])
_STRS = st.sampled_from(["0.1", "abc", "ABC", "a%", "%a%", "%B%", "a_b", "50%", "vision", "%is%", "run-0%", "%"])


@st.composite
def _clause(draw):
    kind = draw(st.sampled_from(["metric", "param", "tag", "status", "time", "name", "user"]))
    if kind == "metric":
        key = draw(st.sampled_from(["metrics.acc", "metrics.loss", "metric.missing"]))
        return f"{key} {draw(st.sampled_from(['>', '>=', '=', '!=', '<', '<=']))} {draw(_NUMS)}"
    if kind in ("param", "tag"):
        key = draw(st.sampled_from(["params.lr", "params.x"] if kind == "param" else ["tags.team", "tags.`idx`"]))
        op = draw(st.sampled_from(["=", "!=", "LIKE", "ILIKE", "like", "IS NULL", "IS NOT NULL"]))
        return f"{key} {op}" if "NULL" in op else f"{key} {op} '{draw(_STRS)}'"
    if kind == "time":
        key = draw(st.sampled_from(["start_time", "attributes.end_time", "created"]))
        value = BASE + draw(st.integers(0, 30)) * 1000
        return f"{key} {draw(st.sampled_from(['>', '<=', '=', '!=']))} {value}"
    key = {"status": "attributes.status", "name": "attributes.run_name", "user": "user_id"}[kind]
    value = draw(st.sampled_from(STATUSES + USERS + ["run-0%", "%_%", "%s"]))
    return f"{key} {draw(st.sampled_from(['=', '!=', 'LIKE', 'ILIKE']))} '{value}'"


_ORDER_KEYS = ["metrics.acc", "metrics.loss", "params.lr", "tags.team", "attributes.end_time", "run_name", "status"]


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    clauses=st.lists(_clause(), max_size=3),
    joiner=st.sampled_from([" AND ", " and "]),
    order=st.lists(
        st.tuples(st.sampled_from(_ORDER_KEYS), st.sampled_from(["", " ASC", " desc"])),
        max_size=2,
        unique_by=lambda t: t[0],
    ),
    deleted=st.booleans(),
)
def test_random_filters_match_mlflow(fast_store, clauses, joiner, order, deleted):
    flt = joiner.join(clauses)
    order_by = [k + d for k, d in order]
    assert via_fast(fast_store, flt, deleted, order_by) == via_mlflow(fast_store, flt, deleted, order_by)


async def test_the_store_reads_by_sql_on_each_database(fast_store):
    """What the app holds comes from the fast path (no fallback note) and equals MLflow's answer."""
    from mltui.store import Store

    store = Store(fast_store["uri"])
    held = [r for page in [p async for p in store.iter_runs(fast_store["exps"], "metrics.acc > 0.2")] for r in page]
    assert (store.last_note, store.sorts_in_sql) == ("", True)
    assert [_norm(r) for r in held] == via_mlflow(fast_store, "metrics.acc > 0.2")
    counts = await store.run_counts(fast_store["exps"])
    assert [int(counts[e]) for e in fast_store["exps"]] == [
        len(via_mlflow(fast_store, exps=[e])) for e in fast_store["exps"]
    ]
    assert not any(c.at_least for c in counts.values())
