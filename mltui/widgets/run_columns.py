"""The run list's columns: which ones show, how wide, and what the pickers offer."""

from __future__ import annotations

from collections.abc import Sequence

from mltui.models import Experiment
from mltui.runview import CellContext, Row, cell_text, column_label
from mltui.text import clean
from mltui.widgets.virtual_table import Column

FIXED_WIDTHS = {"tick": 1, "name": 28, "experiment": 22, "status": 8, "start": 16, "duration": 8}
MAX_VALUE_WIDTH = 24
MAX_NAME_WIDTH = 40
SAMPLE_ROWS = 300  # widths come from the first rows: measuring 100,000 would stall the UI

Keys = dict[str, set[str]]  # "m", "p", "t" -> every metric, param, tag key seen


def choice_key(experiments: Sequence[Experiment]) -> str:
    """Where the user's column choice for these experiments is kept in the config."""
    return ",".join(sorted(e.experiment_id for e in experiments))


def visible_columns(experiments: Sequence[Experiment], keys: Keys, chosen: Sequence[str] | None) -> list[str]:
    """The fixed columns, then the chosen ones (every metric until the user chooses)."""
    fixed = ["tick", "name"] + (["experiment"] if len(experiments) > 1 else []) + ["status", "start", "duration"]
    if chosen is None:
        return fixed + [f"m:{k}" for k in sorted(keys["m"])]
    return fixed + list(chosen)


def table_columns(columns: Sequence[str], sample: Sequence[Row], ctx: CellContext, grouped: bool) -> list[Column]:
    """Columns as wide as their label and the sampled cells, within bounds."""
    result = []
    for key in columns:
        label = column_label(key)
        if key in FIXED_WIDTHS:
            width = max(FIXED_WIDTHS[key], len(label))
            if key == "name" and sample:
                width = min(MAX_NAME_WIDTH, max(width, *(len(cell_text(r, key, ctx)[0]) for r in sample)))
        else:
            values = [len(cell_text(r, key, ctx)[0]) for r in sample]
            limit = MAX_VALUE_WIDTH + (12 if grouped else 0)  # group cells hold "mean (min–max)"
            width = min(limit, max([len(label), 6, *values]))
        justify = "right" if key.startswith("m:") else "left"
        result.append(Column(key, clean(label, max_len=60), width, justify))
    return result


def group_options(keys: Keys) -> list[tuple[str, str]]:
    """What runs can be grouped by: no grouping, a param, or a tag of the user's own."""
    return (
        [("", "(no grouping)")]
        + [(f"p:{k}", f"param {k}") for k in sorted(keys["p"])]
        + [(f"t:{k}", f"tag {k}") for k in sorted(keys["t"]) if not k.startswith("mlflow.")]
    )


def column_options(keys: Keys, current: Sequence[str]) -> list[tuple[str, str, bool]]:
    """Every metric, param and tag column, ticked when shown now."""
    shown = set(current)
    return [
        (f"{p}:{k}", f"{kind} {k}", f"{p}:{k}" in shown)
        for p, kind in (("m", "metric"), ("p", "param"), ("t", "tag"))
        for k in sorted(keys[p])
    ]
