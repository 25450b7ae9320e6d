"""The bounds every artifact reader respects, and how sizes are shown.

Artifact files are untrusted and may be huge: each reader reads or decodes
at most one of these amounts, whatever the file's size.
"""

from __future__ import annotations

MIB = 1 << 20
HEAD_BYTES = 64 * 1024  # read to classify a file
TEXT_LIMIT = MIB  # text shown at most: the last (logs) or first MiB
STRUCTURED_LIMIT = 4 * MIB  # larger JSON/YAML/TOML is shown as plain text (parsed data costs ~10x)
TABLE_JSON_LIMIT = 64 * MIB  # an MLflow table JSON must be parsed whole
MAX_ROWS = 10_000
MAX_LINE = 4096  # longer lines are split for display
MAX_CELL = 2048  # a table cell keeps at most this many characters (bytes for binary)
MAX_COLUMNS = 200  # a table preview shows at most this many columns
MAX_TABLE_CELLS = 500_000  # rows x columns of a table preview (a Python string a cell): wide tables show fewer rows
TABLE_TEXT_BUDGET = 48 * MIB  # all cells of a table preview together, after cutting
COLUMN_DECODE_BUDGET = 64 * MIB  # a Parquet column decoding more than this for the rows shown is skipped
BATCH_BYTES = 8 * MIB  # a Parquet batch decodes about this much at a time
DECODED_LIMIT = 8 * MIB  # compressed text (gzip) is decompressed up to this much
MAX_NODES = 500_000  # values in a parsed JSON/YAML/TOML document, aliases expanded
MAX_DEPTH = 200  # nesting of a parsed document
MAX_PIXELS = 40_000_000  # larger images are not decoded (JPEGs are first scaled down while decoding)
MAX_IMAGE_BYTES = 96 * MIB  # decoded pixels of one image (Pillow keeps up to 4 bytes a pixel)


def human_size(n: int | None) -> str:
    """`1536` -> "1.5 KiB"; None -> ""."""
    if n is None:
        return ""
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    shown = f"{value:.0f}" if value >= 100 else f"{value:.1f}".removesuffix(".0")
    return f"{shown} {unit}"
