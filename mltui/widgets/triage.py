"""The run list's write actions: tag, untag, rename, note, delete, undo delete.

Kept apart from the list itself because this is the only code that changes
the tracking store. Each write follows an explicit key press, destructive
ones ask first, and read-only mode refuses them all before asking anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from textual.binding import Binding

from mltui.formatting import plural
from mltui.models import NOTE_TAG, Run, StoreError
from mltui.screens.pick import PickOneScreen
from mltui.screens.prompt import ConfirmScreen, NoteScreen, PromptScreen, ask_for_tag
from mltui.sources import TriageWriter
from mltui.text import clean
from mltui.widgets.write_host import WriteHost

TRIAGE_BINDINGS = [
    Binding("t", "tag", "Tag", show=False),
    Binding("T", "untag", "Untag", show=False),
    Binding("r", "rename", "Rename", show=False),
    Binding("n", "note", "Note", show=False),
    Binding("x", "delete", "Delete", show=False),
    Binding("u", "undo_delete", "Undo delete", show=False),
]


class TriageHost(WriteHost, Protocol):
    """The run list as triage sees it: what is under the cursor, and how to show a change."""

    @property
    def ticked(self) -> dict[str, Run]: ...

    def highlighted_run(self) -> Run | None: ...

    def experiment_name(self, run: Run) -> str: ...

    def unlisted(self, runs: list[Run]) -> int: ...

    def replace_runs(self, fresh: list[Run]) -> None: ...

    def forget_runs(self, run_ids: list[str]) -> None: ...

    def load(self) -> object: ...


MAX_NAMED = 200  # runs listed one by one in a confirmation; more are counted


class Triage:
    """Asks, then writes through the writer, then shows the run as the store now has it.

    The writes run as workers of the run list (group "writes"), so they end
    with it; deleted batches stack up for `u` to restore, newest first.
    """

    def __init__(self, host: TriageHost, writer: TriageWriter) -> None:
        self.host = host
        self.writer = writer
        self.deleted: list[list[str]] = []

    def _writable(self) -> bool:
        if self.writer.read_only:
            self.host.notify("Read-only mode: nothing was changed.", severity="warning")
            return False
        return True

    def _target(self) -> Run | None:
        """The highlighted run, unless writing is off or no run is under the cursor."""
        if not self._writable():
            return None
        run = self.host.highlighted_run()
        if run is None:
            self.host.notify("Put the cursor on a run first.", severity="warning")
        return run

    def tag(self) -> None:
        run = self._target()
        if run is None:
            return

        def write(key: str, value: str) -> None:
            self._write(run, "tagged", lambda: self.writer.set_tag(run.run_id, key, value))

        ask_for_tag(self.host.app, f"Tag run {self.describe(run)} with key=value", "reviewed=yes", write)

    def untag(self) -> None:
        run = self._target()
        if run is None:
            return
        keys = sorted(k for k in run.tags if not k.startswith("mlflow."))
        if not keys:
            self.host.notify("This run has no tags of its own.", severity="warning")
            return

        def chosen(key: str | None) -> None:
            if key:
                self._write(run, "untagged", lambda: self.writer.delete_tag(run.run_id, key))

        options = [(k, f"{k} = {clean(run.tags[k], max_len=40)}") for k in keys]
        self.host.app.push_screen(PickOneScreen(f"Remove which tag from {self.describe(run)}?", options), chosen)

    def rename(self) -> None:
        run = self._target()
        if run is None:
            return

        def chosen(name: str | None) -> None:
            if name and name.strip() and name.strip() != run.name:
                self._write(run, "renamed", lambda: self.writer.rename_run(run.run_id, name.strip()))

        self.host.app.push_screen(PromptScreen(f"New name for {self.describe(run)}", value=run.name), chosen)

    def note(self) -> None:
        run = self._target()
        if run is None:
            return

        def chosen(note: str | None) -> None:
            if note is not None and note != run.tags.get(NOTE_TAG, ""):
                self._write(run, "noted", lambda: self.writer.set_tag(run.run_id, NOTE_TAG, note))

        self.host.app.push_screen(NoteScreen(f"Note on {self.describe(run)}", run.tags.get(NOTE_TAG, "")), chosen)

    def describe(self, run: Run) -> str:
        """A run as a confirmation names it: name, short id and experiment."""
        experiment = clean(self.host.experiment_name(run), max_len=60)
        return f"{clean(run.name, max_len=60)}  {run.short_id}  ({experiment})"

    def delete(self) -> None:
        """Soft-delete the highlighted run after a yes; the ticked runs only when chosen explicitly."""
        run = self._target()
        if run is None:
            return
        ticked = list(self.host.ticked.values())
        other = None
        if ticked and [r.run_id for r in ticked] != [run.run_id]:
            other = f"The {plural(len(ticked), 'ticked run')} instead…"

        def answered(choice: str | None) -> None:
            if choice == "yes":
                self.host.run_worker(self._delete([run.run_id]), group="writes")
            elif choice == "other":
                self._confirm_delete(ticked)

        question = "Delete this run? (soft delete: u restores)"
        self.host.app.push_screen(ConfirmScreen(question, [self.describe(run)], other), answered)

    def _confirm_delete(self, victims: list[Run]) -> None:
        """Ask again, naming every ticked run with its experiment (those not in this list said so)."""
        lines = [self.describe(r) for r in victims[:MAX_NAMED]]
        if len(victims) > MAX_NAMED:
            lines.append(f"… and {plural(len(victims) - MAX_NAMED, 'more run')}")
        question = f"Delete {plural(len(victims), 'ticked run')}? (soft delete: u restores)"
        unseen = self.host.unlisted(victims)
        if unseen:
            question += f"\n{plural(unseen, 'of them is', 'of them are')} not in the list shown."

        def answered(choice: str | None) -> None:
            if choice == "yes":
                self.host.run_worker(self._delete([r.run_id for r in victims]), group="writes")

        self.host.app.push_screen(ConfirmScreen(question, lines), answered)

    def undo_delete(self) -> None:
        if not self._writable():
            return
        if not self.deleted:
            self.host.notify("Nothing to restore.", severity="warning")
            return
        self.host.run_worker(self._restore(self.deleted.pop()), group="writes")

    def _write(self, run: Run, verb: str, write: Callable[[], Awaitable[None]]) -> None:
        self.host.run_worker(self._write_and_show(run, verb, write), group="writes")

    async def _write_and_show(self, run: Run, verb: str, write: Callable[[], Awaitable[None]]) -> None:
        """Call one store write, then show the run as the store now has it."""
        try:
            await write()
            fresh = await self.writer.get_run(run.run_id)
        except StoreError as exc:
            self.host.notify(str(exc), severity="error", markup=False)
            return
        self.host.replace_runs([fresh])
        self.host.notify(f"{verb.capitalize()} {clean(fresh.name)}", markup=False)

    async def _delete(self, run_ids: list[str]) -> None:
        done = []
        try:
            for run_id in run_ids:
                await self.writer.delete_run(run_id)
                done.append(run_id)
        except StoreError as exc:
            self.host.notify(str(exc), severity="error", markup=False)
        if done:
            self.deleted.append(done)
            self.host.forget_runs(done)
            self.host.notify(f"Deleted {plural(len(done), 'run')} (u restores)", markup=False)

    async def _restore(self, run_ids: list[str]) -> None:
        try:
            for run_id in run_ids:
                await self.writer.restore_run(run_id)
        except StoreError as exc:
            self.host.notify(str(exc), severity="error", markup=False)
            return
        self.host.notify(f"Restored {plural(len(run_ids), 'run')}", markup=False)
        self.host.load()
