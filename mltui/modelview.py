"""What the Models views show: tree labels, and the rows and cells of the versions list.

Pure: plain functions over `mltui.models` data, so the widgets only display.
Every name, alias, tag and description is untrusted and goes through `clean`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mltui.formatting import format_number, format_time
from mltui.models import LoggedModel, ModelVersion, RegisteredModel
from mltui.text import clean

MAX_METRIC_COLUMNS = 40
WIDTH_BOUNDS = (4, 36)


@dataclass(slots=True)
class VersionRow:
    version: ModelVersion

    @property
    def key(self) -> str:
        return "v:" + self.version.key

    @property
    def run_id(self) -> str:
        return self.version.run_id

    @property
    def experiment_id(self) -> str:
        return self.version.experiment_id


@dataclass(slots=True)
class LoggedRow:
    model: LoggedModel

    @property
    def key(self) -> str:
        return "m:" + self.model.model_id

    @property
    def run_id(self) -> str:
        return self.model.source_run_id

    @property
    def experiment_id(self) -> str:
        return self.model.experiment_id


ModelRow = VersionRow | LoggedRow

# The run comes early: on an 80-column screen it is what the user needs to see first.
VERSION_COLUMNS = ["tick", "version", "aliases", "run", "status", "created", "description", "tags"]
LOGGED_LEAD = ["tick", "name", "run"]
LOGGED_TAIL = ["status", "created", "type", "model_id"]
COLUMN_LABELS = {
    "tick": "",
    "version": "Version",
    "aliases": "Aliases",
    "status": "Status",
    "created": "Created",
    "run": "Source run",
    "description": "Description",
    "tags": "Tags",
    "name": "Name",
    "model_id": "Model id",
    "type": "Type",
}


def model_label_parts(model: RegisteredModel) -> list[tuple[str, str]]:
    """`churn-classifier  v7  @champion @challenger` as (text, style) parts; newest aliases first."""
    parts = [(clean(model.name, max_len=80), "")]
    if model.latest_version is not None:
        parts.append((f"  v{model.latest_version}", "dim"))
    if model.aliases:
        parts.append((" ", ""))
    for alias, _ in sorted(model.aliases.items(), key=lambda item: (-item[1], item[0])):
        parts.append((f" @{clean(alias, max_len=40)}", "magenta"))
    return parts


def model_label(model: RegisteredModel) -> str:
    return "".join(text for text, _ in model_label_parts(model))


def aliases_text(aliases: Iterable[str]) -> str:
    return " ".join(f"@{clean(alias, max_len=40)}" for alias in aliases)


def tags_text(tags: dict[str, str]) -> str:
    return ", ".join(f"{clean(k, max_len=40)}={clean(v, max_len=60)}" for k, v in sorted(tags.items()))


def run_ref(run_name: str, run_id: str) -> str:
    """`logreg-tuned 1a2b3c4d`, or what is known when the run is gone or was never logged."""
    if not run_id:
        return "—"
    return f"{clean(run_name, max_len=60) if run_name else '(run not found)'} {run_id[:8]}"


def version_cell(row: VersionRow, column: str, ticked: bool) -> tuple[str, str]:
    """Text and style of one cell of a version row."""
    v = row.version
    if column == "tick":
        return ("☑", "bold green") if ticked else ("☐", "dim")
    if column == "version":
        return v.label, "bold"
    if column == "aliases":
        return aliases_text(v.aliases), "magenta"
    if column == "status":
        return clean(v.status, max_len=20), "" if v.status in ("READY", "") else "yellow"
    if column == "created":
        return format_time(v.created), "dim"
    if column == "run":
        return run_ref(v.run_name, v.run_id), "" if v.run_name else "dim"
    if column == "description":
        return clean(v.description, max_len=200, first_line=True), ""
    if column == "tags":
        return tags_text(v.tags), "dim"
    return "", ""


def logged_columns(models: Sequence[LoggedModel]) -> list[str]:
    """Name and run, one column a metric (`metric:<key>`, sorted, at most MAX_METRIC_COLUMNS), then the rest."""
    keys = sorted({key for model in models for key in model.metrics})[:MAX_METRIC_COLUMNS]
    return LOGGED_LEAD + [f"metric:{key}" for key in keys] + LOGGED_TAIL


def logged_cell(row: LoggedRow, column: str, ticked: bool) -> tuple[str, str]:
    """Text and style of one cell of a logged-model row."""
    m = row.model
    if column == "tick":
        return ("☑", "bold green") if ticked else ("☐", "dim")
    if column == "name":
        return clean(m.name, max_len=80), "bold"
    if column == "model_id":
        return clean(m.model_id, max_len=40), "dim"
    if column == "status":
        return clean(m.status, max_len=20), "" if m.status == "READY" else "yellow"
    if column == "created":
        return format_time(m.created), "dim"
    if column == "run":
        return run_ref(m.run_name, m.source_run_id), "" if m.run_name else "dim"
    if column == "type":
        return clean(m.model_type, max_len=30), "dim"
    if column.startswith("metric:"):
        value = m.metrics.get(column[len("metric:") :])
        return format_number(value), ""
    return "", ""


def row_cell(row: ModelRow, column: str, ticked: bool) -> tuple[str, str]:
    if isinstance(row, VersionRow):
        return version_cell(row, column, ticked)
    return logged_cell(row, column, ticked)


def column_label(column: str) -> str:
    if column.startswith("metric:"):
        return clean(column[len("metric:") :], max_len=40)
    return COLUMN_LABELS.get(column, column)


def column_width(column: str, rows: Sequence[ModelRow], bounds: tuple[int, int] = WIDTH_BOUNDS) -> int:
    """Wide enough for the label and the longest cell, within `bounds` (the tick column is 1)."""
    if column == "tick":
        return 1
    longest = max([len(column_label(column)), *(len(row_cell(row, column, False)[0]) for row in rows)])
    return max(bounds[0], min(bounds[1], longest))


def diff_name(row: ModelRow, run_name: str, single_model: bool) -> str:
    """How the diff heads a ticked version's run: `v7 logreg-tuned`, or `churn v7 …` across models."""
    if isinstance(row, VersionRow):
        label = row.version.label if single_model else f"{row.version.name} {row.version.label}"
    else:
        label = row.model.name or row.model.model_id
    return f"{label} {run_name}".strip()
