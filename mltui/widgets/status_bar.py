"""The status line: where the data comes from and what is happening."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from mltui.text import clean


class StatusBar(Static):
    """One line: the (masked) tracking URI, then the latest activity or error."""

    uri: reactive[str] = reactive("")
    activity: reactive[str] = reactive("")
    error: reactive[str] = reactive("")
    read_only: reactive[bool] = reactive(False)
    ticks: reactive[str] = reactive("")  # "2 ticked · 2 in other experiments", from the run list

    def render(self) -> Text:
        text = Text(" ")
        if self.read_only:
            text.append(" READ-ONLY ", style="bold black on yellow")
            text.append(" ")
        text.append(clean(self.uri, max_len=80), style="bold")
        ticks = Text("  ☑ " + self.ticks, style="bold green") if self.ticks else Text()
        if self.error:  # an error comes first: narrow terminals cut the end of the line
            text.append("  ✖ ", style="bold red")
            text.append(clean(self.error, max_len=300), style="red")
            text.append("  R retries", style="dim")
            return text.append(ticks)
        text.append(ticks)
        if self.activity:
            text.append("  " + clean(self.activity, max_len=200), style="dim")
        return text

    def show_error(self, message: str) -> None:
        self.error = message

    def show_ticks(self, summary: str) -> None:
        """How many runs are ticked and how many of them the run list does not show."""
        self.ticks = summary

    def show_activity(self, message: str) -> None:
        self.error = ""
        self.activity = message
