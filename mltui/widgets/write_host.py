"""What a pane's write helper (`Triage`, `ModelEdits`) needs of the pane hosting it."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Protocol

from textual.app import App
from textual.notifications import SeverityLevel


class WriteHost(Protocol):
    """A pane that can push a dialog (through its app), tell the user, and run a write as its worker."""

    @property
    def app(self) -> App[Any]: ...

    def notify(
        self,
        message: str,
        *,
        title: str = ...,
        severity: SeverityLevel = ...,
        timeout: float | None = ...,
        markup: bool = ...,
    ) -> None: ...

    def run_worker(self, work: Coroutine[Any, Any, None], *, group: str = ...) -> object: ...
