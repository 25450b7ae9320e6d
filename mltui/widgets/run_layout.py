"""When the run list lays its rows out again: on the spot, later, or in a thread.

Nesting, grouping and local sorts need every loaded run. Doing that for each
streamed page would make a long load quadratic, and doing it for 100,000 runs
on the UI thread would freeze the keys, so this decides when and where.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any, NamedTuple, Protocol

from mltui.models import Run
from mltui.runview import GroupRow, Row, RunRow, RunTree, end_of_children, layout_rows
from mltui.widgets.virtual_table import VirtualTable

REBUILD_EVERY = 2.0  # seconds at least between tree/group rebuilds while pages stream in
REBUILD_SHARE = 0.1  # and at most this share of the time spent rebuilding (big sweeps)


class LayoutInputs(NamedTuple):
    """A snapshot of what `layout_rows` needs, safe to hand to a thread."""

    runs: list[Run]
    sort: tuple[str, bool] | None
    group_by: str | None
    expanded: set[str]
    collapsed: set[str]


class LayoutHost(Protocol):
    """The run list as the scheduler sees it."""

    runs: dict[str, Run]
    fetching: bool

    @property
    def table(self) -> VirtualTable: ...

    def layout_order(self) -> tuple[list[Run], tuple[str, bool] | None, str | None]: ...

    def show_rows(self, rows: list[Row]) -> None: ...

    def show_unplaced(self, runs: list[Run]) -> None: ...

    def run_worker(
        self, work: Coroutine[Any, Any, None], *, group: str = ..., description: str = ..., exclusive: bool = ...
    ) -> object: ...

    def call_later(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool: ...


class RunLayout:
    """Lays the host's runs out, keeping the UI responsive while pages stream in.

    `stale` means some loaded runs are not yet in tree/group order; `pending`
    means a layout is computing in a thread. A bumped `generation` tells a
    thread that finishes late that its result is out of date.
    """

    def __init__(self, host: LayoutHost, threaded_from: int) -> None:
        self.host = host
        self.threaded_from = threaded_from  # runs; smaller lists re-nest in a few ms on the spot
        self.tree: RunTree | None = None  # parents and children as of the last layout
        self.expanded: set[str] = set()  # groups shown open (they start folded)
        self.collapsed: set[str] = set()  # parent runs shown folded (they start open)
        self.stale = False
        self.pending = False
        self.generation = 0
        self.last_rebuild = 0.0
        self.cost = 0.0  # seconds the last layout took

    @property
    def placed(self) -> bool:
        """Every shown row is where the last layout put it."""
        return not (self.stale or self.pending)

    def inputs(self) -> LayoutInputs:
        runs, sort, group_by = self.host.layout_order()
        return LayoutInputs(runs, sort, group_by, set(self.expanded), set(self.collapsed))

    def reset(self) -> None:
        """The list was emptied: forget the tree and any layout in flight."""
        self.tree = None
        self.generation += 1
        self.pending = False

    def take_page(self, runs: list[Run]) -> None:
        """A page that cannot simply be appended arrived: place it now or soon."""
        soon = self.pending or time.monotonic() - self.last_rebuild < self._pause()
        if self.host.fetching and soon:
            self.stale = True  # placed at the next layout or at the end of the load
        else:
            self.relayout()
        if not self.placed:  # not in place yet: show it meanwhile
            self.host.show_unplaced(runs)

    def rebuild_now(self) -> None:
        """Lay every loaded run out again (sort, groups, tree), right now."""
        self.stale = False
        self.last_rebuild = started = time.monotonic()
        rows, tree = layout_rows(*self.inputs())
        self._show(rows, tree)
        self.cost = time.monotonic() - started

    def relayout(self, now: bool = False) -> None:
        """Lay the rows out again: on the spot when few, else in a thread so keys keep flowing.

        `now` (the user chose a sort or a grouping) supersedes a layout already
        computing; otherwise one in flight is left to finish and the rest waits.
        """
        if len(self.host.runs) < self.threaded_from or not self.host.table.row_count:
            self.rebuild_now()  # small, or the first rows: show them now
        elif self.pending and not now:
            self.stale = True
        else:
            self.stale = False
            self.generation += 1
            self.pending = True
            # A fixed description: Textual would otherwise repr() every run passed in.
            self.host.run_worker(
                self._in_thread(self.generation, self.inputs()),
                group="layout",
                description="lay out the run list",
                exclusive=True,
            )

    def fold(self) -> None:
        """Fold or unfold the highlighted parent run or group, splicing only its rows."""
        table = self.host.table
        index, row = table.cursor_row, table.cursor_row_object
        if isinstance(row, GroupRow):
            self.expanded ^= {row.key}
            row.collapsed = row.key not in self.expanded
        elif isinstance(row, RunRow) and row.children:
            self.collapsed ^= {row.run.run_id}
            row.collapsed = row.run.run_id in self.collapsed
        else:
            return
        if not self.placed or (isinstance(row, RunRow) and self.tree is None):
            self.rebuild_now()  # rows from before the latest pages: place those too
            return
        beneath: list[Row] = []
        if not row.collapsed and isinstance(row, GroupRow):
            beneath = [RunRow(run, depth=1) for run in row.members]
        elif not row.collapsed and self.tree is not None:
            beneath = list(self.tree.subtree(row.run, row.depth, self.collapsed))
        table.invalidate([row.key])
        table.splice(index + 1, end_of_children(table.rows, index), beneath)

    def _show(self, rows: list[Row], tree: RunTree | None) -> None:
        self.generation += 1  # a layout still computing in a thread is now out of date
        self.pending = False
        self.tree = tree
        self.host.show_rows(rows)

    async def _in_thread(self, generation: int, inputs: LayoutInputs) -> None:
        self.last_rebuild = started = time.monotonic()
        try:
            rows, tree = await asyncio.to_thread(layout_rows, *inputs)
        finally:
            if generation == self.generation:
                self.pending = False
        self.cost = time.monotonic() - started
        if generation != self.generation:
            return  # the list was reset or laid out again meanwhile
        self._show(rows, tree)
        newer = list(self.host.runs.values())[len(inputs.runs) :]
        self.stale = bool(newer)
        if newer:  # pages that arrived while the thread worked: shown, put in place next time
            self.host.show_unplaced(newer)
            if not self.host.fetching:
                self.host.call_later(self.relayout)  # once this worker is done

    def _pause(self) -> float:
        """Seconds to wait between layouts while streaming: longer as they get costly."""
        return max(REBUILD_EVERY, self.cost / REBUILD_SHARE)
