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
MAX_PIXELS = 50_000_000  # larger images are not decoded


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
