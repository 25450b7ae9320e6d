"""The run diff engine: pure data in, a table of display-ready cells out.

No Textual and no MLflow here, so the UI, the `mltui diff` CLI and the exporters
share one tested implementation. pandas does the arithmetic on full-precision
floats; rounding happens only when a number is turned into display text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from mltui.formatting import as_logged, format_duration, format_timestamp
from mltui.models import Run
from mltui.text import clean

if TYPE_CHECKING:  # pandas and numpy cost ~1 s to import: loaded on the first diff, after the first frame
    import pandas as pd

DEFAULT_LOWER_IS_BETTER: tuple[str, ...] = ("loss", "error", "mse", "rmse", "mae", "perplexity", "latency", "time")
MISSING = "—"  # shown for a missing value, never 0

SECTIONS: tuple[str, ...] = ("metrics", "params", "tags", "info")
VALUE_MODES: tuple[str, ...] = ("latest", "best")
SYSTEM_TAG_PREFIX = "mlflow."
SOURCE_TAG = "mlflow.source.name"
GIT_COMMIT_TAG = "mlflow.source.git.commit"
USER_TAG = "mlflow.user"

_MIN_DIGITS = 6  # like %g: enough to read, few enough to scan
_MAX_DIGITS = 17  # 17 significant digits always round-trip a float
_FIXED_MIN = 1e-4  # below this (or at/above _FIXED_MAX) exponent notation is clearer
_FIXED_MAX = 1e15
# Strict decimal literal: rejects "nan", "inf", "1_000", "0x10" that float() would accept.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class DiffOptions:
    """What to compare and how; frozen so it can be a default and a cache key."""

    changed_only: bool = False
    show_system_tags: bool = False  # tags starting "mlflow." hidden unless True
    value_mode: str = "latest"  # "latest" | "best"
    flipped: frozenset[str] = frozenset()  # metric keys whose direction the user flipped with `~`
    lower_is_better: tuple[str, ...] = DEFAULT_LOWER_IS_BETTER  # name fragments (case-insensitive substring)
    sections: tuple[str, ...] = SECTIONS  # which sections to include


@dataclass
class DiffCell:
    """One run's value in one row, with its comparison to the baseline."""

    raw: float | str | None  # the value (None = missing)
    text: str  # display string; MISSING when missing; "nan"/"inf"/"-inf" for non-finite
    delta: float | None  # full-precision difference vs baseline; None when there is no number
    delta_text: str  # e.g. "+0.07 (+8.2%)"; "" when no delta
    verdict: str | None  # "better" | "worse" | "same" | None
    is_best: bool = False  # best value of a metric row by its direction (all ties marked)


@dataclass
class DiffRow:
    """One key of one section across all runs."""

    section: str  # "metrics" | "params" | "tags" | "info"
    key: str
    cells: list[DiffCell]  # one per run, same order as DiffResult.runs
    changed: bool  # values not all identical (missing vs present counts as changed)
    lower_is_better: bool | None  # metrics only; None elsewhere


class _MissingMap(dict[str, list[str]]):
    """run_id -> missing metric keys; a run lacking nothing reads as [] without being stored."""

    def __missing__(self, key: str) -> list[str]:
        return []


@dataclass
class DiffResult:
    """The whole comparison, baseline first, ready to render or export."""

    runs: list[Run]  # baseline FIRST, then the others in the order given
    baseline_id: str
    rows: list[DiffRow]  # after changed_only filtering, grouped by section, keys sorted
    hidden: int  # rows hidden by changed_only
    missing: dict[str, list[str]]  # run_id -> sorted metric keys it lacks but another run has
    options: DiffOptions = field(default_factory=DiffOptions)

    def missing_summary(self) -> str | None:
        """One line naming the metrics each run lacks, so gaps are never silent."""
        lacking = [(run, self.missing[run.run_id]) for run in _unique_runs(self.runs) if self.missing.get(run.run_id)]
        if not lacking:
            return None
        keys = {key for _, run_keys in lacking for key in run_keys}
        parts = "; ".join(f"{run_label(run)} ({', '.join(clean(k) for k in run_keys)})" for run, run_keys in lacking)
        return (
            f"{len(keys)} metric{'s' if len(keys) != 1 else ''} missing in "
            f"{len(lacking)} run{'s' if len(lacking) != 1 else ''}: {parts}"
        )

    def rows_in(self, section: str) -> list[DiffRow]:
        """The visible rows of one section, in display order."""
        return [row for row in self.rows if row.section == section]


# --------------------------------------------------------------------------- formatting


def run_label(run: Run) -> str:
    """A one-line name for a run; falls back to its short id when unnamed."""
    return clean(run.name) if run.name else run.short_id


def is_lower_better(
    key: str, fragments: tuple[str, ...] = DEFAULT_LOWER_IS_BETTER, flipped: frozenset[str] = frozenset()
) -> bool:
    """Guess a metric's direction from its name; `flipped` lets the user correct the guess."""
    lowered = key.lower()
    lower = any(fragment and fragment.lower() in lowered for fragment in fragments)
    return not lower if key in flipped else lower


def _format_number(value: float, digits: int) -> str:
    """`value` with `digits` significant digits, no padding, no exponent for ordinary magnitudes."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    # Never pad past the shortest repr: 0.1 stays "0.1" even when a neighbour needs 17 digits.
    digits = min(digits, _shortest(value)[0])
    magnitude = abs(value)
    if not _FIXED_MIN <= magnitude < _FIXED_MAX:
        return format(value, f".{digits}g")
    if value.is_integer():
        return str(int(value))
    # Never round away integer digits: 123456.7 reads 123457, not 1.23457e+05.
    integer_digits = len(str(int(magnitude))) if magnitude >= 1 else 0
    rounded = format(value, f".{max(digits, integer_digits)}g")
    return format(Decimal(rounded), "f")


def _row_digits(values: Sequence[float | None]) -> int:
    """Fewest significant digits (>= 6) that keep different values looking different."""
    finite = sorted({v for v in values if v is not None and math.isfinite(v)})
    if len(finite) < 2:
        return _MIN_DIGITS
    for digits in range(_MIN_DIGITS, _MAX_DIGITS):
        texts = [_format_number(v, digits) for v in finite]
        if len(set(texts)) == len(texts):
            return digits
    return _MAX_DIGITS


def format_values(values: Sequence[float | None]) -> list[str]:
    """Display strings for one row, precise enough that unequal values never read the same."""
    floats = [None if v is None else float(v) for v in values]
    digits = _row_digits(floats)
    return [MISSING if v is None else _format_number(v, digits) for v in floats]


@lru_cache(maxsize=1 << 16)
def _shortest(value: float) -> tuple[int, int]:
    """(significant digits, decimal places) of the shortest repr; cached, as a row reuses its values."""
    parts = Decimal(repr(value)).normalize().as_tuple()
    exponent = parts.exponent
    return len(parts.digits), (max(0, -exponent) if isinstance(exponent, int) else 0)


def _decimals(value: float) -> int:
    """Decimal places in the shortest repr of `value` (0.85 -> 2, 1e-20 -> 20, 1e16 -> 0)."""
    return _shortest(value)[1]


def _signed(text: str, value: float) -> str:
    """Prefix "+" so gains and losses read alike; "-" is already in the text."""
    return f"+{text}" if value > 0 else text


def _percent_text(delta: float, base: float) -> str:
    """ " (+8.2%)" style relative change; empty when the baseline is 0 or the ratio overflows."""
    if base == 0:
        return ""
    try:
        percent = delta / abs(base) * 100
    except OverflowError:
        return ""
    if not math.isfinite(percent) or percent == 0:
        return ""
    text = format(percent, ".2g")
    if "e" in text and abs(percent) >= 1:  # 150 reads "150", not "1.5e+02"
        text = str(round(percent))
    return f" ({_signed(text, percent)}%)"


def format_delta(base: float, value: float, *, digits: int = _MIN_DIGITS) -> str:
    """`value - base` as "+0.07 (+8.2%)", rounded so float noise never shows.

    The difference is rounded to the most decimals either operand has in its
    shortest repr (0.92 - 0.85 -> 0.07), then shown with at most `digits`
    significant digits. A nonzero difference never reads as 0; zero reads "0".
    Returns "" when either side is not a finite number.
    """
    base, value = float(base), float(value)
    if not (math.isfinite(base) and math.isfinite(value)):
        return ""
    delta = value - base
    if not math.isfinite(delta):
        return ""
    if delta == 0:
        return "0"
    rounded = round(delta, max(_decimals(base), _decimals(value)))
    if rounded == 0:  # only for operands too close for their reprs; keep the true value
        rounded = delta
    return _signed(_format_number(rounded, digits), rounded) + _percent_text(delta, base)


def _duration_delta_text(base: float, value: float) -> str:
    """ "+1m 05s (+12%)" for a duration difference in seconds."""
    delta = value - base
    if delta == 0:
        return "0"
    return ("+" if delta > 0 else "-") + format_duration(abs(delta) * 1000) + _percent_text(delta, base)


# --------------------------------------------------------------------------- math


def _to_float(value: object) -> float | None:
    """A metric value as float (±inf as logged, not as SQL stores keep it); None when absent or not a number."""
    if value is None:
        return None
    try:
        return as_logged(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _parse_number(value: object) -> float | None:
    """A param that looks like a decimal literal ("0.01", "1e-3", "100") as float, else None."""
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > 400 or not _NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def _deltas(frame: pd.DataFrame) -> pd.DataFrame:
    """Column-wise difference from column 0, NaN wherever either side is not finite."""
    import numpy as np

    with np.errstate(all="ignore"):
        values = frame.astype(float)
        deltas = values.sub(values[0], axis=0)
    array = values.to_numpy()
    usable = np.isfinite(array) & np.isfinite(array[:, :1]) & np.isfinite(deltas.to_numpy())
    return deltas.where(usable)


def _verdict(delta: float, lower_is_better: bool) -> str:
    """Whether a change vs the baseline is good news for this metric's direction."""
    if delta == 0:
        return "same"
    return "better" if (delta < 0) == lower_is_better else "worse"


def _same(values: Sequence[object]) -> bool:
    """All values identical, NaN equal to NaN, missing equal only to missing."""
    first = values[0]
    for other in values[1:]:
        if first is None or other is None:
            if first is not other:
                return False
        elif isinstance(first, float) and isinstance(other, float) and math.isnan(first) and math.isnan(other):
            continue
        elif first != other:
            return False
    return True


def _clean_or_missing(value: object) -> str:
    """Display text for a string value: one line, MISSING when absent."""
    return MISSING if value is None else clean(value)


# --------------------------------------------------------------------------- sections


def _metric_rows(
    runs: list[Run], options: DiffOptions, best_values: Mapping[str, Mapping[str, float]] | None
) -> list[DiffRow]:
    import numpy as np
    import pandas as pd

    best = best_values if options.value_mode == "best" and best_values else {}
    keys = sorted(
        {key for run in runs for key in run.metrics} | {key for run in runs for key in best.get(run.run_id, {})}
    )
    if not keys:
        return []
    columns: list[list[float | None]] = []
    for run in runs:
        run_best = best.get(run.run_id) or {}
        column = []
        for key in keys:
            value = _to_float(run_best.get(key)) if key in run_best else None
            column.append(value if value is not None else _to_float(run.metrics.get(key)))
        columns.append(column)
    frame = pd.DataFrame(
        {i: [np.nan if v is None else v for v in col] for i, col in enumerate(columns)}, index=keys, dtype=float
    )
    deltas = _deltas(frame)
    lower = pd.Series([is_lower_better(k, options.lower_is_better, options.flipped) for k in keys], index=keys)
    finite = frame.where(np.isfinite(frame))
    best_value = finite.min(axis=1).where(lower, finite.max(axis=1))
    is_best = finite.eq(best_value, axis=0).to_numpy()
    deltas = deltas.to_numpy()
    lower = lower.to_numpy()

    rows = []
    for r, key in enumerate(keys):
        values = [col[r] for col in columns]
        digits = _row_digits(values)
        texts = [MISSING if v is None else _format_number(v, digits) for v in values]
        base = values[0]
        cells = []
        for i, value in enumerate(values):
            delta = None if i == 0 else deltas[r, i]
            if delta is None or math.isnan(delta):
                cells.append(DiffCell(value, texts[i], None, "", None, bool(is_best[r, i])))
                continue
            assert base is not None and value is not None
            cells.append(
                DiffCell(
                    value,
                    texts[i],
                    float(delta),
                    format_delta(base, value, digits=digits),
                    _verdict(delta, bool(lower[r])),
                    bool(is_best[r, i]),
                )
            )
        rows.append(DiffRow("metrics", key, cells, not _same(values), bool(lower[r])))
    return rows


def _string_rows(
    section: str, runs: list[Run], mappings: Sequence[Mapping[str, object]], numeric: bool
) -> list[DiffRow]:
    """Side-by-side strings; `numeric` adds deltas between values that look like numbers."""
    keys = sorted({key for mapping in mappings for key in mapping})
    if not keys:
        return []
    raws = [[mapping.get(key) for mapping in mappings] for key in keys]
    deltas = None
    if numeric:
        import pandas as pd

        parsed = pd.DataFrame(
            [[_parse_number(v) for v in row] for row in raws], index=keys, columns=range(len(runs)), dtype=float
        )
        deltas = _deltas(parsed).to_numpy()
    rows = []
    for r, key in enumerate(keys):
        cells = []
        for i, raw in enumerate(raws[r]):
            delta = None if deltas is None or i == 0 else deltas[r, i]
            if delta is None or math.isnan(delta):
                cells.append(DiffCell(raw, _clean_or_missing(raw), None, "", None))  # type: ignore[arg-type]
            else:
                text = format_delta(_parse_number(raws[r][0]), _parse_number(raw))  # type: ignore[arg-type]
                cells.append(DiffCell(raw, clean(raw), float(delta), text, None))  # type: ignore[arg-type]
        rows.append(DiffRow(section, key, cells, not _same(raws[r]), None))
    return rows


def _info_rows(runs: list[Run]) -> list[DiffRow]:
    """Run attributes worth comparing: where, when, how long, by whom, from which commit."""

    def row(key: str, raws: Sequence[object], texts: list[str]) -> DiffRow:
        cells = [DiffCell(raw, text, None, "", None) for raw, text in zip(raws, texts)]  # type: ignore[arg-type]
        return DiffRow("info", key, cells, not _same(raws), None)

    def text_row(key: str, raws: list[str | None]) -> DiffRow:
        raws = [raw or None for raw in raws]
        return row(key, raws, [_clean_or_missing(raw) for raw in raws])

    durations = [None if run.duration_ms is None else run.duration_ms / 1000 for run in runs]
    duration = row("duration", durations, [MISSING if d is None else format_duration(d * 1000) for d in durations])
    base = durations[0]
    for cell, value in zip(duration.cells[1:], durations[1:]):
        if base is not None and value is not None:
            cell.delta = value - base
            cell.delta_text = _duration_delta_text(base, value)

    commits = [run.tags.get(GIT_COMMIT_TAG) or None for run in runs]
    rows = [
        text_row("status", [run.status for run in runs]),
        duration,
        row(
            "start time",
            [run.start_time for run in runs],
            [format_timestamp(run.start_time) or MISSING for run in runs],
        ),
        text_row("user", [run.user or run.tags.get(USER_TAG) for run in runs]),
        text_row("source", [run.tags.get(SOURCE_TAG) for run in runs]),
        row("git commit", commits, [MISSING if c is None else clean(c)[:10] for c in commits]),
    ]
    return sorted(rows, key=lambda r: r.key)


def _missing(runs: list[Run]) -> dict[str, list[str]]:
    """Metric keys each run lacks that some other run has (latest values decide presence)."""
    all_keys = {key for run in runs for key in run.metrics}
    missing = _MissingMap()
    for run in runs:
        lacking = sorted(all_keys - run.metrics.keys())
        if lacking:
            missing[run.run_id] = lacking
    return missing


def _unique_runs(runs: Sequence[Run]) -> list[Run]:
    """Runs without repeated ids, so a run passed twice is summarised once."""
    seen: set[str] = set()
    unique = []
    for run in runs:
        if run.run_id not in seen:
            seen.add(run.run_id)
            unique.append(run)
    return unique


def build_diff(
    runs: Sequence[Run],
    baseline_id: str | None = None,
    options: DiffOptions = DiffOptions(),
    best_values: Mapping[str, Mapping[str, float]] | None = None,
) -> DiffResult:
    """Compare runs against a baseline, section by section.

    `baseline_id` None (or not among `runs`) means the first run. In "best"
    value mode `best_values[run_id][key]` replaces the latest value where present.
    """
    unknown = [s for s in options.sections if s not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown diff section(s): {', '.join(map(repr, unknown))}; expected {SECTIONS}")
    if options.value_mode not in VALUE_MODES:
        raise ValueError(f"unknown value mode {options.value_mode!r}; expected one of {VALUE_MODES}")
    if not runs:
        return DiffResult([], baseline_id or "", [], 0, _MissingMap(), options)

    index = next((i for i, run in enumerate(runs) if run.run_id == baseline_id), 0)
    ordered = [runs[index], *runs[:index], *runs[index + 1 :]]

    all_rows: list[DiffRow] = []
    for section in dict.fromkeys(options.sections):
        if section == "metrics":
            all_rows += _metric_rows(ordered, options, best_values)
        elif section == "params":
            all_rows += _string_rows("params", ordered, [run.params for run in ordered], numeric=True)
        elif section == "tags":
            tags = [
                {k: v for k, v in run.tags.items() if options.show_system_tags or not k.startswith(SYSTEM_TAG_PREFIX)}
                for run in ordered
            ]
            all_rows += _string_rows("tags", ordered, tags, numeric=False)
        else:
            all_rows += _info_rows(ordered)

    rows = [row for row in all_rows if row.changed] if options.changed_only else all_rows
    return DiffResult(ordered, ordered[0].run_id, rows, len(all_rows) - len(rows), _missing(ordered), options)
