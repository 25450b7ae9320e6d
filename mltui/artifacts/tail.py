"""A preview of a big log from its last bytes only: what a remote store sends for a Range request."""

from __future__ import annotations

from pathlib import PurePosixPath

from mltui.artifacts.limits import TEXT_LIMIT, human_size
from mltui.artifacts.preview import Preview
from mltui.artifacts.reading import decode, safe_text

LOG_SUFFIXES = frozenset({".log", ".out", ".err", ".txt"})


def wants_tail(name: str, size: int | None) -> bool:
    """A log too big to show whole: only its end is fetched (by HTTP Range from a tracking server)."""
    return size is not None and size > TEXT_LIMIT and PurePosixPath(name).suffix.lower() in LOG_SUFFIXES


def tail_preview(data: bytes, size: int) -> Preview:
    """The text of the last bytes of a file of `size` bytes, from the first whole line on."""
    if len(data) < size:
        newline = data.find(b"\n")
        if 0 <= newline < len(data) - 1:
            data = data[newline + 1 :]
    note = f"showing last {human_size(TEXT_LIMIT)} of {human_size(size)}"
    return Preview("text", size, note=note, text=safe_text(decode(data)), from_end=True)
