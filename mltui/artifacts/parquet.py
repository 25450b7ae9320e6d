"""Parquet tables for preview, bounded by what is decoded rather than by the file size.

A Parquet file is compressed and dictionary-encoded: 440 bytes can hold
10,000 copies of a 100 KB string (1 GB once decoded). So: byte-array columns
are read as dictionaries (each distinct value decoded once), the metadata's
uncompressed sizes are checked before a column is read at all, rows are read
in small batches, and every cell is cut on the Arrow side before it becomes a
Python string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from mltui.artifacts.limits import (
    BATCH_BYTES,
    COLUMN_DECODE_BUDGET,
    MAX_CELL,
    MAX_COLUMNS,
    MAX_TABLE_CELLS,
    TABLE_TEXT_BUDGET,
    human_size,
)

NESTED_ITEMS = 20  # items of a list/struct cell shown before "…"
NESTED_DEPTH = 4


@dataclass(slots=True)
class TableRead:
    """The first rows of a table as cut strings, and what was left out."""

    columns: list[str]
    rows: list[list[str]]
    total: int | None
    cuts: list[str] = field(default_factory=list)  # what was cut, for the preview's note


def read_parquet(path: Path, max_rows: int) -> TableRead:
    """The first `max_rows` rows of a Parquet file, decoding a bounded amount; ValueError if unreadable."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        probe = pq.ParquetFile(path)
        metadata, schema = probe.metadata, probe.schema_arrow
        leaves = [probe.schema.column(j) for j in range(len(probe.schema))]
        need = min(max_rows, metadata.num_rows)
        decoded = _decoded_estimate(metadata, schema, need)
        shown, cuts = _columns_to_read(schema.names, decoded)
        need = min(need, max(1, MAX_TABLE_CELLS // max(1, len(shown))))  # wide tables: fewer rows
        byte_arrays = [leaf.path for leaf in leaves if leaf.physical_type == "BYTE_ARRAY"]
        parquet = pq.ParquetFile(path, read_dictionary=byte_arrays)
        per_row = sum(decoded[name] for name in shown) / max(need, 1)
        batch_size = int(max(16, min(1024, BATCH_BYTES / max(per_row, 1))))
        read = _read_rows(parquet.iter_batches(batch_size=batch_size, columns=shown, use_threads=False), need)
    except (ValueError, MemoryError):
        raise
    except Exception as exc:
        raise ValueError(f"cannot read Parquet: {str(exc).splitlines()[0] if str(exc) else exc}") from exc
    finally:
        pa.default_memory_pool().release_unused()  # give decoded pages back to the system
    read.columns = [str(name) for name in shown]
    read.total = metadata.num_rows
    read.cuts = cuts + read.cuts
    return read


def _leaf_count(arrow_type: Any) -> int:
    """Parquet leaf columns of an Arrow type (a struct has one a field, a map two)."""
    import pyarrow as pa

    if pa.types.is_struct(arrow_type):
        return sum(_leaf_count(arrow_type.field(i).type) for i in range(arrow_type.num_fields))
    if pa.types.is_map(arrow_type):
        return _leaf_count(arrow_type.key_type) + _leaf_count(arrow_type.item_type)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return _leaf_count(arrow_type.value_type)
    return 1


def _decoded_estimate(metadata: Any, schema: Any, need: int) -> dict[str, float]:
    """Bytes each top-level column decodes (by the metadata's uncompressed sizes) for the first `need` rows."""
    owners = [name for name, kind in zip(schema.names, schema.types, strict=True) for _ in range(_leaf_count(kind))]
    decoded = dict.fromkeys(schema.names, 0.0)
    covered = 0
    for g in range(metadata.num_row_groups):
        if covered >= need:
            break
        group = metadata.row_group(g)
        take = min(group.num_rows, need - covered)
        share = take / group.num_rows if group.num_rows else 0.0
        for j in range(min(group.num_columns, len(owners))):
            decoded[owners[j]] += group.column(j).total_uncompressed_size * share
        covered += take
    return decoded


def _columns_to_read(names: list[str], decoded: dict[str, float]) -> tuple[list[str], list[str]]:
    """The columns to decode (the first MAX_COLUMNS that fit the budget) and notes on the others."""
    shown = [name for name in names[:MAX_COLUMNS] if decoded[name] <= COLUMN_DECODE_BUDGET]
    cuts = []
    if len(names) > MAX_COLUMNS:
        cuts.append(f"first {MAX_COLUMNS} of {len(names):,} columns")
    for name in names[:MAX_COLUMNS]:
        if decoded[name] > COLUMN_DECODE_BUDGET:
            cuts.append(f"column {str(name)[:40]!r} not shown ({human_size(int(decoded[name]))} decoded)")
    return shown, cuts


def _read_rows(batches: Any, need: int) -> TableRead:
    """Rows from Arrow batches until `need` rows or the text budget; cells cut to MAX_CELL."""
    rows: list[list[str]] = []
    hidden = text = 0
    over_budget = False
    for batch in batches:
        columns = []
        for array in batch.columns:
            cells, cut = column_cells(array)
            columns.append(cells)
            hidden += cut
        for row in zip(*columns, strict=True) if columns else ([] for _ in range(batch.num_rows)):
            text += sum(len(cell) for cell in row)
            if len(rows) >= need or text > TABLE_TEXT_BUDGET:
                over_budget = text > TABLE_TEXT_BUDGET
                break
            rows.append(list(row))
        del batch, columns
        if len(rows) >= need or over_budget:
            break
    read = TableRead([], rows, None)
    if hidden:
        read.cuts.append(f"cells cut at {human_size(MAX_CELL)} ({human_size(hidden)} of decoded data not shown)")
    if over_budget:
        read.cuts.append(f"rows stop at {human_size(TABLE_TEXT_BUDGET)} of cell text")
    return read


def column_cells(array: Any) -> tuple[list[str], int]:
    """An Arrow array as cell strings of at most MAX_CELL characters, and the bytes left out."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    if pa.types.is_dictionary(kind):
        values, _ = column_cells(array.dictionary)  # each distinct value cut once, shared by its rows
        cells = ["" if i is None else values[i] for i in array.indices.to_pylist()]
        hidden = 0
        if _is_bytes(kind.value_type):
            full = pc.sum(pc.take(pc.binary_length(array.dictionary), array.indices)).as_py() or 0
            hidden = max(0, full - _shown_bytes(cells))
        return cells, hidden
    if _is_bytes(kind):
        text = pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
        cut = pc.utf8_slice_codeunits(array, 0, MAX_CELL) if text else pc.binary_slice(array, 0, MAX_CELL)
        hidden = (pc.sum(pc.binary_length(array)).as_py() or 0) - (pc.sum(pc.binary_length(cut)).as_py() or 0)
        return [_cell(v) for v in cut.to_pylist()], hidden
    if pa.types.is_nested(kind):
        return [nested_text(array[i]) for i in range(len(array))], 0
    return [_cell(v)[:MAX_CELL] for v in array.to_pylist()], 0


def _shown_bytes(cells: list[str]) -> int:
    """UTF-8 bytes of `cells`, each distinct string measured once and counted per use."""
    sizes: dict[int, int] = {}
    total = 0
    for cell in cells:
        size = sizes.get(id(cell))
        if size is None:
            size = sizes[id(cell)] = len(cell.encode("utf-8", "replace"))
        total += size
    return total


def _is_bytes(kind: Any) -> bool:
    import pyarrow as pa

    return (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_string_view(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
        or pa.types.is_binary_view(kind)
        or pa.types.is_fixed_size_binary(kind)
    )


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def nested_text(scalar: Any, depth: int = 0) -> str:
    """A list/struct/map cell as short text: at most NESTED_ITEMS items a level, cut to MAX_CELL."""
    import pyarrow as pa

    if not scalar.is_valid:
        return "null"
    if isinstance(scalar, pa.DictionaryScalar):
        return nested_text(scalar.value, depth)
    if depth >= NESTED_DEPTH and isinstance(scalar, (pa.ListScalar, pa.StructScalar)):
        return "…"
    if isinstance(scalar, pa.StructScalar):
        items = [f"{key}: {nested_text(value, depth + 1)}" for key, value in islice(scalar.items(), NESTED_ITEMS)]
        more = len(scalar) - len(items)
        return _cut("{" + ", ".join(items) + (f", … {more} more" if more > 0 else "") + "}")
    if isinstance(scalar, (pa.ListScalar, pa.LargeListScalar, pa.FixedSizeListScalar)):
        values = scalar.values
        count = len(values) if values is not None else 0
        items = [nested_text(values[i], depth + 1) for i in range(min(count, NESTED_ITEMS))]
        more = count - len(items)
        return _cut("[" + ", ".join(items) + (f", … {more} more" if more > 0 else "") + "]")
    return _cut(_cell(scalar.as_py()))


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
