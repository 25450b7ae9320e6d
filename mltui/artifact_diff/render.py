"""Plain-text rendering of an artifact comparison, for `mltui diff --artifact` and CI logs.

Text files come out in the standard unified diff format; structured files as
`~ key: old → new (+delta)` lines; tables as their changed rows. Content is raw
unless `inert=True`, which strips terminal control sequences line by line.
"""

from __future__ import annotations

from mltui.text import strip_control

from .cells import Grid
from .compare import ArtifactComparison, RunComparison
from .structured import StructuredDiff
from .textdiff import TextDiff, unified_text


def render_plain(result: ArtifactComparison, *, inert: bool = False, changed_only: bool = True) -> str:
    """The comparison as text: notes, missing runs, then each run's difference from the baseline."""
    out = [f"note: {note}" for note in result.notes]
    out += [f"missing in {label}: {result.path}" for label in result.missing]
    grid = result.grid(changed_only=changed_only) if result.kind == "table" else None
    for run in result.runs:
        if run.equal:
            continue
        out.append(_run_text(result, run).rstrip("\n"))
    if grid is not None and grid.cells:
        out.append(grid_text(grid))
    text = "\n".join(line for line in out if line) + ("\n" if out else "")
    return "\n".join(strip_control(line) for line in text.split("\n")) if inert else text


def _run_text(result: ArtifactComparison, run: RunComparison) -> str:
    """One run's difference, headed like a unified diff."""
    base = result.baseline or ""
    if isinstance(run.diff, TextDiff):
        return unified_text(run.diff, result.path, base, run.label)
    header = f"--- a/{result.path} ({base})\n+++ b/{result.path} ({run.label})"
    if isinstance(run.diff, StructuredDiff):
        return "\n".join([header, *run.diff.lines()])
    if result.kind in ("image", "binary"):
        notes = "".join(f" ({note})" for note in run.diff.notes)
        return f"Binary files a/{result.path} ({base}) and b/{result.path} ({run.label}) differ{notes}"
    return f"{header}\n{run.summary()}"


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
