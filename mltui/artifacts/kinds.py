"""What kind of file an artifact is, judged by its name and first bytes."""

from __future__ import annotations

import json
import os
import re

KINDS = (
    "text",
    "json",
    "yaml",
    "toml",
    "table",
    "mlflow_table",
    "parquet",
    "image",
    "svg",
    "html",
    "binary",
)
TEXT_KINDS = frozenset({"text", "json", "yaml", "toml", "table", "mlflow_table", "svg", "html"})
LANGUAGES = {"json": "json", "mlflow_table": "json", "yaml": "yaml", "toml": "toml", "svg": "xml"}
SOURCE_LANGUAGES = {".py": "python", ".sh": "bash", ".md": "markdown"}  # text files worth highlighting

_EXTENSIONS = {
    **dict.fromkeys((".txt", ".log", ".out", ".err", ".py", ".sh", ".md", ".cfg", ".ini", ".jsonl"), "text"),
    ".json": "json",
    **dict.fromkeys((".yaml", ".yml"), "yaml"),
    ".toml": "toml",
    **dict.fromkeys((".csv", ".tsv"), "table"),
    ".parquet": "parquet",
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"), "image"),
    ".svg": "svg",
    **dict.fromkeys((".html", ".htm"), "html"),
}
_YAML_NAMES = {"MLmodel", "MLproject", "conda.yaml", "python_env.yaml"}
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
_TABLE_START = re.compile(rb'^\s*\{\s*"(columns|data)"\s*:\s*\[')
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "zip archive",
    b"\x1f\x8b": "gzip data",
    b"\x80": "Python pickle",
    b"\x93NUMPY": "NumPy array",
    b"%PDF": "PDF document",
    b"\x7fELF": "ELF executable",
    b"SQLite format 3": "SQLite database",
    b"BZh": "bzip2 data",
    b"\xfd7zXZ": "xz data",
}


def is_binary(head: bytes) -> bool:
    """True if `head` looks like binary data rather than text."""
    if not head:
        return False
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason.startswith("unexpected end"):
            return False  # a multi-byte character cut by the head limit
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\f\b\x1b") + head.count(b"\x7f")
    return controls / len(head) > 0.05


def _looks_like_table_json(head: bytes) -> bool:
    """An MLflow table JSON: an object with `columns` and `data` lists."""
    try:
        data = json.loads(head)
    except (ValueError, RecursionError):
        # A head cut mid-document (or nested too deeply to parse): judge by its opening and the keys it names.
        return bool(_TABLE_START.match(head)) and b'"columns"' in head and b'"data"' in head
    return isinstance(data, dict) and isinstance(data.get("columns"), list) and isinstance(data.get("data"), list)


def detect_kind(path: str, head: bytes) -> str:
    """Classify an artifact by its name and first bytes; one of `KINDS`."""
    name = path.rsplit("/", 1)[-1]
    kind = "yaml" if name in _YAML_NAMES else _EXTENSIONS.get(os.path.splitext(name)[1].lower())
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    if head.startswith(b"PAR1"):
        return "parquet"
    if kind in ("image", "parquet"):
        return kind
    if is_binary(head):
        return "binary"
    if kind == "json":
        return "mlflow_table" if _looks_like_table_json(head) else "json"
    if kind is not None:
        return kind
    return _sniff_text(head)


def _sniff_text(head: bytes) -> str:
    """Kind of a text file with an unknown extension."""
    start = head.lstrip()[:200].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    if start.startswith(b"<svg") or (start.startswith(b"<?xml") and b"<svg" in head[:1024].lower()):
        return "svg"
    if start.startswith((b"{", b"[")):
        try:
            json.loads(head)
        except ValueError:
            return "text"
        except RecursionError:
            return "json"  # valid as far as it goes; the preview says it is nested too deeply
        return "mlflow_table" if _looks_like_table_json(head) else "json"
    return "text"


def describe_binary(name: str, head: bytes) -> str:
    """A short type name for a binary file."""
    for magic, label in _BINARY_SIGNATURES.items():
        if head.startswith(magic):
            return label
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    return f"{ext} data" if ext else "unknown type"
