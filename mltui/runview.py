"""What the run list shows, as pure data: nesting, grouping, sorting, cells.

No Textual here: the widget asks these functions which rows to draw, and the
tests ask them directly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from mltui.formatting import as_logged, format_duration, format_number, format_time, plural
from mltui.models import PARENT_TAG, Run
from mltui.text import clean

ORDER_BY_ATTRIBUTE = {"name": "attributes.run_name", "status": "attributes.status", "start": "attributes.start_time"}


@dataclass(slots=True)
class RunRow:
    """One run, `depth` levels below its top-level ancestor."""

    run: Run
    depth: int = 0
    children: int = 0
    collapsed: bool = False

    @property
    def key(self) -> str:
        return self.run.run_id


@dataclass(slots=True)
class GroupRow:
    """Runs sharing one value of the group-by key, folded into a row."""

    column: str
    value: str
    members: list[Run] = field(default_factory=list)
    collapsed: bool = True

    @property
    def key(self) -> str:
        return f"group:{self.column}={self.value}"


Row = RunRow | GroupRow


def column_value(run: Run, column: str) -> object:
    """The raw value a column shows for a run (None when absent)."""
    kind, _, name = column.partition(":")
    if kind == "m":
        return run.metrics.get(name)
    if kind == "p":
        return run.params.get(name)
    if kind == "t":
        return run.tags.get(name)
    return {
        "name": run.name,
        "experiment": run.experiment_id,
        "status": run.status,
        "start": run.start_time,
        "duration": run.duration_ms,
    }.get(column)


class RunTree:
    """Runs as parents and children (`mlflow.parentRunId`), in server order.

    Laid out once per rebuild, each run under exactly one shown parent;
    folding or unfolding one run then asks for just that run's subtree
    instead of re-nesting 100,000 runs.
    """

    def __init__(self, runs: Sequence[Run]) -> None:
        self.runs = runs
        self.parent: dict[str, Run] = {}
        self.children: dict[str, list[Run]] = {}  # as laid out: a parent tag cycle is cut
        self.tops: list[Run] = []
        if not any(PARENT_TAG in run.tags for run in runs):  # a flat list: nothing to nest
            self.tops = list(runs)
            return
        by_id = {run.run_id: run for run in runs}
        logged: dict[str, list[Run]] = {}
        roots: list[Run] = []
        for run in runs:
            parent = run.parent_id
            if parent and parent in by_id and parent != run.run_id:
                logged.setdefault(parent, []).append(run)
                self.parent[run.run_id] = by_id[parent]
            else:
                roots.append(run)
        placed: set[str] = set()
        for run in roots:
            self._lay(run, logged, placed)
        if len(placed) < len(runs):  # runs caught in a cycle of parent tags: none may hide
            for run in runs:
                if run.run_id not in placed:
                    self._lay(self._in_cycle(run), logged, placed)

    def _lay(self, top: Run, logged: dict[str, list[Run]], placed: set[str]) -> None:
        self.tops.append(top)
        placed.add(top.run_id)
        stack = [top]
        while stack:
            run = stack.pop()
            kids = [kid for kid in logged.get(run.run_id, ()) if kid.run_id not in placed]
            if kids:
                self.children[run.run_id] = kids
                placed.update(kid.run_id for kid in kids)
                stack.extend(kids)

    def _in_cycle(self, run: Run) -> Run:
        """A member of the parent cycle above `run`: the top to lay that cycle out from."""
        seen: set[str] = set()
        while run.run_id not in seen:
            seen.add(run.run_id)
            run = self.parent[run.run_id]
        return run

    def rows(self, collapsed: set[str]) -> list[RunRow]:
        """Every shown row: each child right under its parent.

        A child whose parent is not loaded stays at the top level.
        """
        if not self.children:
            return [RunRow(run) for run in self.runs]
        rows: list[RunRow] = []
        for top in self.tops:
            self._walk(top, 0, collapsed, rows)
        return rows

    def subtree(self, run: Run, depth: int, collapsed: set[str]) -> list[RunRow]:
        """The rows an unfolded `run` (shown at `depth`) has beneath it."""
        rows: list[RunRow] = []
        self._walk(run, depth, collapsed, rows)
        return rows[1:]

    def _walk(self, start: Run, depth: int, collapsed: set[str], rows: list[RunRow]) -> None:
        """Depth-first, without recursion: sweeps can nest deep."""
        stack = [(start, depth)]
        while stack:
            run, level = stack.pop()
            kids = self.children.get(run.run_id, ())
            folded = run.run_id in collapsed
            rows.append(RunRow(run, level, len(kids), folded))
            if not folded:
                stack.extend((kid, level + 1) for kid in reversed(kids))


def layout_rows(
    runs: Sequence[Run], sort: tuple[str, bool] | None, group_by: str | None, expanded: set[str], collapsed: set[str]
) -> tuple[list[Row], RunTree | None]:
    """The run list's rows in order: sorted (when sorting locally), then grouped or nested."""
    if sort is not None:
        runs = sort_runs(runs, *sort)
    if group_by:
        return group_runs(runs, group_by, expanded), None
    tree = RunTree(runs)
    rows: list[Row] = list(tree.rows(collapsed))
    return rows, tree


def add_keys(keys: dict[str, set[str]], runs: Iterable[Run]) -> bool:
    """Note every metric ("m"), param ("p") and tag ("t") key of `runs`; True if any is new."""
    before = sum(len(found) for found in keys.values())
    for run in runs:
        keys["m"].update(run.metrics)
        keys["p"].update(run.params)
        keys["t"].update(run.tags)
    return sum(len(found) for found in keys.values()) != before


def end_of_children(rows: Sequence[Row], index: int) -> int:
    """The index just past the rows shown beneath rows[index] (its subtree or members)."""
    row = rows[index]
    depth = row.depth if isinstance(row, RunRow) else 0
    end = index + 1
    while end < len(rows):
        below = rows[end]
        if not (isinstance(below, RunRow) and below.depth > depth):
            break
        end += 1
    return end


def group_runs(runs: Iterable[Run], column: str, expanded: set[str]) -> list[Row]:
    """Fold runs into one group per value of `column` (a "p:" or "t:" column)."""
    groups: dict[str, GroupRow] = {}
    for run in runs:
        value = column_value(run, column)
        label = "(none)" if value is None else str(value)
        group = groups.setdefault(label, GroupRow(column, label))
        group.members.append(run)
    rows: list[Row] = []
    for label in sorted(groups, key=_natural_key):
        group = groups[label]
        group.collapsed = group.key not in expanded
        rows.append(group)
        if not group.collapsed:
            rows.extend(RunRow(run, depth=1) for run in group.members)
    return rows


def _natural_key(text: str) -> tuple:
    """Sort "2" before "10" and numbers before words."""
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text.lower())


@dataclass(frozen=True, slots=True)
class Stats:
    count: int
    mean: float
    low: float
    high: float


def metric_stats(runs: Iterable[Run], key: str) -> Stats | None:
    """Mean, min and max of a metric over the runs that have a finite value."""
    values = [v for run in runs if (v := run.metrics.get(key)) is not None and math.isfinite(as_logged(v))]
    if not values:
        return None
    return Stats(len(values), math.fsum(values) / len(values), min(values), max(values))


def order_by_clause(column: str, descending: bool) -> str | None:
    """MLflow's `order_by` for a column, or None when only a local sort works."""
    kind, _, name = column.partition(":")
    prefix = {"m": "metrics", "p": "params", "t": "tags"}.get(kind)
    if prefix:
        field_name = f"{prefix}.`{name}`"
    elif column in ORDER_BY_ATTRIBUTE:
        field_name = ORDER_BY_ATTRIBUTE[column]
    else:
        return None
    return f"{field_name} {'DESC' if descending else 'ASC'}"


def next_sort(current: tuple[str, bool] | None, column: str) -> tuple[str, bool] | None:
    """`s` on a column cycles: descending, ascending, unsorted (another column starts over)."""
    if current is None or current[0] != column:
        return (column, True)
    return (column, False) if current[1] else None


def sort_runs(runs: Sequence[Run], column: str, descending: bool) -> list[Run]:
    """Local sort for columns MLflow cannot order by; missing values go last.

    Each run's key is taken once (100,000 runs sort in a fraction of a second).
    """
    value_of = _value_getter(column)
    keyed: list[tuple[Any, Run]] = []
    absent: list[Run] = []
    text_keys: dict[str, tuple] = {}  # params and tags repeat: parse each distinct text once
    for run in runs:
        value = value_of(run)
        if value is None or value != value:  # missing, or NaN
            absent.append(run)
        elif isinstance(value, str):
            text_key = text_keys.get(value)
            if text_key is None:
                text_key = text_keys[value] = _natural_key(value)
            keyed.append((text_key, run))
        else:
            keyed.append((value, run))
    keyed.sort(key=itemgetter(0), reverse=descending)  # stable either way: ties keep the store's order
    return [run for _, run in keyed] + absent


def _value_getter(column: str) -> Callable[[Run], object]:
    """A fast accessor for one column's raw value (what `column_value` returns)."""
    kind, _, name = column.partition(":")
    if kind in ("m", "p", "t"):
        attribute = {"m": "metrics", "p": "params", "t": "tags"}[kind]
        return lambda run: getattr(run, attribute).get(name)
    return lambda run: column_value(run, column)


STATUS_STYLE = {"FINISHED": "green", "RUNNING": "yellow", "FAILED": "red", "KILLED": "red dim", "SCHEDULED": "cyan"}


@dataclass(slots=True)
class CellContext:
    """What a cell needs beyond its row: ticks, baseline and experiment names."""

    ticked: set[str] | dict[str, Run]
    baseline_id: str | None
    experiment_names: dict[str, str]


def cell_text(row: Row, column: str, ctx: CellContext) -> tuple[str, str]:
    """The text and style of one run-list cell (untrusted values made printable)."""
    if isinstance(row, GroupRow):
        return _group_cell(row, column, ctx)
    run = row.run
    if column == "tick":
        if run.run_id == ctx.baseline_id:
            return "★", "bold yellow"
        return ("☑", "bold green") if run.run_id in ctx.ticked else ("☐", "dim")
    if column == "name":
        fold = ("▸ " if row.collapsed else "▾ ") if row.children else ("  " if row.depth else "")
        text = "  " * row.depth + fold + clean(run.name, max_len=120)
        if row.collapsed and row.children:
            text += f" (+{row.children})"
        return text, "strike red" if run.deleted else ("bold" if row.children else "")
    if column == "experiment":
        return clean(ctx.experiment_names.get(run.experiment_id, run.experiment_id), max_len=80), "dim"
    if column == "status":
        return ("deleted", "red") if run.deleted else (run.status, STATUS_STYLE.get(run.status, ""))
    if column == "start":
        return format_time(run.start_time), ""
    if column == "duration":
        elapsed = elapsed_ms(run, time.time() * 1000)
        if elapsed is not None:
            return format_duration(elapsed), STATUS_STYLE["RUNNING"]
        return format_duration(run.duration_ms), ""
    value = column_value(run, column)
    if value is None:
        return "", ""
    if isinstance(value, float):
        return format_number(value), ""
    return clean(value, max_len=200), ""


def elapsed_ms(run: Run, now_ms: float) -> float | None:
    """How long a RUNNING run (no end time yet) has been going; None for any other run."""
    if run.status != "RUNNING" or run.end_time is not None or run.start_time is None:
        return None
    return max(0.0, now_ms - run.start_time)


def _group_cell(row: GroupRow, column: str, ctx: CellContext) -> tuple[str, str]:
    if column == "tick":
        ticked = sum(run.run_id in ctx.ticked for run in row.members)
        if ticked == len(row.members):
            return "☑", "bold green"
        return ("◐", "green") if ticked else ("☐", "dim")
    if column == "name":
        fold = "▸ " if row.collapsed else "▾ "
        name = column_label(row.column)
        return f"{fold}{clean(name, max_len=60)}={clean(row.value, max_len=80)} ({len(row.members)})", "bold cyan"
    if column.startswith("m:"):
        stats = metric_stats(row.members, column[2:])
        if stats is None:
            return "", ""
        return f"{format_number(stats.mean)} ({format_number(stats.low)}–{format_number(stats.high)})", "cyan"
    return "", ""


@dataclass(frozen=True, slots=True)
class ListTitle:
    """What the run list shows and how: the line above its table."""

    experiment_names: list[str]
    lookup: str | None
    run_count: int
    filter_string: str = ""
    sort: tuple[str, bool] | None = None  # (column, descending)
    group_by: str | None = None
    show_deleted: bool = False
    live: bool = False

    def parts(self) -> list[tuple[str, str]]:
        """(text, style) pieces, untrusted names made printable."""
        parts: list[tuple[str, str]] = []
        if self.lookup is not None:
            parts.append((f"Go to {clean(self.lookup, max_len=80)}", "bold"))
            counts = f"{plural(self.run_count, 'run')} in {plural(len(self.experiment_names), 'experiment')}"
            parts.append((f"  {counts}", "dim"))
        else:
            parts.append((f"Runs of {', '.join(clean(n, max_len=60) for n in self.experiment_names)}", "bold"))
        if self.filter_string:
            parts += [("  filter: ", "dim"), (clean(self.filter_string, max_len=120), "cyan")]
        if self.sort:
            parts.append((f"  sort: {column_label(self.sort[0])} {'↓' if self.sort[1] else '↑'}", "dim"))
        if self.group_by:
            parts.append((f"  grouped by {column_label(self.group_by)}", "magenta"))
        if self.show_deleted:
            parts.append(("  +deleted", "red"))
        if self.live:
            parts.append(("  ● live", "bold yellow"))
        return parts


def column_label(column: str) -> str:
    """`m:accuracy` -> `accuracy`, `p:C` -> `C`, `t:model` -> `#model`."""
    kind, _, name = column.partition(":")
    if kind == "t":
        return f"#{name}"
    if kind in ("m", "p"):
        return name
    return {
        "tick": "",
        "name": "Run",
        "experiment": "Experiment",
        "status": "Status",
        "start": "Started",
        "duration": "Duration",
    }.get(column, column)
