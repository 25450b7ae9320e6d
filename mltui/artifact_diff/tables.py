"""Compare tables (CSV, TSV, Parquet, MLflow table JSON) across runs, row by key.

Rows are matched by the first column (or a key column chosen by the user);
each data column becomes one grid column per run, numeric cells carrying
their delta vs the baseline. Reading reuses the artifact module's bounded
readers (first `max_rows` rows); columns past `MAX_COLUMNS` are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mltui.artifacts import MAX_ROWS, load_table

from .cells import Grid, GridCell, compare_cells, row_changed

TABLE_KINDS = frozenset({"table", "mlflow_table", "parquet"})
MAX_COLUMNS = 500
RUN_SEPARATOR = " · "  # grid header: "precision · run-b"


@dataclass
class LoadedTable:
    """A table's columns and first rows as strings; `total` rows in the file (None if unknown)."""

    columns: list[str]
    rows: list[list[str]]
    total: int | None
    notes: list[str] = field(default_factory=list)


def read_table(path: str | Path, kind: str, *, max_rows: int = MAX_ROWS, label: str = "") -> LoadedTable:
    """Read a table artifact, bounded in rows and columns; ValueError when it is not a table."""
    columns, rows, total = load_table(path, kind, max_rows=max_rows)
    who = f" ({label})" if label else ""
    notes = []
    if total is None or total > len(rows):
        notes.append(f"compared the first {len(rows):,} of {'?' if total is None else f'{total:,}'} rows{who}")
    if len(columns) > MAX_COLUMNS:
        notes.append(f"compared the first {MAX_COLUMNS} of {len(columns):,} columns{who}")
        columns = columns[:MAX_COLUMNS]
        rows = [row[:MAX_COLUMNS] for row in rows]
    return LoadedTable(columns, rows, total, notes)


@dataclass
class TableDiff:
    """One run's table vs the baseline's: counts of what differs."""

    changed_cells: int
    same_cells: int
    added_rows: int  # keys only in this run
    removed_rows: int  # baseline keys this run lacks
    added_columns: list[str]
    removed_columns: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not (
            self.changed_cells or self.added_rows or self.removed_rows or self.added_columns or self.removed_columns
        )

    def summary(self) -> str:
        """One line: "identical" or "3 cells changed, 1 row added, ..."."""
        if self.equal:
            return "identical"
        parts = [f"{self.changed_cells} cell{'s' if self.changed_cells != 1 else ''} changed"]
        for count, what in ((self.added_rows, "added"), (self.removed_rows, "missing")):
            if count:
                parts.append(f"{count} row{'s' if count != 1 else ''} {what}")
        if self.added_columns:
            parts.append(f"columns added: {', '.join(self.added_columns)}")
        if self.removed_columns:
            parts.append(f"columns missing: {', '.join(self.removed_columns)}")
        return ", ".join(parts)


def _keyed_rows(table: LoadedTable, key: str, label: str, notes: list[str]) -> dict[str, list[str]]:
    """Rows by key value; repeated keys become "name #2", "name #3"."""
    if key in table.columns:
        index = table.columns.index(key)
    else:
        index = 0
        notes.append(f"{label} has no column {key!r}: its rows are matched by {table.columns[0]!r}")
    keyed: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for row in table.rows:
        value = row[index] if index < len(row) else ""
        seen[value] = seen.get(value, 0) + 1
        keyed[value if seen[value] == 1 else f"{value} #{seen[value]}"] = row
    return keyed


def compare_tables(
    tables: Sequence[tuple[str, LoadedTable | None]], *, key: str | None = None
) -> tuple[Grid, list[TableDiff | None]]:
    """A grid of all runs' tables (baseline first) and each run's TableDiff (None for the baseline or a missing table).

    `key` names the column that matches rows; default: the reference table's first column.
    """
    present = [table for _, table in tables if table is not None and table.columns]
    if not present:
        return Grid(["key"], [None], [], []), [None] * len(tables)
    key = key if key is not None else present[0].columns[0]
    notes: list[str] = []
    keyed = [None if t is None or not t.columns else _keyed_rows(t, key, label, notes) for label, t in tables]
    row_keys = list(dict.fromkeys(k for rows in keyed if rows is not None for k in rows))
    columns = list(dict.fromkeys(c for _, t in tables if t is not None for c in t.columns if c != key))
    labels = [label for label, _ in tables]
    absent = {label for label, table in tables if table is None}  # a run lacking the file changes no row
    positions = [None if t is None else {c: i for i, c in reversed(list(enumerate(t.columns)))} for _, t in tables]

    header = [key] + [f"{column}{RUN_SEPARATOR}{label}" for column in columns for label in labels]
    runs: list[str | None] = [None] + [label for _ in columns for label in labels]
    cells: list[list[GridCell]] = []
    changed: list[bool] = []
    for row_key in row_keys:
        row = [GridCell(row_key)]
        for column in columns:
            values = [_value(rows, where, row_key, column) for rows, where in zip(keyed, positions)]
            row += compare_cells(column, values)
        cells.append(row)
        changed.append(row_changed([cell for cell, run in zip(row[1:], runs[1:]) if run not in absent]))
    grid = Grid(header, runs, cells, changed, key_columns=1, notes=notes)
    return grid, _run_diffs(tables, keyed, grid, columns, key)


def _value(
    rows: dict[str, list[str]] | None, positions: dict[str, int] | None, row_key: str, column: str
) -> str | None:
    """One cell's raw string, None when the run lacks the row or the column."""
    if rows is None or positions is None or row_key not in rows or column not in positions:
        return None
    row = rows[row_key]
    index = positions[column]
    return row[index] if index < len(row) else None


def _run_diffs(
    tables: Sequence[tuple[str, LoadedTable | None]],
    keyed: list[dict[str, list[str]] | None],
    grid: Grid,
    columns: list[str],
    key: str,
) -> list[TableDiff | None]:
    """Count, for each run after the baseline, the cells and rows that differ from it."""
    runs = len(tables)
    base_table, base_rows = tables[0][1], keyed[0]
    diffs: list[TableDiff | None] = [None]
    for i in range(1, runs):
        table, rows = tables[i][1], keyed[i]
        if table is None or rows is None or base_table is None or base_rows is None:
            diffs.append(None)
            continue
        changed = same = 0
        for row in grid.cells:
            for c in range(len(columns)):
                base_cell, cell = row[1 + c * runs], row[1 + c * runs + i]
                if base_cell.flag == "missing" or cell.flag == "missing":
                    continue
                if cell.flag == "same":
                    same += 1
                else:
                    changed += 1
        base_columns = [c for c in base_table.columns if c != key]
        run_columns = [c for c in table.columns if c != key]
        diffs.append(
            TableDiff(
                changed,
                same,
                sum(1 for k in rows if k not in base_rows),
                sum(1 for k in base_rows if k not in rows),
                [c for c in run_columns if c not in base_columns],
                [c for c in base_columns if c not in run_columns],
                list(table.notes),
            )
        )
    return diffs
