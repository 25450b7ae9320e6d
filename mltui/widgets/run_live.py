"""The run list's live mode (`w`): refresh RUNNING runs and add runs started since the list loaded.

Kept apart from the list: a timer, one store round trip per tick, and the
rule that a refresh which returns after the list changed is dropped.
"""

from __future__ import annotations

from typing import Any, Protocol

from textual.timer import Timer

from mltui.models import Experiment, Run, StoreError
from mltui.sources import RunSource


class LiveHost(Protocol):
    """The run list as live mode sees it."""

    runs: dict[str, Run]
    experiments: list[Experiment]
    lookup: str | None
    filter_string: str
    show_deleted: bool
    fetching: bool
    newest_start: int

    def replace_runs(self, fresh: list[Run]) -> None: ...

    def add_new_runs(self, new: list[Run]) -> None: ...

    def live_failed(self, message: str) -> None: ...

    def set_interval(self, interval: float, callback: Any) -> Timer: ...

    def run_worker(self, work: Any, *, group: str = ..., exclusive: bool = ..., description: str = ...) -> object: ...


class LiveRefresh:
    """Every `interval` seconds while on: the list's RUNNING runs in place, and new runs at the top."""

    def __init__(self, host: LiveHost, source: RunSource, interval: float) -> None:
        self.host = host
        self.source = source
        self.interval = interval
        self.timer: Timer | None = None

    @property
    def on(self) -> bool:
        return self.timer is not None

    def toggle(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        else:
            self.timer = self.host.set_interval(self.interval, self.refresh)

    def refresh(self) -> None:
        self.host.run_worker(self._refresh(), group="live", exclusive=True, description="live refresh")

    async def _refresh(self) -> None:
        host = self.host
        if host.fetching or not host.experiments or host.lookup is not None:
            return
        ids = [e.experiment_id for e in host.experiments]
        running = [run.run_id for run in host.runs.values() if run.status == "RUNNING"]
        try:
            fresh = await self.source.refresh_runs(ids, running)
            started = await self.source.runs_since(
                ids, host.newest_start, host.filter_string, include_deleted=host.show_deleted
            )
        except StoreError as exc:
            host.live_failed(f"live refresh: {exc}")
            return
        if host.fetching or host.lookup is not None or [e.experiment_id for e in host.experiments] != ids:
            return  # the list changed meanwhile: these runs belong to another one
        host.replace_runs(fresh)
        host.add_new_runs([run for run in started if run.run_id not in host.runs])
