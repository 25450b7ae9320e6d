"""Structural diff of JSON, YAML, TOML and MLmodel files by key path.

Documents are flattened to `judge.threshold` / `tasks[0].name` paths, so key
order never counts as a change. Parsing reuses the artifact module's loaders;
flattening is bounded in nodes and depth, which also stops YAML alias bombs
(aliases share objects when loaded but would multiply when walked).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mltui.artifacts import STRUCTURED_LIMIT, decode, human_size, parse_structured
from mltui.diff import MISSING

from .cells import Grid, GridCell, as_number, delta_text, number_texts, row_changed, verdict

MAX_NODES = 200_000
MAX_DEPTH = 100
STRUCTURED_KINDS = frozenset({"json", "yaml", "toml"})
_PLAIN_KEY = re.compile(r"[^.\[\]\"\s]+")


class TooLarge(ValueError):
    """A document that is too big (or too deep, or an alias bomb) to flatten."""


def load_structured(path: str | Path, kind: str, *, limit: int = STRUCTURED_LIMIT) -> Any:
    """Parse a JSON/YAML/TOML file of at most `limit` bytes; ValueError when it is bigger or malformed."""
    path = Path(path)
    size = path.stat().st_size
    if size > limit:
        raise TooLarge(f"too large to parse ({human_size(size)} > {human_size(limit)})")
    with open(path, "rb") as fh:
        text = decode(fh.read(limit + 1))
    return parse_structured(text, "json" if kind == "mlflow_table" else kind)


def key_path(parent: str, key: object) -> str:
    """`parent.key`, or `parent["odd.key"]` when the key would read ambiguously."""
    text = str(key)
    if _PLAIN_KEY.fullmatch(text):
        return f"{parent}.{text}" if parent else text
    return f"{parent}[{json.dumps(text, ensure_ascii=False)}]"


def flatten(data: Any, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """Leaf values by key path, in document order; empty containers are leaves.

    Raises TooLarge past `max_nodes` visited nodes or `max_depth` levels
    (a recursive YAML anchor or an alias bomb hits one of them).
    """
    flat: dict[str, Any] = {}
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    visited = 0
    while stack:
        path, value, depth = stack.pop()
        visited += 1
        if visited > max_nodes:
            raise TooLarge(f"more than {max_nodes:,} values (a YAML alias bomb?)")
        if depth > max_depth:
            raise TooLarge(f"nested deeper than {max_depth} levels")
        if isinstance(value, (Mapping, list, tuple)) and visited + len(stack) + len(value) > max_nodes:
            raise TooLarge(f"more than {max_nodes:,} values (a YAML alias bomb?)")
        if isinstance(value, Mapping) and value:
            children = [(key_path(path, k), v) for k, v in value.items()]
        elif isinstance(value, (list, tuple)) and value:
            children = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
        else:
            flat[path or "(root)"] = value
            continue
        stack.extend((child, v, depth + 1) for child, v in reversed(children))
    return flat


def value_text(value: Any, *, quote_strings: bool = False) -> str:
    """A parsed value as one would write it: null, true, 0.5, {}, [], a string (raw)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if quote_strings else value
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(map(str, value))) + "}"
    return str(value)


def same_value(a: Any, b: Any) -> bool:
    """Equal as data: 1 == 1.0, but true != 1, "1" != 1, NaN == NaN."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return a == b
    if type(a) is not type(b) and not (isinstance(a, Mapping) and isinstance(b, Mapping)):
        return False
    return bool(a == b)


def is_number(value: Any) -> bool:
    """A parsed int or finite float (not a bool, not a numeric-looking string)."""
    return not isinstance(value, (bool, str)) and as_number(value) is not None


@dataclass(frozen=True, slots=True)
class KeyChange:
    """A key path whose value differs: texts chosen so the two never read alike."""

    path: str
    old: Any
    new: Any
    old_text: str
    new_text: str
    delta: str = ""  # "+50" for numbers, "" otherwise

    @property
    def line(self) -> str:
        """`limit_samples: 50 → 100 (+50)`."""
        delta = f" ({self.delta})" if self.delta else ""
        return f"{self.path}: {self.old_text} → {self.new_text}{delta}"


@dataclass(frozen=True, slots=True)
class KeyValue:
    """A key path present on one side only."""

    path: str
    value: Any
    text: str

    @property
    def line(self) -> str:
        return f"{self.path}: {self.text}"


@dataclass
class StructuredDiff:
    """Changed, added and removed key paths of one run vs the baseline, in document order."""

    changed: list[KeyChange]
    added: list[KeyValue]
    removed: list[KeyValue]
    same: int  # key paths with equal values
    notes: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not (self.changed or self.added or self.removed)

    def summary(self) -> str:
        """One line: "identical" or "2 changed, 1 added, 0 removed, 40 same"."""
        if self.equal:
            return f"identical ({self.same} keys)" if self.same else "identical"
        return f"{len(self.changed)} changed, {len(self.added)} added, {len(self.removed)} removed, {self.same} same"

    def lines(self) -> list[str]:
        """Plain lines for a pane or a terminal: `~ a: 1 → 2 (+1)`, `+ b: x`, `- c: y`."""
        return (
            [f"~ {c.line}" for c in self.changed]
            + [f"+ {a.line}" for a in self.added]
            + [f"- {r.line}" for r in self.removed]
        )


def change(path: str, old: Any, new: Any) -> KeyChange:
    """A KeyChange with number texts and an exact delta when both sides are numbers."""
    if is_number(old) and is_number(new):
        old_text, new_text = number_texts([old, new])
        return KeyChange(path, old, new, old_text, new_text, delta_text(old, new))
    quote = type(old) is not type(new) and (isinstance(old, str) or isinstance(new, str))
    old_text, new_text = value_text(old, quote_strings=quote), value_text(new, quote_strings=quote)
    if old_text == new_text:  # e.g. two different objects printing alike: show their types
        old_text, new_text = f"{old_text} ({type(old).__name__})", f"{new_text} ({type(new).__name__})"
    return KeyChange(path, old, new, old_text, new_text)


def compare_flat(old: Mapping[str, Any], new: Mapping[str, Any]) -> StructuredDiff:
    """Compare two flattened documents by key path; order of keys does not matter."""
    changed, removed, same = [], [], 0
    for path, value in old.items():
        if path not in new:
            removed.append(KeyValue(path, value, value_text(value)))
        elif same_value(value, new[path]):
            same += 1
        else:
            changed.append(change(path, value, new[path]))
    added = [KeyValue(path, value, value_text(value)) for path, value in new.items() if path not in old]
    return StructuredDiff(changed, added, removed, same)


_ABSENT = object()


def structured_grid(flats: Sequence[tuple[str, Mapping[str, Any] | None]], *, directional: bool = False) -> Grid:
    """Key paths as rows, one column per run (baseline first), numbers with deltas vs the baseline.

    A changed number is flagged "changed", or "better"/"worse" by its key's name
    (`loss`: lower wins) when `directional` (results files, not configs).
    A run lacking the whole file (None) shows as missing but makes no row "changed".
    """
    labels = [label for label, _ in flats]
    paths = list(dict.fromkeys(path for _, flat in flats if flat is not None for path in flat))
    cells: list[list[GridCell]] = []
    changed: list[bool] = []
    for path in paths:
        values = [_ABSENT if flat is None else flat.get(path, _ABSENT) for _, flat in flats]
        numbers = [as_number(v) if v is not _ABSENT and is_number(v) else None for v in values]
        texts = number_texts(numbers)
        base = values[0]
        row = [GridCell(path)]
        for i, value in enumerate(values):
            text = texts[i] if numbers[i] is not None else value_text(value)
            if value is _ABSENT:
                row.append(GridCell(MISSING, "", "missing"))
            elif i == 0:
                row.append(GridCell(text))
            elif base is _ABSENT:
                row.append(GridCell(text, "", "changed"))
            elif (base_number := numbers[0]) is not None and (number := numbers[i]) is not None:
                flag = verdict(path.rsplit(".", 1)[-1], base_number, number)
                if not directional and flag != "same":
                    flag = "changed"
                row.append(GridCell(text, delta_text(base_number, number), flag))
            else:
                row.append(GridCell(text, "", "same" if same_value(base, value) else "changed"))
        cells.append(row)
        changed.append(row_changed([cell for cell, (_, flat) in zip(row[1:], flats) if flat is not None]))
    return Grid(["key", *labels], [None, *labels], cells, changed)
