"""Bounded reads of text artifacts: the head of a file, the tail of a log, made inert for display."""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

from mltui.artifacts.limits import DECODED_LIMIT, MAX_LINE, MIB, TEXT_LIMIT
from mltui.text import strip_control


def decode(data: bytes) -> str:
    """Bytes to str, replacing what is not UTF-8."""
    return data.decode("utf-8", errors="replace")


def safe_text(text: str, max_line: int = MAX_LINE) -> str:
    """Untrusted text made inert: no escape sequences or control characters, newlines kept.

    Lines longer than `max_line` characters are split so no single line is huge.
    """
    text = strip_control(text.replace("\r\n", "\n").replace("\r", "\n"), keep_newlines=True)
    if len(text) <= max_line or max(map(len, text.split("\n"))) <= max_line:
        return text
    return "\n".join(line[i : i + max_line] for line in text.split("\n") for i in range(0, max(len(line), 1), max_line))


def read_head(path: str | Path, limit: int = TEXT_LIMIT) -> tuple[str, bool]:
    """The first `limit` bytes decoded, cut at the last full line; and whether it was truncated."""
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    truncated = len(data) > limit
    if truncated:
        data = data[:limit]
        cut = data.rfind(b"\n")
        if cut > 0:
            data = data[: cut + 1]
    return decode(data), truncated


def read_tail(path: str | Path, limit: int = TEXT_LIMIT) -> tuple[str, bool]:
    """The last `limit` bytes decoded, starting on a line boundary; and whether it was truncated.

    Seeks, so a file of any size costs only `limit` bytes of memory.
    """
    with open(path, "rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        start = max(0, size - limit)
        fh.seek(start)
        data = fh.read(limit)
    if start > 0:
        newline = data.find(b"\n")
        if 0 <= newline < len(data) - 1:
            data = data[newline + 1 :]
    return decode(data), start > 0


def count_lines(path: str | Path, chunk: int = MIB) -> int:
    """Number of lines in a file, read in chunks."""
    lines, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def gzip_claimed_size(path: str | Path) -> int | None:
    """The decompressed size a gzip file's trailer states (modulo 4 GiB; untrusted, for the note only)."""
    with open(path, "rb") as fh:
        if fh.seek(0, os.SEEK_END) < 18:
            return None
        fh.seek(-4, os.SEEK_END)
        return int.from_bytes(fh.read(4), "little")


def read_gzip_head(path: str | Path, limit: int = DECODED_LIMIT) -> tuple[bytes, bool]:
    """The first `limit` decompressed bytes of a gzip file, and whether there was more.

    Decompresses in bounded steps, so a 1 MB file that inflates to 1 GB costs `limit`.
    Raises ValueError for a broken stream.
    """
    try:
        with gzip.open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"cannot decompress: {exc}") from exc
    return data[:limit], len(data) > limit
