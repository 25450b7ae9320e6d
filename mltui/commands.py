"""Command palette entries (Ctrl+P): go to, reload, help, and open any experiment by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from mltui.models import Experiment
from mltui.text import clean


class PaletteApp(Protocol):
    """What the palette calls on the app."""

    def action_goto(self) -> None: ...

    def action_reload(self) -> None: ...

    def action_help(self) -> None: ...

    def action_compare_artifact(self) -> None: ...

    def known_experiments(self) -> list[Experiment]: ...

    def open_experiments(self, experiments: list[Experiment]) -> None: ...


class MltuiCommands(Provider):
    """Every experiment by name, plus the app's main actions."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = cast(PaletteApp, self.app)
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("Go to run / id / key=value…", app.action_goto, "Find runs in every experiment"),
            ("Reload", app.action_reload, "Fetch experiments and runs again"),
            ("Help: keys", app.action_help, "Every key, by pane"),
            ("Compare artifact…", app.action_compare_artifact, "One artifact path across the ticked runs"),
        ]
        for experiment in app.known_experiments():
            commands.append(
                (
                    f"Open experiment {clean(experiment.name, max_len=80)}",
                    partial(app.open_experiments, [experiment]),
                    f"id {experiment.experiment_id}",
                )
            )
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands()[:3]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
