"""JSON, YAML and TOML documents (MLmodel, conda.yaml, configs): parsed for the tree view.

Parsing is bounded by what it would build, not by the file size: a cheap count
of separators refuses documents whose parse alone would cost too much (a YAML
value costs about 400 bytes while parsing), and the parsed document is then
measured with aliases expanded, so a "billion laughs" YAML is refused instead
of being walked, printed or diffed.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from mltui.artifacts.limits import MAX_DEPTH, MAX_NODES

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, released as tomli
    import tomli as tomllib

# Separators counted before parsing, per kind: at most this many (about 4 of them a value).
_SEPARATOR_LIMITS = {"json": 2 * MAX_NODES, "mlflow_table": 2 * MAX_NODES, "toml": 2 * MAX_NODES, "yaml": 200_000}
_SEPARATORS = ("\n", ",", "[", "{", ":", "=", "- ")


class TooLarge(ValueError):
    """A document over one of the parse budgets: shown as text instead."""


def separator_count(text: str) -> int:
    """An upper bound (with margin) on the values a document can hold: its separators."""
    return sum(text.count(sep) for sep in _SEPARATORS)


def parse_structured(text: str, kind: str, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON, YAML or TOML text; ValueError on malformed input, `TooLarge` past the budgets."""
    limit = _SEPARATOR_LIMITS.get(kind)
    if limit is not None and separator_count(text) > limit * max_nodes // MAX_NODES:
        raise TooLarge(f"too many values to parse (over {max_nodes:,})")
    try:
        data = _parse(text, kind)
    except RecursionError as exc:
        raise TooLarge("nested too deeply to parse") from exc
    try:
        count_values(data, max_nodes, max_depth)
    except TooLarge as exc:
        if kind == "yaml" and str(exc).startswith("over"):
            raise TooLarge(f"{exc} (an alias bomb?)") from None
        raise
    return data


def _parse(text: str, kind: str) -> Any:
    try:
        if kind in ("json", "mlflow_table"):
            return json.loads(text)
        if kind == "yaml":
            import yaml

            return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if kind == "toml":
            return tomllib.loads(text)
    except (ValueError, RecursionError):
        raise
    except Exception as exc:
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    raise ValueError(f"not a structured kind: {kind}")


def _children(value: Any) -> Any:
    if isinstance(value, dict):
        return iter(value.values())
    return iter(value)


def count_values(root: Any, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> int:
    """Values in a parsed document with shared parts (YAML aliases) counted each time they are used.

    Iterative, and each shared container is measured once, so a billion-laughs
    document costs as much as its text. Raises `TooLarge` past `max_nodes` values or
    `max_depth` levels, and for a document that contains itself (a recursive alias).
    """
    if not isinstance(root, (dict, list)):
        return 1
    sizes: dict[int, int] = {}  # id of a measured container -> its expanded size
    on_path = {id(root)}
    stack: list[list[Any]] = [[root, _children(root), 1]]  # container, its children left, values so far
    while True:
        frame = stack[-1]
        for child in frame[1]:
            if not isinstance(child, (dict, list)):
                frame[2] += 1
            elif id(child) in sizes:
                frame[2] += sizes[id(child)]
            elif id(child) in on_path:
                raise TooLarge("the document refers to itself (recursive alias)")
            elif len(stack) >= max_depth:
                raise TooLarge(f"nested deeper than {max_depth} levels")
            else:
                on_path.add(id(child))
                stack.append([child, _children(child), 1])
                break
            if frame[2] > max_nodes:
                raise TooLarge(f"over {max_nodes:,} values with shared parts expanded")
        else:
            stack.pop()
            on_path.discard(id(frame[0]))
            sizes[id(frame[0])] = frame[2]
            if not stack:
                return frame[2]
            stack[-1][2] += frame[2]
            if stack[-1][2] > max_nodes:
                raise TooLarge(f"over {max_nodes:,} values with shared parts expanded")


def pretty_structured(text: str, kind: str) -> str:
    """Pretty-print JSON; YAML and TOML are checked and kept as written (comments survive)."""
    data = parse_structured(text, kind)
    if kind in ("json", "mlflow_table"):
        return json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return text
