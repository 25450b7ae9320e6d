"""Read runs straight from MLflow's SQL schema: the fast path of `Store.iter_runs`.

`MlflowClient.search_runs` builds ORM objects, then entities, for every value
(~0.7 ms a run with cyclic GC off, twice that with it on). This module issues
the same SELECT that MLflow's SqlAlchemyStore issues (same filters, same ORDER
BY with its NULL/NaN placement and tie-breakers) and reads latest metrics,
params and tags of each page in bulk into `mltui.models.Run`.

SQLite goes through the stdlib `sqlite3`, so the first rows need neither
mlflow nor SQLAlchemy; PostgreSQL and MySQL go through SQLAlchemy Core.
Anything it cannot answer exactly as MLflow would (a filter outside the parsed
subset, an unknown schema revision, an odd URI) raises `Unsupported` before the
first page, and the caller then asks MlflowClient. Nothing here imports mlflow.

    if sqlfast.is_db_uri(uri):
        try:
            pages = sqlfast.iter_runs(uri, ids, filter_string, include_deleted, order_by)
        except sqlfast.Unsupported as why:   # str(why) is a short note for the status line
            pages = None                     # -> MlflowClient.search_runs
    for page in pages: ...                   # a later database failure raises StoreError
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from sys import intern
from typing import Any

from mltui.models import RUN_NAME_TAG, Run, StoreError
from mltui.search_filter import ATTRIBUTE, METRIC, PARAM, Clause, OrderKey, Unsupported, parse_filter, parse_order_by

__all__ = ["Unsupported", "exact_counts", "is_db_uri", "iter_runs"]

FIRST_PAGE = 100
PAGE_SIZE = 1000
SQLITE_CHUNK = 900  # below SQLite's old 999 bound-variable limit
SERVER_SCHEMES = ("postgresql", "mysql")

# Alembic revisions whose runs/latest_metrics/params/tags tables are the ones read
# here: from MLflow 2.x's deleted_time column up to MLflow 3.17's head.
KNOWN_REVISIONS = frozenset(
    """
    0c779009ac13 cc1f77228345 97727af70f4d 3500859a5d39 7f2a7d5fae7d 2d6e25af4d3e acf3f17fdcc7 867495a8f9d4
    5b0e9adcef9c 4465047574b1 f5a4f2784254 0584bdc529eb 400f98739977 6953534de441 bda7b8c39065 cbc13b556ace
    770bee3ae1dd a1b2c3d4e5f6 de4033877273 1a0cddfcaa16 534353b11cbc 71994744cf8e 3da73c924c2f bf29a5ff90ea
    1bd49d398cd23 b7c8d9e0f1a2 5d2d30f0abce c9d4e5f6a7b8 2c33131f4dae d3e4f5a6b7c8 d0e1f2a3b4c5
    c8d9e0f1a2b3 1b5f0d9ad7c1 e1f2a3b4c5d6 76601a5f987d c3d6457b6d8a a5b4c3d2e1f0 ae8bbe7743c9 7d34483879f0
    da6fb0208061 89d3d66ed43f b7e4c1a90f23 a8b9c0d1e2f3 c1d2e3f4a5b6 c3d9e7f1a2b4 6f8d9c3b2a1e 1971f2d9a75b
    17e22815139b b7e2c1a4d9f3 75868b020152 dc11669786a5
    """.split()  # noqa: SIM905 - one revision per line would fill a page
)
RUN_COLUMNS = "run_uuid, name, experiment_id, status, start_time, end_time, lifecycle_stage, user_id"
ATTRIBUTE_COLUMNS = {"run_id": "run_uuid", "run_name": "name"}
TABLES = {METRIC: "latest_metrics", PARAM: "params", "tag": "tags"}

_GC_LOCK = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Cyclic GC off while a page is built: it would traverse every fresh dict for nothing."""
    global _gc_pauses, _gc_was_enabled
    with _GC_LOCK:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


# --------------------------------------------------------------------------- URIs and schema


def is_db_uri(uri: str) -> bool:
    """True for the database-backed URIs this module may read (no connection is made)."""
    scheme = uri.split("://", 1)[0].split("+", 1)[0].lower() if "://" in uri else ""
    if scheme == "sqlite":
        return uri.startswith("sqlite:///") and len(uri) > len("sqlite:///")
    return scheme in SERVER_SCHEMES


def sqlite_path(uri: str) -> Path:
    """The file of a `sqlite:///path` URI: SQLAlchemy's reading, so `sqlite:////abs` is absolute."""
    rest = uri[len("sqlite:///") :] if uri.startswith("sqlite:///") else ""
    if not rest or "?" in rest or rest.startswith("file:") or rest == ":memory:":
        raise Unsupported("not a plain SQLite file URI")
    path = Path(rest)
    if not path.is_file():
        raise Unsupported("no database file yet (MLflow creates it)")
    return path


@cache
def installed_head() -> str | None:
    """The newest alembic revision of the installed mlflow, read from its files without importing it."""
    spec = importlib.util.find_spec("mlflow")
    if spec is None or not spec.origin:
        return None
    versions = Path(spec.origin).parent / "store" / "db_migrations" / "versions"
    revisions, parents = set(), set()
    for file in versions.glob("*.py"):
        text = file.read_text(encoding="utf-8", errors="replace")
        if rev := re.search(r"^revision\s*=\s*['\"](\w+)['\"]", text, re.M):
            revisions.add(rev.group(1))
        if down := re.search(r"^down_revision\s*=\s*(.+)$", text, re.M):
            parents.update(re.findall(r"['\"](\w+)['\"]", down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def check_revision(revision: str | None) -> None:
    """Accept only a schema both this module and the installed mlflow know (MLflow refuses others)."""
    head = installed_head()
    if revision not in KNOWN_REVISIONS or (head is not None and revision != head):
        raise Unsupported(f"unknown MLflow schema revision {revision!r}: reading through MLflow")


# --------------------------------------------------------------------------- connections


class _Db:
    """One read connection: sqlite3 for SQLite, SQLAlchemy Core for servers."""

    def __init__(self, uri: str) -> None:
        self.dialect = uri.split("://", 1)[0].split("+", 1)[0].lower()
        self.quote = "`" if self.dialect == "mysql" else '"'
        self.true = "1" if self.dialect == "sqlite" else "true"
        self._sqlite: sqlite3.Connection | None = None
        self._sa: Any = None
        self.errors: tuple[type[BaseException], ...] = (sqlite3.Error, OSError)
        if self.dialect == "sqlite":
            path = sqlite_path(uri)
            # check_same_thread off: the caller's worker threads take turns, never at once.
            self._sqlite = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            self._sqlite.execute("PRAGMA case_sensitive_like = true")  # as MLflow's engine sets it
            self._sqlite.execute("PRAGMA busy_timeout = 20000")
        else:
            from sqlalchemy.exc import SQLAlchemyError

            self.errors += (SQLAlchemyError,)
            self._sa = _engine(uri).connect()
        try:
            check_revision(self._version())
        except BaseException:
            self.close()
            raise

    def _version(self) -> str | None:
        try:
            rows = self.rows("SELECT version_num FROM alembic_version", [])
        except Exception as exc:  # noqa: BLE001 - any driver error: not a schema we know
            raise Unsupported(f"no MLflow schema revision ({type(exc).__name__})") from None
        return rows[0][0] if len(rows) == 1 else None

    def ph(self, params: list[Any], value: Any) -> str:
        """Bind `value`, returning its placeholder."""
        params.append(value)
        return "?" if self._sqlite is not None else f":p{len(params) - 1}"

    def rows(self, sql: str, params: list[Any]) -> list[tuple]:
        return self._tuples(self._execute(sql, params).fetchall())

    def split_rows(self, sql: str, params: list[Any], head: int) -> tuple[list[tuple], Callable[[], list[tuple]]]:
        """(the first `head` rows, a function reading every other row): one execution.

        The first page is built from the head while the statement stays open (the
        sort and any filter run once); the caller reads the rest right after
        handing that page over, so no statement (and no SQLite read lock) stays
        open while a page is held.
        """
        result = self._execute(sql, params)
        return self._tuples(result.fetchmany(head)), lambda: self._tuples(result.fetchall())

    def _execute(self, sql: str, params: list[Any]) -> Any:
        """A cursor (sqlite3) or result (SQLAlchemy): both fetch with fetchmany / fetchall."""
        if self._sqlite is not None:
            return self._sqlite.execute(sql, params)
        from sqlalchemy import text

        return self._sa.execute(text(sql), {f"p{i}": v for i, v in enumerate(params)})

    def _tuples(self, rows: list[Any]) -> list[tuple]:
        """sqlite3 rows are plain tuples already; SQLAlchemy's Row objects become tuples."""
        return rows if self._sqlite is not None else [tuple(r) for r in rows]

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._sa is not None:
            self._sa.close()


_ENGINES: dict[str, Any] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(uri: str) -> Any:
    with _ENGINES_LOCK:
        if uri not in _ENGINES:
            from sqlalchemy import create_engine

            _ENGINES[uri] = create_engine(uri, pool_pre_ping=True)
        return _ENGINES[uri]


# --------------------------------------------------------------------------- SQL, as MLflow builds it


def _compare(db: _Db, params: list[Any], column: str, op: str, value: Any) -> str:
    """SearchUtils.get_sql_comparison_func for string columns, per dialect."""
    if op in ("IN", "NOT IN"):
        holders = ", ".join(db.ph(params, v) for v in value)
        binary = "BINARY " if db.dialect == "mysql" else ""
        return f"({binary}{column} {op} ({holders}))"
    if op == "ILIKE":
        if db.dialect == "postgresql":
            return f"{column} ILIKE {db.ph(params, value)}"
        return f"lower({column}) LIKE lower({db.ph(params, value)})"
    sql_op = {"=": "=", "!=": "!=", "LIKE": "LIKE"}[op]
    if db.dialect == "mysql":  # MySQL compares case-insensitively unless BINARY
        joiner = "OR" if op == "!=" else "AND"
        first, second = db.ph(params, value), db.ph(params, value)
        return f"({column} {sql_op} {first} {joiner} BINARY {column} {sql_op} {second})"
    return f"{column} {sql_op} {db.ph(params, value)}"


def _where(db: _Db, params: list[Any], clause: Clause) -> str:
    """One filter clause as a condition on `runs`, equivalent to MLflow's join or EXISTS."""
    q, op, value = db.quote, clause.op, clause.value
    if clause.kind == ATTRIBUTE and clause.key != "run_name":
        column = f"runs.{ATTRIBUTE_COLUMNS.get(clause.key, clause.key)}"
        if clause.key in ("start_time", "end_time"):
            return f"{column} {op} {db.ph(params, value)}"
        return _compare(db, params, column, op, value)
    table = "tags" if clause.kind == ATTRIBUTE else TABLES[clause.kind]
    key = RUN_NAME_TAG if clause.kind == ATTRIBUTE else clause.key
    key_filter = _compare(db, params, f"{table}.{q}key{q}", "=", key)
    if op in ("IS NULL", "IS NOT NULL"):
        negate = "NOT " if op == "IS NULL" else ""
        return f"{negate}EXISTS (SELECT {table}.run_uuid FROM {table} WHERE {table}.run_uuid = runs.run_uuid AND {key_filter})"
    if clause.kind == METRIC:
        # NaN is stored as value 0 with is_nan set: it satisfies only "!=".
        cmp = f"{table}.value {op} {db.ph(params, value)}"
        if op == "!=":
            value_filter = f"({cmp} OR {table}.is_nan = {db.true})"
        else:
            value_filter = f"({cmp} AND {table}.is_nan = {'0' if db.true == '1' else 'false'})"
    else:
        value_filter = _compare(db, params, f"{table}.value", op, value)
    return f"runs.run_uuid IN (SELECT {table}.run_uuid FROM {table} WHERE {key_filter} AND {value_filter})"


def _order(db: _Db, params: list[Any], keys: list[OrderKey]) -> tuple[list[str], list[str]]:
    """(joins, ORDER BY terms) as `_get_orderby_clauses`: NaN then NULL last, start_time DESC, run_uuid."""
    q, joins, terms = db.quote, [], []
    for n, key in enumerate(keys):
        if key.kind == ATTRIBUTE:
            value = f"runs.{ATTRIBUTE_COLUMNS.get(key.key, key.key)}"
            terms.append(f"CASE WHEN {value} IS NULL THEN 1 ELSE 0 END")
        else:
            table, alias = TABLES[key.kind], f"o{n}"
            nan = ", is_nan" if key.kind == METRIC else ""
            joins.append(
                f"LEFT OUTER JOIN (SELECT run_uuid, value{nan} FROM {table} WHERE {q}key{q} = {db.ph(params, key.key)})"
                f" {alias} ON runs.run_uuid = {alias}.run_uuid"
            )
            value = f"{alias}.value"
            if key.kind == METRIC:
                terms.append(f"CASE WHEN {alias}.is_nan = {db.true} THEN 1 WHEN {value} IS NULL THEN 2 ELSE 0 END")
            else:
                terms.append(f"CASE WHEN {value} IS NULL THEN 1 ELSE 0 END")
        terms.append(value if key.ascending else f"{value} DESC")
    if not any(k.kind == ATTRIBUTE and k.key == "start_time" for k in keys):
        terms.append("runs.start_time DESC")
    terms.append("runs.run_uuid")
    return joins, terms


def _experiment_ids(experiment_ids: Sequence[str | int]) -> list[int]:
    try:
        return [int(e) for e in experiment_ids]
    except (TypeError, ValueError):
        raise Unsupported("non-numeric experiment id") from None


def runs_query(
    db: _Db,
    experiment_ids: Sequence[str | int],
    clauses: list[Clause],
    order: list[OrderKey],
    include_deleted: bool,
) -> tuple[str, list[Any]]:
    """The SELECT of run rows, without LIMIT/OFFSET."""
    params: list[Any] = []
    joins, terms = _order(db, params, order)
    ids = _experiment_ids(experiment_ids)
    stages = ["active", "deleted"] if include_deleted else ["active"]
    where = [
        f"runs.experiment_id IN ({', '.join(db.ph(params, i) for i in ids)})" if ids else "1 = 0",
        f"runs.lifecycle_stage IN ({', '.join(db.ph(params, s) for s in stages)})",
    ]
    where += [_where(db, params, c) for c in clauses]
    columns = ", ".join(f"runs.{c}" for c in RUN_COLUMNS.split(", "))
    sql = f"SELECT {columns} FROM runs {' '.join(joins)} WHERE {' AND '.join(where)} ORDER BY {', '.join(terms)}"
    return sql, params


# --------------------------------------------------------------------------- building runs


def _details(db: _Db, table: str, ids: list[str]) -> list[tuple]:
    """(run_uuid, key, value[, is_nan]) rows of `table` for the given runs."""
    q = db.quote
    nan = ", is_nan" if table == "latest_metrics" else ""
    out: list[tuple] = []
    step = SQLITE_CHUNK if db.dialect == "sqlite" else 5000
    for lo in range(0, len(ids), step):
        params: list[Any] = []
        holders = ", ".join(db.ph(params, i) for i in ids[lo : lo + step])
        out += db.rows(f"SELECT run_uuid, {q}key{q}, value{nan} FROM {table} WHERE run_uuid IN ({holders})", params)
    return out


def build_page(db: _Db, rows: list[tuple]) -> list[Run]:
    """Turn run rows into `Run`s with their latest metrics, params and tags (three bulk queries)."""
    ids = [r[0] for r in rows]
    metrics: dict[str, dict[str, Any]] = {i: {} for i in ids}
    params: dict[str, dict[str, Any]] = {i: {} for i in ids}
    tags: dict[str, dict[str, Any]] = {i: {} for i in ids}
    nan = float("nan")
    for rid, key, value, is_nan in _details(db, "latest_metrics", ids):
        metrics[rid][intern(key)] = nan if is_nan else value
    for rid, key, value in _details(db, "params", ids):
        params[rid][intern(key)] = value
    for rid, key, value in _details(db, "tags", ids):
        tags[rid][intern(key)] = value
    runs = []
    exp_names: dict[Any, str] = {}
    for rid, name, exp, status, start, end, stage, user in rows:
        exp_id = exp_names.get(exp) or exp_names.setdefault(exp, str(exp))
        run_tags = tags[rid]
        runs.append(
            Run(
                run_id=rid,
                name=name or run_tags.get(RUN_NAME_TAG) or rid[:8],
                experiment_id=exp_id,
                status=status,
                start_time=start,
                end_time=end,
                lifecycle_stage=stage,
                user=user or "",
                metrics=metrics[rid],
                params=params[rid],
                tags=run_tags,
            )
        )
    return runs


def _one_line(exc: BaseException) -> str:
    """The first line of a driver error (SQLAlchemy's carry the SQL and parameters after it)."""
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _open(uri: str) -> _Db:
    """A checked connection; any failure to open means MLflow should answer instead."""
    if not is_db_uri(uri):
        raise Unsupported("not a database URI")
    try:
        return _Db(uri)
    except Unsupported:
        raise
    except Exception as exc:  # noqa: BLE001 - any driver error: let MLflow try
        raise Unsupported(f"cannot open the database directly ({type(exc).__name__})") from None


def iter_runs(
    uri: str,
    experiment_ids: Sequence[str | int],
    filter_string: str | None = None,
    include_deleted: bool = False,
    order_by: Sequence[str] | None = None,
    first_page: int = FIRST_PAGE,
    page_size: int = PAGE_SIZE,
) -> Iterator[list[Run]]:
    """Pages of runs, as `MlflowClient.search_runs(experiment_ids, filter_string, ALL or ACTIVE_ONLY, order_by)`.

    Raises `Unsupported` here, before any page, when MLflow must answer instead;
    later database failures raise `StoreError`. Always yields at least one page.
    """
    clauses = parse_filter(filter_string)
    order = parse_order_by(list(order_by or ()))
    db = _open(uri)
    try:
        sql, params = runs_query(db, experiment_ids, clauses, order, include_deleted)
    except BaseException:
        db.close()
        raise
    return _pages(db, sql, params, max(1, first_page), max(1, page_size))


def _pages(db: _Db, sql: str, params: list[Any], first_page: int, page_size: int) -> Iterator[list[Run]]:
    """The first page as soon as its rows are read, then every other run row at once, built page by page."""
    try:
        with gc_paused():
            rows, read_rest = db.split_rows(sql, params, first_page)
            page = build_page(db, rows)
        yield page
        with gc_paused():
            rest = read_rest() if len(rows) == first_page else []
        for lo in range(0, len(rest), page_size):
            with gc_paused():
                page = build_page(db, rest[lo : lo + page_size])
            yield page
    except db.errors as exc:
        raise StoreError(f"reading the database failed: {_one_line(exc)}") from None
    finally:
        db.close()


def exact_counts(uri: str) -> dict[str, int]:
    """Active runs per experiment id (every experiment, 0 included), from one GROUP BY."""
    db = _open(uri)
    try:
        rows = db.rows(
            "SELECT experiments.experiment_id, COUNT(runs.run_uuid) FROM experiments"
            " LEFT OUTER JOIN runs ON runs.experiment_id = experiments.experiment_id"
            " AND runs.lifecycle_stage = 'active' GROUP BY experiments.experiment_id",
            [],
        )
    except db.errors as exc:
        raise StoreError(f"counting runs failed: {_one_line(exc)}") from None
    finally:
        db.close()
    return {str(exp_id): int(count) for exp_id, count in rows}
