"""One run in full, shown in the diff pane while fewer than two runs are ticked.

Metrics (latest value and step count), params, tags, the description, dataset
inputs, parent and children, as rows of a table: every value can be opened
whole with Enter and copied with `y`. The description is shown as plain text
with its headings in bold: nothing in it is followed, run or parsed as markup.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections import OrderedDict
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from mltui.diff import SYSTEM_TAG_PREFIX, format_values
from mltui.formatting import format_duration, format_timestamp
from mltui.models import NOTE_TAG, Run, RunDetail, StoreError
from mltui.sources import RunDetailSource
from mltui.text import clean, literal, strip_control
from mltui.widgets.virtual_table import GAP, Column, VirtualTable

SETTLE_SECONDS = 0.15  # a highlight that moves on within this loads nothing
CACHE_RUNS = 64
KEY_WIDTH = (8, 32)
EXTRA_WIDTH = 12
MIN_TEXT_WIDTH = 24


@dataclass(slots=True)
class DetailLine:
    """One row: a section title (`title`) or a label with its value and a note (steps, context, id)."""

    key: str
    section: str
    label: str = ""
    value: str = ""
    extra: str = ""
    style: str = ""
    whole: str | None = None  # the value the popup shows, when it is more than `value`
    is_title: bool = False  # a section title, drawn across the row


def _heading(line: str) -> tuple[str, str]:
    """A Markdown line as plain text and a style: headings bold, bullets as •."""
    stripped = line.lstrip()
    if stripped.startswith("#"):
        return stripped.lstrip("#").strip(), "bold"
    if stripped[:2] in ("- ", "* ", "+ "):
        return " " * (len(line) - len(stripped)) + "• " + stripped[2:], ""
    return line, ""


def note_lines(note: str, width: int) -> list[tuple[str, str]]:
    """The description wrapped to `width`, one (text, style) per line; code blocks dim and unwrapped."""
    lines: list[tuple[str, str]] = []
    in_code = False
    for raw in strip_control(note, keep_newlines=True).splitlines():
        if raw.strip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            lines.append((raw, "dim"))
            continue
        text, style = _heading(raw)
        wrapped = textwrap.wrap(text, max(8, width), subsequent_indent="  ") or [""]
        lines.extend((part, style) for part in wrapped)
    return lines


def detail_lines(
    run: Run, detail: RunDetail | None, show_system: bool, collapsed: set[str], text_width: int
) -> list[DetailLine]:
    """Every row of the detail view, sections in the order people look for them."""
    sections: list[tuple[str, str, list[DetailLine]]] = []
    note = run.tags.get(NOTE_TAG, "")
    if note:
        rows = [
            DetailLine(f"note:{i}", "note", "", text, style=style, whole=note)
            for i, (text, style) in enumerate(note_lines(note, text_width))
        ]
        sections.append(("note", "Description", rows))
    lineage = _lineage(run, detail)
    if lineage:
        sections.append(("lineage", "Parent and children", lineage))
    steps = detail.metric_steps if detail else {}
    keys = sorted(run.metrics)
    texts = format_values([run.metrics[k] for k in keys])
    metrics = [
        DetailLine(f"m:{k}", "metrics", clean(k), t, _steps(steps, k, detail is not None), whole=repr(run.metrics[k]))
        for k, t in zip(keys, texts)
    ]
    sections.append(("metrics", "Metrics", metrics))
    params = [DetailLine(f"p:{k}", "params", clean(k), clean(v), whole=v) for k, v in sorted(run.params.items())]
    sections.append(("params", "Params", params))
    if detail and detail.datasets:
        datasets = [
            DetailLine(
                f"ds:{i}", "datasets", clean(d.name), f"{d.digest} · {d.source_type}", clean(d.context), "", d.source
            )
            for i, d in enumerate(detail.datasets)
        ]
        sections.append(("datasets", "Datasets", datasets))
    tags = sorted((k, v) for k, v in run.tags.items() if k != NOTE_TAG)
    shown = [(k, v) for k, v in tags if show_system or not k.startswith(SYSTEM_TAG_PREFIX)]
    hidden = len(tags) - len(shown)
    title = "Tags" + (f" (+{hidden} system: press .)" if hidden else "")
    sections.append(("tags", title, [DetailLine(f"t:{k}", "tags", clean(k), clean(v), whole=v) for k, v in shown]))
    lines: list[DetailLine] = []
    for section, name, rows in sections:
        folded = section in collapsed
        lines.append(
            DetailLine(f"section:{section}", section, f"{'▸' if folded else '▾'} {name} ({len(rows)})", is_title=True)
        )
        if not folded:
            lines.extend(rows)
    return lines


def _steps(steps: dict[str, int | None], key: str, loaded: bool) -> str:
    if not loaded:
        return "…"
    count = steps.get(key)
    return "? steps" if count is None else f"{count} step{'s' if count != 1 else ''}"


def _lineage(run: Run, detail: RunDetail | None) -> list[DetailLine]:
    rows = []
    parent = detail.parent if detail else None
    if parent is not None:
        rows.append(
            DetailLine(
                "parent",
                "lineage",
                "parent",
                clean(parent.name) or "(unreadable)",
                parent.short_id,
                whole=parent.run_id,
            )
        )
    elif run.parent_id:
        rows.append(DetailLine("parent", "lineage", "parent", "…", run.parent_id[:8], whole=run.parent_id))
    for child in detail.children if detail else []:
        rows.append(
            DetailLine(
                f"child:{child.run_id}", "lineage", "child", clean(child.name), child.short_id, whole=child.run_id
            )
        )
    if detail and detail.more_children:
        rows.append(DetailLine("child:more", "lineage", "child", "… more children not listed", style="dim"))
    return rows


def detail_cell(line: DetailLine, column: Column) -> tuple[str, str]:
    if line.is_title:
        return (f" {line.label} ", "bold reverse") if column.key in ("label", VirtualTable.TITLE.key) else ("", "")
    if column.key == "label":
        return line.label, "cyan" if line.section == "metrics" else ""
    if column.key == "value":
        return line.value, line.style
    return line.extra, "dim"


def detail_value(line: DetailLine, column: Column) -> tuple[str, str]:
    """What Enter shows: the whole value (the whole note on a description line)."""
    if line.section == "note":
        return "Description", line.whole or line.value
    if column.key == "label":
        return f"{line.section} key", line.label
    if column.key == "extra":
        return f"{line.label} · {line.section}", line.extra
    return f"{line.section}: {line.label}", line.whole if line.whole is not None else line.value


class RunDetailView(Vertical):
    """The highlighted run's own data; loaded in an exclusive worker so fast moves cancel stale loads."""

    BINDINGS = [
        Binding("enter", "select", "Fold/whole value", show=False),
        Binding("L", "logged_models", "Logged models"),
    ]

    class LoggedModelsRequested(Message):
        """`L`: list the MLflow 3 logged models of this run's experiment (in the versions pane)."""

        def __init__(self, experiment_id: str) -> None:
            super().__init__()
            self.experiment_id = experiment_id

    DEFAULT_CSS = """
    RunDetailView #detail-title { height: auto; max-height: 2; padding: 0 1; }
    """

    def __init__(self, source: RunDetailSource, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        self.run: Run | None = None
        self.detail: RunDetail | None = None
        self.show_system_tags = False
        self.collapsed: set[str] = set()
        self._cache: OrderedDict[str, RunDetail] = OrderedDict()

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield VirtualTable(detail_cell, fixed_columns=1, full_value=detail_value, id="detail-table")

    def on_mount(self) -> None:
        self.show(None)

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#detail-table", VirtualTable)

    def show(self, run: Run | None) -> None:
        """Show `run` at once from what the run list holds, then load the rest."""
        if run is None:
            self.run = self.detail = None
            self.workers.cancel_group(self, "run-detail")
            self.query_one("#detail-title", Static).update(Text("Highlight a run to see it here.", style="dim"))
            self.table.set_columns([])
            self.table.set_rows([], keep_cursor=False)
            return
        same = self.run is not None and self.run.run_id == run.run_id
        self.run = run
        self.detail = self._cache.get(run.run_id)
        self._show_lines(keep_cursor=same)
        if self.detail is None:
            self.load(run.run_id)

    @work(exclusive=True, group="run-detail", exit_on_error=False)
    async def load(self, run_id: str) -> None:
        await asyncio.sleep(SETTLE_SECONDS)  # the highlight may move on: then this load is cancelled
        try:
            detail = await self.source.run_detail(run_id)
        except StoreError as exc:
            self.query_one("#detail-title", Static).update(literal(f"Could not load the run: {exc}", "red"))
            return
        self._cache[run_id] = detail
        while len(self._cache) > CACHE_RUNS:
            self._cache.popitem(last=False)
        if self.run is not None and self.run.run_id == run_id:
            self.detail = detail
            self.run = detail.run
            self._show_lines(keep_cursor=True)

    def rerender(self) -> None:
        if self.run is not None:
            self._show_lines(keep_cursor=True)

    def toggle_system_tags(self) -> None:
        self.show_system_tags = not self.show_system_tags
        self.rerender()

    def _show_lines(self, keep_cursor: bool) -> None:
        run = self.run
        assert run is not None
        self.query_one("#detail-title", Static).update(self._title(run))
        width = self.size.width or 80
        lines = detail_lines(run, self.detail, self.show_system_tags, self.collapsed, MIN_TEXT_WIDTH)
        key_width = max(
            KEY_WIDTH[0],
            min(KEY_WIDTH[1], max((cell_len(line.label) for line in lines if not line.is_title), default=0)),
        )
        extra = min(EXTRA_WIDTH, max((cell_len(line.extra) for line in lines), default=0))
        text_width = max(MIN_TEXT_WIDTH, width - key_width - extra - 3 * GAP - 1)
        lines = detail_lines(run, self.detail, self.show_system_tags, self.collapsed, text_width)
        value_width = min(text_width, max([8, *(cell_len(line.value) for line in lines)]))
        self.table.set_columns(
            [
                Column("label", "Key", key_width),
                Column("value", "Value", value_width),
                Column("extra", "", max(extra, 1)),
            ]
        )
        self.table.set_rows(lines, keep_cursor=keep_cursor)

    def _title(self, run: Run) -> Text:
        text = literal(run.name, "bold", max_len=120)
        text.append(f"  {run.short_id} · ", style="dim")
        text.append("deleted" if run.deleted else run.status, style="red" if run.deleted else "")
        when = format_timestamp(run.start_time)
        if when:
            text.append(f" · {when}", style="dim")
        duration = format_duration(run.duration_ms)
        if duration:
            text.append(f" · {duration}", style="dim")
        if run.user:
            text.append_text(literal(f" · {run.user}", "dim", max_len=60))
        return text

    def action_logged_models(self) -> None:
        if self.run is not None:
            self.post_message(self.LoggedModelsRequested(self.run.experiment_id))

    def action_select(self) -> None:
        """Fold a section on its title row; elsewhere, show the whole value."""
        line = self.table.cursor_row_object
        if isinstance(line, DetailLine) and line.is_title:
            self.collapsed ^= {line.section}
            self.rerender()
        else:
            self.table.action_show_value()

    def on_resize(self) -> None:
        self.rerender()
