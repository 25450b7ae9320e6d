"""The run list's write actions: tag, untag, rename, note, delete, undo delete.

Kept apart from the list itself because this is the only code that changes
the tracking store. Each write follows an explicit key press, destructive
ones ask first, and read-only mode refuses them all before asking anything.
"""

from __future__ import annotations

from textual import work
from textual.binding import Binding

from mltui.models import NOTE_TAG, Run, StoreError
from mltui.screens.pick import PickOneScreen
from mltui.screens.prompt import ConfirmScreen, NoteScreen, PromptScreen
from mltui.text import clean

TRIAGE_BINDINGS = [
    Binding("t", "tag", "Tag", show=False),
    Binding("T", "untag", "Untag", show=False),
    Binding("r", "rename", "Rename", show=False),
    Binding("n", "note", "Note", show=False),
    Binding("x", "delete", "Delete", show=False),
    Binding("u", "undo_delete", "Undo delete", show=False),
]


class TriageMixin:
    """Write actions for `RunList`; expects `highlighted_run`, `runs`, `ticked`, `table`."""

    _deleted_stack: list[list[str]]

    def _target(self) -> Run | None:
        """The highlighted run, unless writing is off or no run is under the cursor."""
        if self.app.store.read_only:
            self.notify("Read-only mode: nothing was changed.", severity="warning")
            return None
        run = self.highlighted_run()
        if run is None:
            self.notify("Put the cursor on a run first.", severity="warning")
        return run

    def action_tag(self) -> None:
        run = self._target()
        if run is None:
            return

        def chosen(text: str | None) -> None:
            key, sep, value = (text or "").partition("=")
            if not sep or not key.strip():
                if text:
                    self.notify("Write the tag as key=value.", severity="warning")
                return
            self._write(run, "tagged", "set_tag", run.run_id, key.strip(), value.strip())

        self.app.push_screen(PromptScreen(f"Tag run {clean(run.name)} (key=value)", placeholder="reviewed=yes"), chosen)

    def action_untag(self) -> None:
        run = self._target()
        if run is None:
            return
        keys = sorted(k for k in run.tags if not k.startswith("mlflow."))
        if not keys:
            self.notify("This run has no tags of its own.", severity="warning")
            return

        def chosen(key: str | None) -> None:
            if key:
                self._write(run, "untagged", "delete_tag", run.run_id, key)

        options = [(k, f"{k} = {clean(run.tags[k], max_len=40)}") for k in keys]
        self.app.push_screen(PickOneScreen(f"Remove which tag from {clean(run.name)}?", options), chosen)

    def action_rename(self) -> None:
        run = self._target()
        if run is None:
            return

        def chosen(name: str | None) -> None:
            if name and name.strip() and name.strip() != run.name:
                self._write(run, "renamed", "rename_run", run.run_id, name.strip())

        self.app.push_screen(PromptScreen("New name", value=run.name), chosen)

    def action_note(self) -> None:
        run = self._target()
        if run is None:
            return

        def chosen(note: str | None) -> None:
            if note is not None and note != run.tags.get(NOTE_TAG, ""):
                self._write(run, "noted", "set_tag", run.run_id, NOTE_TAG, note)

        self.app.push_screen(NoteScreen(f"Note on {clean(run.name)}", run.tags.get(NOTE_TAG, "")), chosen)

    def action_delete(self) -> None:
        if self._target() is None:
            return
        victims = list(self.ticked.values()) or [self.highlighted_run()]
        names = ", ".join(clean(r.name, max_len=30) for r in victims[:5]) + ("…" if len(victims) > 5 else "")
        question = f"Delete {len(victims)} run{'s' if len(victims) > 1 else ''}: {names}?\n(soft delete: u restores)"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete([r.run_id for r in victims])

        self.app.push_screen(ConfirmScreen(question), confirmed)

    def action_undo_delete(self) -> None:
        if self.app.store.read_only:
            self.notify("Read-only mode: nothing was changed.", severity="warning")
            return
        if not self._deleted_stack:
            self.notify("Nothing to restore.", severity="warning")
            return
        self._restore(self._deleted_stack.pop())

    @work(group="writes")
    async def _write(self, run: Run, verb: str, method: str, *args: str) -> None:
        """Call one store write, then show the run as the store now has it."""
        store = self.app.store
        try:
            await getattr(store, method)(*args)
            fresh = await store.get_run(run.run_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.replace_runs([fresh])
        self.notify(f"{verb.capitalize()} {clean(fresh.name)}", markup=False)

    @work(group="writes")
    async def _delete(self, run_ids: list[str]) -> None:
        done = []
        try:
            for run_id in run_ids:
                await self.app.store.delete_run(run_id)
                done.append(run_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
        if done:
            self._deleted_stack.append(done)
            self.forget_runs(done)
            self.notify(f"Deleted {len(done)} run{'s' if len(done) > 1 else ''} (u restores)", markup=False)

    @work(group="writes")
    async def _restore(self, run_ids: list[str]) -> None:
        try:
            for run_id in run_ids:
                await self.app.store.restore_run(run_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"Restored {len(run_ids)} run{'s' if len(run_ids) > 1 else ''}", markup=False)
        self.load()
