"""Line diff of two text files as structured hunks, bounded for huge logs.

Large files are compared by their first and last window (see `textread`): head
with head, tail with tail. Byte equality is checked by streaming whole files,
so a difference hidden in the skipped middle is still reported. Text stays raw
(the UI escapes it).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Literal, NamedTuple

from .textread import DEFAULT_WINDOW, MAX_LINES, Part, TextSource, read_text_source, same_bytes, window_notes

CONTEXT = 3
BLOCK_LINES = 2_000  # long, mostly different middles are matched in blocks of about this many lines
_NO_NEWLINE = "\x00\uffff no newline at end of file"  # makes "x" and "x\n" at EOF compare unequal

Tag = Literal["context", "removed", "added"]


class DiffLine(NamedTuple):
    """One line of a hunk; `old`/`new` are 1-based line numbers in the baseline / other file.

    A NamedTuple: a hunk of a large change holds 100,000s of them, and tuples are small and quick to make.
    """

    tag: Tag
    text: str  # without its newline; raw (may hold markup or control characters)
    old: int | None
    new: int | None
    no_newline: bool = False  # the file ends here without a newline


@dataclass(frozen=True, slots=True)
class Hunk:
    """A run of changes with context, in unified-diff terms."""

    old_start: int  # 0-based index of the first baseline line covered
    old_count: int
    new_start: int
    new_count: int
    lines: tuple[DiffLine, ...]
    part: str = "whole"  # "whole" | "head" | "tail": which part of a large file

    @property
    def header(self) -> str:
        """The `@@ -1,4 +1,5 @@` line."""
        return f"@@ -{_range(self.old_start, self.old_count)} +{_range(self.new_start, self.new_count)} @@"

    def side_by_side(self) -> list[tuple[DiffLine | None, DiffLine | None]]:
        """(old, new) pairs for two columns: removals paired with the additions that replace them."""
        pairs: list[tuple[DiffLine | None, DiffLine | None]] = []
        removed: list[DiffLine] = []
        added: list[DiffLine] = []

        def flush() -> None:
            pairs.extend(zip_longest(removed, added))
            removed.clear()
            added.clear()

        for line in self.lines:
            if line.tag == "context":
                flush()
                pairs.append((line, line))
            elif line.tag == "removed":
                if added:
                    flush()
                removed.append(line)
            else:
                added.append(line)
        flush()
        return pairs


def _range(start: int, count: int) -> str:
    """Unified range text exactly as GNU diff / difflib write it."""
    first = start + 1
    if count == 1:
        return str(first)
    if count == 0:
        first -= 1
    return f"{first},{count}"


@dataclass
class TextDiff:
    """Baseline vs one other file: hunks in file order, plus notes on what was left out."""

    hunks: list[Hunk]
    equal: bool  # byte-identical files (checked in full, not only the compared parts)
    old_size: int
    new_size: int
    notes: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(1 for hunk in self.hunks for line in hunk.lines if line.tag == "added")

    @property
    def removed(self) -> int:
        return sum(1 for hunk in self.hunks for line in hunk.lines if line.tag == "removed")

    def side_by_side(self) -> list[list[tuple[DiffLine | None, DiffLine | None]]]:
        """Each hunk's (old, new) line pairs, for a wide pane."""
        return [hunk.side_by_side() for hunk in self.hunks]

    def summary(self) -> str:
        """One line: "identical" or "3 hunks, +5 -2"."""
        if self.equal:
            return "identical"
        count = len(self.hunks)
        shown = f"{count} hunk{'s' if count != 1 else ''}, +{self.added} -{self.removed}"
        return shown if self.hunks else "differs outside the compared parts"


def diff_sources(old: TextSource, new: TextSource, *, context: int = CONTEXT) -> TextDiff:
    """Hunks of `new` against `old`, part by part (head with head, tail with tail)."""
    equal = same_bytes(old.path, new.path)
    notes = list(dict.fromkeys(window_notes([old, new]) + old.notes + new.notes))
    if equal:
        return TextDiff([], True, old.size, new.size, notes)
    hunks: list[Hunk] = []
    if old.cut or new.cut:
        old_parts, new_parts = _aligned_parts(old), _aligned_parts(new)
    else:
        old_parts, new_parts = old.parts, new.parts
    for old_part, new_part in zip(old_parts, new_parts):
        # Where a part was cut, its first/last lines depend on where the byte window fell:
        # one side's extra lines at a cut are not a change.
        cut_start, cut_end = old_part.name == "tail", old_part.name == "head"
        if cut_start or cut_end:
            old_part, new_part = _align_cut(old_part, new_part, at_end=cut_end)
        hunks += diff_parts(old_part, new_part, context=context, cut_start=cut_start, cut_end=cut_end)
    if not hunks:
        notes.append("the files differ only in the part that was not compared")
    return TextDiff(hunks, False, old.size, new.size, notes)


_ALIGN_SEARCH = 200  # lines searched for the other side's edge
_ALIGN_CONFIRM = 3  # lines that must match to accept an alignment


def _align_cut(old: Part, new: Part, *, at_end: bool) -> tuple[Part, Part]:
    """Drop the lines only one side has at a cut edge (the end of heads, the start of tails).

    Byte windows cut the two files at different lines; matching a few edge lines
    of one side inside the other finds the shift, so the cheap prefix/suffix
    trimming and the block matching below see aligned parts.
    """
    a, b = old.lines, new.lines
    if not a or not b:
        return old, new
    for shift in range(_ALIGN_SEARCH):
        for longer, shorter, is_old in ((a, b, True), (b, a, False)):
            if shift > len(longer) - _ALIGN_CONFIRM or len(shorter) < _ALIGN_CONFIRM:
                continue
            if at_end:
                matched = (
                    longer[len(longer) - shift - _ALIGN_CONFIRM : len(longer) - shift] == shorter[-_ALIGN_CONFIRM:]
                )
            else:
                matched = longer[shift : shift + _ALIGN_CONFIRM] == shorter[:_ALIGN_CONFIRM]
            if matched:
                if shift == 0:
                    return old, new
                part = old if is_old else new
                trimmed = _drop(part, shift, at_end)
                return (trimmed, new) if is_old else (old, trimmed)
    return old, new


def _drop(part: Part, count: int, at_end: bool) -> Part:
    """`part` without its last (or first) `count` lines."""
    if at_end:
        return Part(part.name, part.lines[: len(part.lines) - count], part.first_line, False, False)
    return Part(part.name, part.lines[count:], part.first_line + count, part.ends_file, part.no_newline)


def _aligned_parts(source: TextSource) -> list[Part]:
    """[head, tail] of a source; a file read whole is split at the middle of its lines."""
    if source.cut:
        return source.parts
    whole = source.parts[0]
    middle = len(whole.lines) // 2
    head = Part("head", whole.lines[:middle], 1, False, False)
    tail = Part("tail", whole.lines[middle:], 1 + middle, whole.ends_file, whole.no_newline)
    return [head, tail]


def diff_parts(
    old: Part, new: Part, *, context: int = CONTEXT, cut_start: bool = False, cut_end: bool = False
) -> list[Hunk]:
    """Unified-diff hunks of two parts; common leading and trailing lines are skipped cheaply.

    `cut_start`/`cut_end`: the parts begin/end at an arbitrary cut, so lines only
    one side has right at that edge are dropped rather than shown as added or removed.
    """
    a, b = _comparable(old), _comparable(new)
    prefix = 0
    limit = min(len(a), len(b))
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]:
        suffix += 1
    opcodes = [("equal", 0, prefix, 0, prefix)] if prefix else []
    opcodes += _middle_opcodes(a[prefix : len(a) - suffix], b[prefix : len(b) - suffix], prefix)
    if suffix:
        opcodes.append(("equal", len(a) - suffix, len(a), len(b) - suffix, len(b)))
    if cut_start and opcodes and opcodes[0][0] in ("insert", "delete"):
        opcodes.pop(0)
    if cut_end and opcodes and opcodes[-1][0] in ("insert", "delete"):
        opcodes.pop()
    return [_hunk(group, old, new) for group in _grouped(opcodes, context)]


def _middle_opcodes(a: list[str], b: list[str], offset: int) -> list[Opcode]:
    """difflib opcodes of two line lists, shifted by `offset`.

    difflib grows quadratically on long, repetitive, mostly different inputs
    (100,000 lines from a few hundred distinct values take minutes), so large
    middles are matched block by block, pairing proportional slices: the diff
    stays valid, only less minimal across block edges.
    """
    if len(a) * len(b) <= BLOCK_LINES * BLOCK_LINES * 4:
        blocks = [(0, len(a), 0, len(b))]
    else:
        count = -(-max(len(a), len(b)) // BLOCK_LINES)
        cuts_a = [len(a) * k // count for k in range(count + 1)]
        cuts_b = [len(b) * k // count for k in range(count + 1)]
        blocks = [(cuts_a[k], cuts_a[k + 1], cuts_b[k], cuts_b[k + 1]) for k in range(count)]
    opcodes: list[Opcode] = []
    for a1, a2, b1, b2 in blocks:
        matcher = difflib.SequenceMatcher(None, a[a1:a2], b[b1:b2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            _append(opcodes, (tag, i1 + a1 + offset, i2 + a1 + offset, j1 + b1 + offset, j2 + b1 + offset))
    return opcodes


def _append(opcodes: list[Opcode], code: Opcode) -> None:
    """Add an opcode, merging it into the previous one when both are equal runs."""
    if opcodes and opcodes[-1][0] == code[0] == "equal":
        tag, i1, _, j1, _ = opcodes[-1]
        opcodes[-1] = (tag, i1, code[2], j1, code[4])
    elif code[1] < code[2] or code[3] < code[4]:
        opcodes.append(code)


def _comparable(part: Part) -> list[str]:
    """The part's lines, the last marked when the file ends without a newline."""
    if not part.no_newline or not part.lines:
        return part.lines
    return [*part.lines[:-1], part.lines[-1] + _NO_NEWLINE]


Opcode = tuple[str, int, int, int, int]


def _grouped(opcodes: list[Opcode], context: int) -> list[list[Opcode]]:
    """Opcodes grouped into hunks with `context` lines around changes (as difflib does)."""
    if not opcodes or all(tag == "equal" for tag, *_ in opcodes):
        return []
    codes = list(opcodes)
    tag, i1, i2, j1, j2 = codes[0]
    if tag == "equal":
        codes[0] = (tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    tag, i1, i2, j1, j2 = codes[-1]
    if tag == "equal":
        codes[-1] = (tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return [g for g in groups if any(code[0] != "equal" for code in g)]


def _hunk(group: list[Opcode], old: Part, new: Part) -> Hunk:
    """One hunk's lines with their true line numbers."""
    lines: list[DiffLine] = []
    last_old, last_new = len(old.lines) - 1, len(new.lines) - 1
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            for offset in range(i2 - i1):
                i, j = i1 + offset, j1 + offset
                flag = old.no_newline and i == last_old
                lines.append(DiffLine("context", old.lines[i], old.first_line + i, new.first_line + j, flag))
            continue
        for i in range(i1, i2):
            flag = old.no_newline and i == last_old
            lines.append(DiffLine("removed", old.lines[i], old.first_line + i, None, flag))
        for j in range(j1, j2):
            flag = new.no_newline and j == last_new
            lines.append(DiffLine("added", new.lines[j], None, new.first_line + j, flag))
    i_start, j_start = group[0][1], group[0][3]
    i_stop, j_stop = group[-1][2], group[-1][4]
    return Hunk(
        old.first_line - 1 + i_start,
        i_stop - i_start,
        new.first_line - 1 + j_start,
        j_stop - j_start,
        tuple(lines),
        old.name,
    )


def diff_text_files(
    old: str | Path,
    new: str | Path,
    *,
    window: int = DEFAULT_WINDOW,
    max_lines: int = MAX_LINES,
    context: int = CONTEXT,
    old_label: str = "",
    new_label: str = "",
) -> TextDiff:
    """Diff two text files on disk: the convenience form of read + diff for two runs."""
    old_source = read_text_source(old, window=window, max_lines=max_lines, label=old_label)
    new_source = read_text_source(new, window=window, max_lines=max_lines, label=new_label)
    return diff_sources(old_source, new_source, context=context)


def iter_unified(diff: TextDiff, path: str, old_label: str, new_label: str) -> Iterator[str]:
    """The unified diff line by line (each ending in "\\n"), for writing without building one big string."""
    if diff.equal:
        return
    yield f"--- a/{path} ({old_label})\n"
    yield f"+++ b/{path} ({new_label})\n"
    if not diff.hunks:
        yield f"Files differ outside the compared parts: {'; '.join(diff.notes)}\n"
    prefix = {"context": " ", "removed": "-", "added": "+"}
    for hunk in diff.hunks:
        yield hunk.header + "\n"
        for line in hunk.lines:
            yield prefix[line.tag] + line.text + "\n"
            if line.no_newline:
                yield "\\ No newline at end of file\n"


def unified_text(diff: TextDiff, path: str, old_label: str, new_label: str) -> str:
    """The standard unified diff (`--- a/path (run A)`, `+++ b/path (run B)`, `@@ ... @@`); "" when equal.

    Lines are raw file content: a terminal caller should make them inert.
    """
    return "".join(iter_unified(diff, path, old_label, new_label))
