"""Tables for preview: CSV/TSV, Parquet and MLflow table JSON, the first rows only.

Each reader decodes a bounded amount whatever the file holds: CSV parses at
most its first CSV_READ_LIMIT bytes, Parquet is read as `parquet` describes,
a table JSON goes through the same node budget as any JSON, and every cell is
cut at MAX_CELL characters.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from mltui.artifacts.limits import (
    MAX_CELL,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_TABLE_CELLS,
    MIB,
    TABLE_JSON_LIMIT,
    TABLE_TEXT_BUDGET,
    human_size,
)
from mltui.artifacts.parquet import TableRead, read_parquet
from mltui.artifacts.reading import count_lines, decode
from mltui.artifacts.structured import parse_structured

Table = tuple[list[str], list[list[str]], int | None]
CSV_READ_LIMIT = 32 * MIB  # a CSV is parsed from at most its first this many bytes
MAX_CSV_COLUMNS = 10_000  # a wider CSV is shown as text (pandas would build every column)


def load_table(path: str | Path, kind: str, max_rows: int = MAX_ROWS) -> Table:
    """Columns, the first `max_rows` rows as strings, and the total row count (None if unknown).

    Raises ValueError when the file is not a table of that kind.
    """
    read = read_table(path, kind, max_rows)
    return read.columns, read.rows, read.total


def read_table(path: str | Path, kind: str, max_rows: int = MAX_ROWS) -> TableRead:
    """Like `load_table`, with notes on what was cut (cells, columns, rows past a budget)."""
    path = Path(path)
    if kind == "parquet":
        return read_parquet(path, max_rows)
    if kind == "mlflow_table":
        return _load_table_json(path, max_rows)
    if kind == "table":
        return _load_csv(path, max_rows)
    raise ValueError(f"not a table kind: {kind}")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _cut_rows(columns: list[str], rows: list[list[Any]]) -> TableRead:
    """Cells cut to MAX_CELL, columns to MAX_COLUMNS, and rows stopped at the text budget."""
    read = TableRead(columns[:MAX_COLUMNS], [], None)
    text = 0
    cut = False
    for row in rows:
        cells = [_cell(v) for v in row[:MAX_COLUMNS]]
        cut = cut or any(len(c) > MAX_CELL for c in map(str, row[:MAX_COLUMNS]) if c)
        text += sum(map(len, cells))
        if text > TABLE_TEXT_BUDGET:
            read.cuts.append(f"rows stop at {human_size(TABLE_TEXT_BUDGET)} of cell text")
            break
        read.rows.append(cells)
    if len(columns) > MAX_COLUMNS:
        read.cuts.insert(0, f"first {MAX_COLUMNS} of {len(columns):,} columns")
    if cut:
        read.cuts.append(f"cells cut at {human_size(MAX_CELL)}")
    return read


def _load_csv(path: Path, max_rows: int) -> TableRead:
    import pandas as pd

    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    with open(path, "rb") as fh:
        data = fh.read(CSV_READ_LIMIT + 1)
    partial = len(data) > CSV_READ_LIMIT
    if partial:
        data = data[: data.rfind(b"\n", 0, CSV_READ_LIMIT) + 1] or data[:CSV_READ_LIMIT]
    header = data[: data.find(b"\n")] if b"\n" in data else data
    width = header.count(sep.encode()) + 1
    if width > MAX_CSV_COLUMNS:
        raise ValueError(f"too many columns for a table ({width:,})")
    max_rows = min(max_rows, max(1, MAX_TABLE_CELLS // min(width, MAX_COLUMNS)))
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            sep=sep,
            nrows=max_rows,
            dtype=str,
            keep_default_na=False,
            encoding_errors="replace",
            usecols=range(MAX_COLUMNS) if width > MAX_COLUMNS else None,
        )
    except Exception as exc:
        raise ValueError(f"cannot parse as a table: {str(exc).splitlines()[0] if str(exc) else exc}") from exc
    del data
    read = _cut_rows([str(c) for c in frame.columns], frame.values.tolist())
    del frame
    if width > MAX_COLUMNS:
        read.cuts.insert(0, f"first {MAX_COLUMNS} of {width:,} columns")
    shown = len(read.rows)
    read.total = shown if shown < max_rows and not partial else max(shown, count_lines(path) - 1)
    if partial and shown < max_rows:
        read.cuts.append(f"rows from the first {human_size(CSV_READ_LIMIT)}")
    return read


def _load_table_json(path: Path, max_rows: int) -> TableRead:
    size = path.stat().st_size
    if size > TABLE_JSON_LIMIT:
        raise ValueError(f"table JSON too large to parse ({human_size(size)})")
    data = parse_structured(decode(path.read_bytes()), "mlflow_table")
    if not (isinstance(data, dict) and isinstance(data.get("columns"), list) and isinstance(data.get("data"), list)):
        raise ValueError("not an MLflow table (needs 'columns' and 'data' lists)")
    columns = [_cell(c) for c in data["columns"]]
    rows = []
    for record in data["data"][:max_rows]:
        values = record if isinstance(record, list) else [record]
        rows.append([v if not isinstance(v, (dict, list)) else json.dumps(v, default=str) for v in values])
    read = _cut_rows(columns, rows)
    read.total = len(data["data"])
    return read
