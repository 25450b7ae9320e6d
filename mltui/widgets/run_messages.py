"""What the run list tells the App: ticks, the highlighted run, the tick summary, loading progress."""

from __future__ import annotations

from textual.message import Message

from mltui.models import Run


class TicksChanged(Message):
    """The ticked runs or the baseline changed."""

    def __init__(self, runs: list[Run], baseline_id: str | None) -> None:
        self.runs = runs
        self.baseline_id = baseline_id
        super().__init__()


class RunHighlighted(Message):
    """The cursor moved to another run (or to none)."""

    def __init__(self, run: Run | None) -> None:
        self.run = run
        super().__init__()


class TickSummary(Message):
    """How many runs are ticked and how many of them this list does not show (for the status line)."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__()


class Progress(Message):
    """How far loading got; `error` is one line when it failed."""

    def __init__(self, loaded: int, done: bool, error: str | None = None) -> None:
        self.loaded = loaded
        self.done = done
        self.error = error
        super().__init__()
