"""Compare one artifact across runs: text/log hunks, structured key paths, tables, images.

Pure: no Textual, no MLflow, no store. Callers download the files, then call
`compare_artifact(path, [(run_label, local_path_or_None), ...])`, baseline first.
"""

from __future__ import annotations

from .cells import FLAGS, Grid, GridCell, as_number, delta_text
from .compare import (
    MODES,
    ArtifactComparison,
    ByteDiff,
    CompareOptions,
    RunComparison,
    compare_artifact,
    mode_for,
)
from .images import ImageLayout, ImageSlot, common_scale, image_layout, image_size
from .render import grid_text, iter_plain, render_plain
from .structured import (
    KeyChange,
    KeyValue,
    StructuredDiff,
    TooLarge,
    compare_flat,
    flatten,
    load_structured,
    structured_grid,
)
from .tables import LoadedTable, TableDiff, compare_tables, read_table
from .textdiff import DiffLine, Hunk, TextDiff, diff_text_files, iter_unified, unified_text
from .textread import DEFAULT_WINDOW, MAX_LINES, Part, TextSource, read_text_source, same_bytes

__all__ = [
    "DEFAULT_WINDOW",
    "MAX_LINES",
    "FLAGS",
    "MODES",
    "ArtifactComparison",
    "ByteDiff",
    "CompareOptions",
    "DiffLine",
    "Grid",
    "GridCell",
    "Hunk",
    "ImageLayout",
    "ImageSlot",
    "KeyChange",
    "KeyValue",
    "LoadedTable",
    "Part",
    "RunComparison",
    "StructuredDiff",
    "TableDiff",
    "TextDiff",
    "TextSource",
    "TooLarge",
    "as_number",
    "common_scale",
    "compare_artifact",
    "compare_flat",
    "compare_tables",
    "delta_text",
    "diff_text_files",
    "flatten",
    "grid_text",
    "image_layout",
    "image_size",
    "iter_plain",
    "iter_unified",
    "load_structured",
    "mode_for",
    "read_table",
    "read_text_source",
    "render_plain",
    "same_bytes",
    "structured_grid",
    "unified_text",
]
