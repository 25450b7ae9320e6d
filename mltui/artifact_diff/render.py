"""Plain-text rendering of an artifact comparison, for `mltui diff --artifact` and CI logs.

Text files come out in the standard unified diff format; structured files as
`~ key: old → new (+delta)` lines; tables as their changed rows. Content is raw
unless `inert=True`, which strips terminal control sequences line by line.
"""

from __future__ import annotations

from collections.abc import Iterator

from mltui.text import strip_control

from .cells import Grid
from .compare import ArtifactComparison, RunComparison
from .structured import StructuredDiff
from .textdiff import TextDiff, iter_unified


def iter_plain(result: ArtifactComparison, *, inert: bool = False, changed_only: bool = True) -> Iterator[str]:
    """The comparison as lines ending in "\\n": notes, missing runs, each run's difference, the table grid.

    A generator, so `mltui diff --artifact` can write a large diff without holding it twice.
    """
    lines = _plain_lines(result, changed_only)
    if inert:
        lines = (strip_control(line.rstrip("\n")) + "\n" for line in lines)
    yield from lines


def render_plain(result: ArtifactComparison, *, inert: bool = False, changed_only: bool = True) -> str:
    """`iter_plain` joined into one string ("" when every run has the file and equals the baseline)."""
    return "".join(iter_plain(result, inert=inert, changed_only=changed_only))


def _plain_lines(result: ArtifactComparison, changed_only: bool) -> Iterator[str]:
    for note in result.notes:
        yield f"note: {note}\n"
    for label in result.missing:
        yield f"missing in {label}: {result.path}\n"
    base = result.baseline or ""
    for run in result.runs:
        if not run.equal:
            yield from _run_lines(result, run, base)
    grid = result.grid(changed_only=changed_only) if result.kind == "table" else None
    if grid is not None and grid.cells:
        for line in grid_text(grid).split("\n"):
            yield line + "\n"


def _run_lines(result: ArtifactComparison, run: RunComparison, base: str) -> Iterator[str]:
    """One run's difference, headed like a unified diff."""
    if isinstance(run.diff, TextDiff):
        yield from iter_unified(run.diff, result.path, base, run.label)
        return
    if result.kind in ("image", "binary"):
        notes = "".join(f" ({note})" for note in run.diff.notes)
        yield f"Binary files a/{result.path} ({base}) and b/{result.path} ({run.label}) differ{notes}\n"
        return
    yield f"--- a/{result.path} ({base})\n"
    yield f"+++ b/{result.path} ({run.label})\n"
    if isinstance(run.diff, StructuredDiff):
        for line in run.diff.lines():
            yield line + "\n"
    else:
        yield run.summary() + "\n"


def grid_text(grid: Grid, *, max_width: int = 40) -> str:
    """A grid as aligned columns; cells longer than `max_width` characters are cut with "…"."""

    def cut(text: str) -> str:
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    rows = [[cut(c) for c in grid.columns]] + [[cut(text) for text in row] for row in grid.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(grid.columns))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip() for row in rows]
    if grid.hidden:
        lines.append(f"({grid.hidden} unchanged row{'s' if grid.hidden != 1 else ''} not shown)")
    return "\n".join(lines)
