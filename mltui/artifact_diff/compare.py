"""Compare one artifact path across runs: pick the comparison by kind, baseline first.

`compare_artifact` is the entry point for the artifact pane and `mltui diff
--artifact`: it reads local copies only (downloads are the caller's job),
keeps runs lacking the file as `missing`, and falls back to a plain text diff
(with a note) when a file does not parse as its kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mltui.artifacts import HEAD_BYTES, KINDS, MAX_ROWS, detect_kind

from .cells import Grid
from .images import ImageLayout, image_layout, image_size
from .structured import (
    MAX_NODES,
    STRUCTURED_KINDS,
    StructuredDiff,
    compare_flat,
    flatten,
    load_structured,
    structured_grid,
)
from .tables import TABLE_KINDS, LoadedTable, TableDiff, compare_tables, read_table
from .textdiff import CONTEXT, TextDiff, diff_sources
from .textread import DEFAULT_WINDOW, MAX_LINES, read_text_source, same_bytes, window_notes

MODES = ("text", "structured", "table", "image", "binary", "none")
_MODE_OF_KIND = {
    **dict.fromkeys(STRUCTURED_KINDS, "structured"),
    **dict.fromkeys(TABLE_KINDS, "table"),
    "image": "image",
    "binary": "binary",
}


@dataclass
class ByteDiff:
    """Files compared as bytes only (images, binary data): identical or not."""

    equal: bool
    old_size: int
    new_size: int
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return "identical" if self.equal else "differs"


Detail = TextDiff | StructuredDiff | TableDiff | ByteDiff


@dataclass
class RunComparison:
    """One run's file against the reference (baseline) file."""

    label: str
    path: Path
    diff: Detail  # TextDiff | StructuredDiff | TableDiff | ByteDiff, by the result's `kind`

    @property
    def equal(self) -> bool:
        return self.diff.equal

    def summary(self) -> str:
        return self.diff.summary()


@dataclass
class ArtifactComparison:
    """The whole comparison of `path` across runs, reference first."""

    path: str
    kind: str  # how it was compared: one of MODES ("none" when no run has the file)
    detected_kind: str  # what the artifact module detected: "yaml", "table", "parquet", ...
    labels: list[str]  # every run given, in order
    baseline: str | None  # the reference run: the first given, or the first having the file
    missing: list[str]  # runs lacking the file (the baseline too, if it does)
    notes: list[str]
    runs: list[RunComparison]  # each other run having the file, vs the reference
    files: list[tuple[str, Path | None]] = field(repr=False, default_factory=list)
    _grid: Callable[[], Grid] | None = field(repr=False, default=None)

    @property
    def equal(self) -> bool:
        """True when every run has the file and all equal the baseline (exit code 0 for the CLI)."""
        return not self.missing and all(run.equal for run in self.runs)

    def grid(self, changed_only: bool = False) -> Grid | None:
        """Table and structured kinds: every run in one grid (baseline first); None for other kinds."""
        if self._grid is None:
            return None
        grid = self._grid()
        return grid.changed_only() if changed_only else grid

    def image_layout(self, max_width: int, max_height: int, *, upscale: bool = False) -> ImageLayout:
        """The runs' images (missing ones kept) sized to one common scale within the box."""
        return image_layout(self.files, max_width, max_height, upscale=upscale)

    def summary(self) -> str:
        """One line for a status bar: "2 of 3 runs differ; 1 missing"."""
        differ = sum(not run.equal for run in self.runs)
        text = f"{differ} of {len(self.runs)} run{'s' if len(self.runs) != 1 else ''} differ from {self.baseline}"
        if self.missing:
            text += f"; missing in {', '.join(self.missing)}"
        return text if self.runs or self.missing else "identical"


@dataclass(frozen=True)
class CompareOptions:
    """Bounds and choices for a comparison; the defaults suit a terminal pane."""

    window: int = DEFAULT_WINDOW  # bytes read from each end of a large text file
    max_lines: int = MAX_LINES
    context: int = CONTEXT
    key: str | None = None  # table column matching rows (default: the first)
    max_rows: int = MAX_ROWS
    max_nodes: int = MAX_NODES
    directional: bool = False  # structured grids flag numbers better/worse by key name (for results files)


def _detect(path: str, local: Path) -> str:
    """The artifact module's kind of a file; "text" when detection itself fails (deeply nested JSON)."""
    with open(local, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    try:
        return detect_kind(path, head)
    except RecursionError:
        return "text"


def mode_for(kind: str) -> str:
    """How a kind is compared: a mode stays itself, "svg"/"html"/"text" are text; "none" if unknown."""
    if kind in MODES:
        return kind
    return _MODE_OF_KIND.get(kind, "text") if kind in KINDS else "none"


def _unique_labels(files: Sequence[tuple[str, str | Path | None]]) -> list[tuple[str, str | Path | None]]:
    """Files with run labels made unique ("name", "name #2"), so results can be keyed by label."""
    seen: dict[str, int] = {}
    unique = []
    for label, local in files:
        seen[label] = seen.get(label, 0) + 1
        unique.append((label if seen[label] == 1 else f"{label} #{seen[label]}", local))
    return unique


def _grid_labels(result: ArtifactComparison) -> list[str]:
    """Grid columns: the reference run first (it is what deltas are taken against), then the rest in order."""
    return [result.baseline or "", *(label for label in result.labels if label != result.baseline)]


def compare_artifact(
    path: str,
    files: Sequence[tuple[str, str | Path | None]],
    kind: str | None = None,
    options: CompareOptions = CompareOptions(),
) -> ArtifactComparison:
    """Compare the local copies of artifact `path`, one per run, against the first (the baseline).

    `files` is [(run label, local path or None when the run lacks it)]; `kind`
    forces a detected kind ("yaml", "table", ...) or a mode ("text", ...).
    Raises OSError only when a given file cannot be read.
    """
    if kind is not None and mode_for(kind) == "none":
        raise ValueError(f"unknown artifact kind {kind!r}; expected one of {', '.join((*MODES[:-1], *KINDS))}")
    entries = [(label, None if local is None else Path(local)) for label, local in _unique_labels(files)]
    labels = [label for label, _ in entries]
    missing = [label for label, local in entries if local is None]
    present = [(label, local) for label, local in entries if local is not None]
    if not present:
        return ArtifactComparison(path, "none", "", labels, None, missing, ["no run has this file"], [], entries)
    reference_label, reference = present[0]
    notes = [] if entries[0][1] is not None else [f"the baseline lacks the file; compared against {reference_label}"]
    detected = _detect(path, reference)
    mode = mode_for(kind or detected)
    result = ArtifactComparison(path, mode, detected, labels, reference_label, missing, notes, [], entries)
    source_kind = detected if kind is None or kind in MODES else kind
    fallback = _COMPARERS[mode](result, present, source_kind, options)
    if fallback:  # the files did not parse as their kind
        result.kind, result.runs, result._grid = "text", [], None
        result.notes.append(fallback)
        _compare_text(result, present, "text", options)
    return result


def _compare_text(
    result: ArtifactComparison, present: list[tuple[str, Path]], kind: str, options: CompareOptions
) -> str:
    sources = [
        read_text_source(local, window=options.window, max_lines=options.max_lines, label=label)
        for label, local in present
    ]
    reference = sources[0]
    result.notes.extend(note for note in window_notes(sources) + reference.notes if note not in result.notes)
    for (label, local), source in zip(present[1:], sources[1:]):
        diff = diff_sources(reference, source, context=options.context)
        result.runs.append(RunComparison(label, local, diff))
    return ""


def _compare_structured(
    result: ArtifactComparison, present: list[tuple[str, Path]], kind: str, options: CompareOptions
) -> str:
    parse_kind = kind if kind in STRUCTURED_KINDS else "json" if kind == "mlflow_table" else "yaml"
    flats: list[dict[str, Any]] = []
    for label, local in present:
        try:
            data = load_structured(local, parse_kind)
            # Without aliases every value costs at least a byte of text: more values means an alias bomb.
            limit = min(options.max_nodes, 2 * local.stat().st_size + 16)
            flats.append(flatten(data, max_nodes=limit))
        except ValueError as exc:
            return f"not compared as {parse_kind} ({label}: {exc}); shown as a text diff"
    for (label, local), flat in zip(present[1:], flats[1:]):
        result.runs.append(RunComparison(label, local, compare_flat(flats[0], flat)))
    by_label = dict(zip((label for label, _ in present), flats))
    result._grid = lambda: structured_grid(
        [(label, by_label.get(label)) for label in _grid_labels(result)], directional=options.directional
    )
    return ""


def _compare_table(
    result: ArtifactComparison, present: list[tuple[str, Path]], kind: str, options: CompareOptions
) -> str:
    table_kind = kind if kind in TABLE_KINDS else "table"
    loaded: dict[str, LoadedTable] = {}
    for label, local in present:
        try:
            try:
                loaded[label] = read_table(local, table_kind, max_rows=options.max_rows, label=label)
            except RecursionError as exc:  # deeply nested table JSON
                raise ValueError("nested too deeply") from exc
        except ValueError as exc:
            if table_kind == "mlflow_table":
                result.notes.append(f"not an MLflow table ({label}: {exc}); compared as JSON")
                result.kind = "structured"
                return _compare_structured(result, present, "json", options)
            if table_kind == "parquet":
                result.kind = "binary"
                result.notes.append(f"cannot read as Parquet ({label}: {exc}); compared as bytes")
                return _compare_bytes(result, present, kind, options)
            return f"not compared as a table ({label}: {exc}); shown as a text diff"
    labels = _grid_labels(result)
    grid, diffs = compare_tables([(label, loaded.get(label)) for label in labels], key=options.key)
    result.notes.extend(grid.notes)
    for table in loaded.values():
        result.notes.extend(table.notes)
    by_label = dict(zip(labels, diffs))
    for label, local in present[1:]:
        diff = by_label[label]
        assert diff is not None  # present in both this run and the reference
        result.runs.append(RunComparison(label, local, diff))
    result._grid = lambda: grid
    return ""


def _compare_bytes(
    result: ArtifactComparison, present: list[tuple[str, Path]], kind: str, options: CompareOptions
) -> str:
    reference = present[0][1]
    for label, local in present[1:]:
        diff = ByteDiff(same_bytes(reference, local), reference.stat().st_size, local.stat().st_size)
        if result.kind == "image" and not diff.equal:
            diff.notes.append(_size_note(reference, local))
        result.runs.append(RunComparison(label, local, diff))
    return ""


def _size_note(old: Path, new: Path) -> str:
    """ "1200×800 → 1200×900" for two images, or why a size is unknown."""
    texts = []
    for local in (old, new):
        try:
            width, height = image_size(local)
            texts.append(f"{width}×{height}")
        except ValueError as exc:
            texts.append(str(exc))
    return " → ".join(texts) if texts[0] != texts[1] else f"same size {texts[0]}, different pixels"


_COMPARERS = {
    "text": _compare_text,
    "structured": _compare_structured,
    "table": _compare_table,
    "image": _compare_bytes,
    "binary": _compare_bytes,
}
