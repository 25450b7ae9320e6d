"""Read text files for diffing, bounded: whole when small, else the first and last window.

A file larger than twice the window is read as its first and last `window`
bytes only, cut on line boundaries; the skipped middle is streamed to count its
lines, so line numbers stay true. Bytes that are not UTF-8 are replaced.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from mltui.artifacts import MIB, decode, human_size

DEFAULT_WINDOW = 2 * MIB
MAX_LINES = 50_000  # per part of a cut file (twice this for a file read whole); more are left out with a note
_CHUNK = MIB


@dataclass(frozen=True)
class Part:
    """The lines of one part of a file, numbered from `first_line`."""

    name: str
    lines: list[str]
    first_line: int  # 1-based number of lines[0]
    ends_file: bool  # the part reaches the end of the file
    no_newline: bool  # ...and the file's last line lacks a newline


@dataclass
class TextSource:
    """A file read for diffing: one part, or a head and a tail with the middle skipped."""

    path: Path
    size: int
    parts: list[Part]
    notes: list[str] = field(default_factory=list)  # lines left out
    window: int = DEFAULT_WINDOW
    label: str = ""

    @property
    def cut(self) -> bool:
        return len(self.parts) > 1


def read_text_source(
    path: str | Path, *, window: int = DEFAULT_WINDOW, max_lines: int = MAX_LINES, label: str = ""
) -> TextSource:
    """Read `path` for diffing: whole when at most 2 x `window` bytes, else head and tail."""
    path = Path(path)
    size = path.stat().st_size
    who = f" ({label})" if label else ""
    with open(path, "rb") as fh:
        if size <= 2 * window:
            data = fh.read(size)
            part, dropped = _part("whole", data, 1, True, 2 * max_lines, keep="first")
            parts = [part]
            notes = [f"compared the first {2 * max_lines:,} lines{who}"] if dropped else []
        else:
            head_bytes = _cut_after_last_newline(fh.read(window))
            tail_start = size - window
            fh.seek(tail_start)
            tail_bytes = fh.read(window)
            newline = tail_bytes.find(b"\n")
            if 0 <= newline < len(tail_bytes) - 1:  # start on a line boundary
                tail_start += newline + 1
                tail_bytes = tail_bytes[newline + 1 :]
            head, head_dropped = _part("head", head_bytes, 1, False, max_lines, keep="first")
            skipped = _count_newlines(fh, len(head_bytes), tail_start)
            tail_first = 1 + head_bytes.count(b"\n") + skipped
            tail, tail_dropped = _part("tail", tail_bytes, tail_first, True, max_lines, keep="last")
            parts = [head, tail]
            notes = []
            if head_dropped or tail_dropped:
                notes.append(f"compared at most {max_lines:,} lines of each part{who}")
    return TextSource(path, size, parts, notes, window, label)


def window_notes(sources: list[TextSource]) -> list[str]:
    """ "compared the first and last 2 MiB of 200 MiB", naming the run when cut files differ in size."""
    cut = [source for source in sources if source.cut]
    if not cut:
        return []
    if len({(human_size(s.size), s.window) for s in cut}) == 1:  # sizes that read alike need no labels
        return [f"compared the first and last {human_size(cut[0].window)} of {human_size(cut[0].size)}"]
    return [
        f"compared the first and last {human_size(s.window)} of {human_size(s.size)}"
        + (f" ({s.label})" if s.label else "")
        for s in cut
    ]


def _cut_after_last_newline(data: bytes) -> bytes:
    """`data` up to its last newline, so the head ends on a whole line (unless it is one huge line)."""
    cut = data.rfind(b"\n")
    return data[: cut + 1] if cut >= 0 else data


def _count_newlines(fh: BinaryIO, start: int, stop: int) -> int:
    """Newlines in bytes [start, stop), streamed in chunks."""
    fh.seek(start)
    count, left = 0, stop - start
    while left > 0:
        block = fh.read(min(_CHUNK, left))
        if not block:
            break
        count += block.count(b"\n")
        left -= len(block)
    return count


def _part(name: str, data: bytes, first_line: int, ends_file: bool, max_lines: int, keep: str) -> tuple[Part, bool]:
    """Split bytes into lines (on "\\n" only, as diff and patch do), keeping at most `max_lines`.

    Lines beyond the cap are cut from the bytes before decoding, so a window of
    millions of tiny lines never becomes millions of str objects.
    """
    terminated = data.endswith(b"\n")
    total = data.count(b"\n") + (0 if terminated or not data else 1)
    dropped = total > max_lines
    if dropped and keep == "first":
        pos = -1
        for _ in range(max_lines):
            pos = data.find(b"\n", pos + 1)
        data, ends_file, terminated = data[: pos + 1], False, True
    elif dropped:
        pos = len(data)
        for _ in range(max_lines + terminated):
            pos = data.rfind(b"\n", 0, pos)
        data = data[pos + 1 :]
        first_line += total - max_lines
    lines = decode(data).split("\n") if data else []
    if terminated:
        lines.pop()
    return Part(name, lines, first_line, ends_file, ends_file and not terminated and bool(data)), dropped


def same_bytes(a: str | Path, b: str | Path) -> bool:
    """Whether two files hold identical bytes, compared in chunks (constant memory)."""
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            block = fa.read(_CHUNK)
            if block != fb.read(_CHUNK):
                return False
            if not block:
                return True
