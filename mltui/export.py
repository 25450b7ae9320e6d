"""Write a DiffResult as Markdown, CSV or JSON, so a comparison can leave the terminal.

Markdown and CSV carry the display strings the user saw; JSON carries the raw,
full-precision values for scripts (non-finite floats become null; json escapes
every non-ASCII character, so bidi controls stay visible as `\u202e`).

Every text cell passes through `clean`: bidi and zero-width characters show as
`⟪U+202E⟫`. CSV cells a spreadsheet would run as a formula (leading `=`, `+`,
`-`, `@`, tab or CR) get a leading `'`, as OWASP recommends for CSV injection;
the numbers this module itself writes (`-0.07`, `+0.07 (+8.2%)`, `-1m 05s`, `-inf`)
are left as they are, since they hold no function call and must stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re

from mltui.diff import DiffResult, DiffRow, run_label
from mltui.text import clean

EXTENSIONS: dict[str, str] = {"markdown": "md", "csv": "csv", "json": "json"}
_ALIASES: dict[str, str] = {"md": "markdown"}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = r"(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|inf|nan"
_DURATION = r"<?\d+(?:\.\d+)?(?:ms|s|m|h|d)(?: \d+(?:ms|s|m|h|d))?"
# A value as diff.py formats it: a signed number or duration, then maybe "(+8.2%)".
_NUMERIC_CELL = re.compile(rf"[+-]?(?:{_NUMBER}|{_DURATION})(?: \([+-]?(?:{_NUMBER})%\))?")


def _header(result: DiffResult) -> list[str]:
    """`section`, `key`, then a value column per run and a `Δ name` column per non-baseline run."""
    columns = ["section", "key"]
    for i, run in enumerate(result.runs):
        columns.append(f"{run_label(run)} ({run.short_id})")
        if i:
            columns.append(f"Δ {run_label(run)}")
    return columns


def _cells(row: DiffRow) -> list[str]:
    """One row's display strings in header order, each made printable."""
    cells = [row.section, row.key]
    for i, cell in enumerate(row.cells):
        cells.append(cell.text)
        if i:
            cells.append(cell.delta_text)
    return [clean(c, max_len=None) for c in cells]


def csv_safe(text: str) -> str:
    """Prefix `'` to a cell a spreadsheet would evaluate as a formula; plain numbers pass."""
    if text.startswith(_FORMULA_START) and not _NUMERIC_CELL.fullmatch(text):
        return "'" + text
    return text


def _md_cell(text: str) -> str:
    """Escape the one character that would split a Markdown table cell."""
    return text.replace("|", "\\|")


def to_markdown(result: DiffResult) -> str:
    """A pipe table headed by the baseline, value mode and any missing metrics."""
    lines = []
    if result.runs:
        base = result.runs[0]
        lines.append(f"Baseline: {_md_cell(run_label(base))} ({base.short_id}) · values: {result.options.value_mode}")
    else:
        lines.append(f"No runs to compare · values: {result.options.value_mode}")
    summary = result.missing_summary()
    if summary:
        lines.append(_md_cell(summary))
    if result.hidden:
        lines.append(f"{result.hidden} unchanged row{'s' if result.hidden != 1 else ''} hidden")
    lines.append("")
    header = _header(result)
    lines.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
    lines.append("|" + "|".join(" --- " for _ in header) + "|")
    for row in result.rows:
        lines.append("| " + " | ".join(_md_cell(c) for c in _cells(row)) + " |")
    return "\n".join(lines) + "\n"


def to_csv(result: DiffResult) -> str:
    """A header row and one row per diff row, holding the display strings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_safe(clean(h, max_len=None)) for h in _header(result)])
    writer.writerows([csv_safe(c) for c in _cells(row)] for row in result.rows)
    return buffer.getvalue()


def _json_value(value: object) -> object:
    """NaN and ±inf have no JSON spelling: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(result: DiffResult) -> str:
    """Strict JSON with raw values and full-precision deltas, keyed by run id."""
    document = {
        "baseline": result.baseline_id,
        "value_mode": result.options.value_mode,
        "runs": [{"run_id": r.run_id, "name": r.name, "experiment_id": r.experiment_id} for r in result.runs],
        "rows": [
            {
                "section": row.section,
                "key": row.key,
                "changed": row.changed,
                "values": {run.run_id: _json_value(cell.raw) for run, cell in zip(result.runs, row.cells)},
                "deltas": {run.run_id: _json_value(cell.delta) for run, cell in zip(result.runs, row.cells)},
            }
            for row in result.rows
        ],
        "hidden": result.hidden,
        "missing": dict(result.missing),
    }
    return json.dumps(document, indent=2, allow_nan=False, default=str) + "\n"


def export(result: DiffResult, fmt: str) -> str:
    """Dispatch on "markdown"/"md", "csv" or "json"; ValueError names the choices otherwise."""
    name = _ALIASES.get(fmt.lower(), fmt.lower())
    if name == "markdown":
        return to_markdown(result)
    if name == "csv":
        return to_csv(result)
    if name == "json":
        return to_json(result)
    raise ValueError(f"unknown export format {fmt!r}; expected markdown, md, csv or json")
