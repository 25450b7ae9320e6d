"""A parser for the subset of MLflow's run-search grammar that mltui translates to SQL itself.

Mirrors `mlflow.utils.search_utils.SearchUtils` (MLflow 3.17) without importing
mlflow or sqlparse, so a SQLite store can be read before mlflow is loaded.
It is deliberately narrower than MLflow: whatever it does not accept with
certainty (OR, parentheses, escaped quotes, datasets, bad comparators, syntax
errors...) raises `Unsupported`, and the caller asks MlflowClient instead,
which then gives the user MLflow's own result or error message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

METRIC, PARAM, TAG, ATTRIBUTE = "metric", "parameter", "tag", "attribute"

# SearchUtils._VALID_IDENTIFIERS (case-sensitive there too); datasets are left to MLflow.
PREFIXES = {
    "metric": METRIC,
    "metrics": METRIC,
    "parameter": PARAM,
    "parameters": PARAM,
    "param": PARAM,
    "params": PARAM,
    "tag": TAG,
    "tags": TAG,
    "attribute": ATTRIBUTE,
    "attr": ATTRIBUTE,
    "attributes": ATTRIBUTE,
    "run": ATTRIBUTE,
}
NUMERIC_ATTRIBUTES = frozenset({"start_time", "end_time", "created", "Created"})
STRING_ATTRIBUTES = frozenset({"run_id", "run_name", "status", "user_id", "artifact_uri"})
SEARCH_ALIASES = {"created": "start_time", "Created": "start_time", "run name": "run_name", "Run name": "run_name"}
SEARCH_ALIASES["Run Name"] = "run_name"
ORDER_ATTRIBUTES = frozenset(NUMERIC_ATTRIBUTES | STRING_ATTRIBUTES)

NUMERIC_OPS = frozenset({">", ">=", "=", "!=", "<", "<="})
ENTITY_OPS = frozenset({"=", "!=", "LIKE", "ILIKE", "IS NULL", "IS NOT NULL"})
STRING_ATTRIBUTE_OPS = frozenset({"=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"})
LIST_ATTRIBUTES = frozenset({"run_id"})  # SearchUtils.LIST_SUPPORTED_KEYS


class Unsupported(Exception):
    """The fast path cannot answer this request exactly as MLflow would; ask MlflowClient."""


@dataclass(frozen=True, slots=True)
class Clause:
    """One `AND`-ed comparison. Attribute keys are canonical (aliases resolved)."""

    kind: str  # METRIC, PARAM, TAG or ATTRIBUTE
    key: str
    op: str  # upper case: "=", "LIKE", "IS NULL", "NOT IN", ...
    value: float | int | str | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class OrderKey:
    kind: str
    key: str
    ascending: bool = True


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_IDENT = re.compile(rf"(?:({_NAME})\.)?((?:{_NAME})(?:\.{_NAME})*|`[^`'\"\\]+`)")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE]-?\d+)?(?![\w.])")
_STRING = re.compile(r"'([^'\\]*)'|\"([^\"\\]*)\"")
_OPERATOR = re.compile(
    r"\s*(>=|<=|!=|=|>|<)\s*|\s+(LIKE|ILIKE)\s+|\s+(IS\s+NOT\s+NULL|IS\s+NULL)(?![\w.])|\s+(NOT\s+IN|IN)\s*(?=\()",
    re.IGNORECASE,
)
_AND = re.compile(r"\s+AND\s+", re.IGNORECASE)
_LIST = re.compile(r"\(\s*((?:'[^'\\]*'|\"[^\"\\]*\")(?:\s*,\s*(?:'[^'\\]*'|\"[^\"\\]*\"))*)\s*\)")
_ORDER = re.compile(rf"^\s*{_IDENT.pattern}(?:\s+(ASC|DESC))?\s*$", re.IGNORECASE)


def _identifier(prefix: str | None, key: str, valid_attributes: frozenset[str] | set[str]) -> tuple[str, str]:
    """(kind, key) for `prefix.key`; no prefix means an attribute, as in MLflow."""
    if prefix is None:
        kind = ATTRIBUTE
    elif prefix in PREFIXES:
        kind = PREFIXES[prefix]
    else:
        raise Unsupported(f"unknown prefix {prefix!r}")
    if key.startswith("`"):
        key = key[1:-1]
    if kind == ATTRIBUTE and key not in valid_attributes:
        raise Unsupported(f"attribute {key!r}")
    return kind, key


def _value(text: str, pos: int) -> tuple[str, object, int]:
    """(type, value, end) of the value at `pos`: "number", "string" or "list"."""
    if m := _STRING.match(text, pos):
        return "string", m.group(1) if m.group(1) is not None else m.group(2), m.end()
    if m := _NUMBER.match(text, pos):
        return "number", m.group(0), m.end()
    if m := _LIST.match(text, pos):
        items = tuple(s[1:-1] for s in re.findall(r"'[^'\\]*'|\"[^\"\\]*\"", m.group(1)))
        return "list", items, m.end()
    raise Unsupported(f"value at {pos}")


def _clause(kind: str, key: str, op: str, vtype: str, raw: object) -> Clause:
    """Check one comparison the way SearchUtils does; anything it would reject is Unsupported."""
    if op in ("IS NULL", "IS NOT NULL"):
        if kind not in (PARAM, TAG):
            raise Unsupported("IS NULL outside params/tags")
        return Clause(kind, key, op, None)
    if kind == METRIC:
        if vtype != "number" or op not in NUMERIC_OPS:
            raise Unsupported("metric comparison")
        return Clause(kind, key, op, float(str(raw)))
    if kind in (PARAM, TAG):
        if vtype != "string" or op not in ENTITY_OPS:
            raise Unsupported(f"{kind} comparison")
        return Clause(kind, key, op, str(raw))
    if key in NUMERIC_ATTRIBUTES:
        if vtype != "number" or op not in NUMERIC_OPS:
            raise Unsupported("numeric attribute comparison")
        number = str(raw)
        value: float | int = int(number) if re.fullmatch(r"-?\d+", number) else float(number)
        return Clause(kind, SEARCH_ALIASES.get(key, key), op, value)
    if op not in STRING_ATTRIBUTE_OPS:
        raise Unsupported("string attribute comparison")
    key = SEARCH_ALIASES.get(key, key)
    if (vtype == "list") != (op in ("IN", "NOT IN")) or (vtype == "list" and key not in LIST_ATTRIBUTES):
        raise Unsupported("list comparison")
    if vtype == "number":
        raise Unsupported("number for a string attribute")
    return Clause(kind, key, op, raw)  # type: ignore[arg-type]


def parse_filter(text: str | None) -> list[Clause]:
    """The clauses of an MLflow run filter; empty means no filter (MLflow rejects a blank one)."""
    if not text:
        return []
    if not text.strip():
        raise Unsupported("blank filter")
    clauses, pos, end = [], len(text) - len(text.lstrip()), len(text.rstrip())
    valid = NUMERIC_ATTRIBUTES | STRING_ATTRIBUTES | set(SEARCH_ALIASES)
    while True:
        ident = _IDENT.match(text, pos)
        if not ident:
            raise Unsupported(f"identifier at {pos}")
        kind, key = _identifier(ident.group(1), ident.group(2), valid)
        op_match = _OPERATOR.match(text, ident.end())
        if not op_match:
            raise Unsupported(f"operator at {ident.end()}")
        op = " ".join(next(g for g in op_match.groups() if g).upper().split())
        pos = op_match.end()
        vtype, raw = "none", None
        if op not in ("IS NULL", "IS NOT NULL"):
            vtype, raw, pos = _value(text, pos)
        clauses.append(_clause(kind, key, op, vtype, raw))
        if pos == end:
            return clauses
        sep = _AND.match(text, pos)
        if not sep:
            raise Unsupported(f"expected AND at {pos}")
        pos = sep.end()


def parse_order_by(items: list[str] | tuple[str, ...] | None) -> list[OrderKey]:
    """MLflow `order_by` strings such as `metrics.acc DESC` or `start_time`."""
    keys: list[OrderKey] = []
    seen: set[tuple[str, str]] = set()
    for item in items or ():
        m = _ORDER.match(item)
        if not m:
            raise Unsupported(f"order_by {item!r}")
        kind, key = _identifier(m.group(1), m.group(2), ORDER_ATTRIBUTES)
        if kind == ATTRIBUTE:
            key = SEARCH_ALIASES.get(key, key)
        if (kind, key) in seen:
            raise Unsupported("duplicate order_by field")  # MLflow raises its own error
        seen.add((kind, key))
        keys.append(OrderKey(kind, key, (m.group(3) or "ASC").upper() == "ASC"))
    return keys
