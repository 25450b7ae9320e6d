"""Read and classify artifact files for preview: pure functions, no Textual, no store.

Every reader here is bounded: large files are read by seeking to the part
shown (the tail of a log, the head of a table), never loaded whole.
Artifact content is untrusted; `safe_text` makes it inert for display.

One module a concern: `kinds` (what a file is), `reading` (heads and tails
of text), `tables`, `structured` (JSON/YAML/TOML), `html`, `preview` (the
whole preview of one file) and `files` (save and open). The names below are
re-exported so callers can import from `mltui.artifacts`.
"""

from mltui.artifacts.files import copy_artifact, opener_command, save_target
from mltui.artifacts.html import html_to_text
from mltui.artifacts.kinds import KINDS, LANGUAGES, TEXT_KINDS, describe_binary, detect_kind, is_binary
from mltui.artifacts.limits import (
    HEAD_BYTES,
    MAX_LINE,
    MAX_PIXELS,
    MAX_ROWS,
    MIB,
    STRUCTURED_LIMIT,
    TABLE_JSON_LIMIT,
    TEXT_LIMIT,
    human_size,
)
from mltui.artifacts.preview import Preview, build_preview
from mltui.artifacts.reading import count_lines, decode, read_head, read_tail, safe_text
from mltui.artifacts.structured import parse_structured, pretty_structured
from mltui.artifacts.tables import load_table

__all__ = [
    "HEAD_BYTES",
    "KINDS",
    "LANGUAGES",
    "MAX_LINE",
    "MAX_PIXELS",
    "MAX_ROWS",
    "MIB",
    "STRUCTURED_LIMIT",
    "TABLE_JSON_LIMIT",
    "TEXT_KINDS",
    "TEXT_LIMIT",
    "Preview",
    "build_preview",
    "copy_artifact",
    "count_lines",
    "decode",
    "describe_binary",
    "detect_kind",
    "html_to_text",
    "human_size",
    "is_binary",
    "load_table",
    "opener_command",
    "parse_structured",
    "pretty_structured",
    "read_head",
    "read_tail",
    "safe_text",
    "save_target",
]
