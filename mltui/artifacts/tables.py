"""Tables for preview: CSV/TSV, Parquet and MLflow table JSON, the first rows only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mltui.artifacts.limits import MAX_ROWS, TABLE_JSON_LIMIT, human_size
from mltui.artifacts.reading import count_lines

Table = tuple[list[str], list[list[str]], int | None]


def load_table(path: str | Path, kind: str, max_rows: int = MAX_ROWS) -> Table:
    """Columns, the first `max_rows` rows as strings, and the total row count (None if unknown).

    Raises ValueError when the file is not a table of that kind.
    """
    path = Path(path)
    if kind == "parquet":
        return _load_parquet(path, max_rows)
    if kind == "mlflow_table":
        return _load_table_json(path, max_rows)
    if kind == "table":
        return _load_csv(path, max_rows)
    raise ValueError(f"not a table kind: {kind}")


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _load_csv(path: Path, max_rows: int) -> Table:
    import pandas as pd

    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        frame = pd.read_csv(path, sep=sep, nrows=max_rows, dtype=str, keep_default_na=False, encoding_errors="replace")
    except Exception as exc:
        raise ValueError(f"cannot parse as a table: {str(exc).splitlines()[0] if str(exc) else exc}") from exc
    rows = frame.values.tolist()
    total = len(rows) if len(rows) < max_rows else max(len(rows), count_lines(path) - 1)
    return [str(c) for c in frame.columns], rows, total


def _load_parquet(path: Path, max_rows: int) -> Table:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        columns = [str(name) for name in parquet.schema_arrow.names]
        batch = next(parquet.iter_batches(batch_size=max_rows), None)
    except Exception as exc:
        raise ValueError(f"cannot read Parquet: {exc}") from exc
    rows: list[list[str]] = []
    if batch is not None:
        data = batch.to_pydict()
        rows = [[_cell(data[name][i]) for name in batch.schema.names] for i in range(batch.num_rows)]
    return columns, rows, parquet.metadata.num_rows


def _load_table_json(path: Path, max_rows: int) -> Table:
    size = path.stat().st_size
    if size > TABLE_JSON_LIMIT:
        raise ValueError(f"table JSON too large to parse ({human_size(size)})")
    with open(path, "rb") as fh:
        try:
            data = json.load(fh)
        except ValueError as exc:
            raise ValueError(f"invalid JSON: {exc}") from exc
    if not (isinstance(data, dict) and isinstance(data.get("columns"), list) and isinstance(data.get("data"), list)):
        raise ValueError("not an MLflow table (needs 'columns' and 'data' lists)")
    columns = [_cell(c) for c in data["columns"]]
    rows = []
    for record in data["data"][:max_rows]:
        values = record if isinstance(record, list) else [record]
        rows.append([_cell(v) if not isinstance(v, (dict, list)) else json.dumps(v, default=str) for v in values])
    return columns, rows, len(data["data"])
