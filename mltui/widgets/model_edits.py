"""The versions list's registry writes: set or remove an alias, tag a version, edit its description.

The only code in the Models views that changes the registry. Each write
follows an explicit key, removing or moving an alias asks first, and
read-only mode refuses before asking anything.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Protocol

from mltui.models import ModelVersion, StoreError
from mltui.modelview import ModelRow, VersionRow
from mltui.screens.pick import PickOneScreen
from mltui.screens.prompt import ConfirmScreen, NoteScreen, PromptScreen, ask_for_tag
from mltui.sources import RegistryWriter
from mltui.text import clean
from mltui.widgets.write_host import WriteHost

ALIAS_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


class EditsHost(WriteHost, Protocol):
    """The versions list as its writes see it."""

    @property
    def rows(self) -> list[ModelRow]: ...

    def highlighted_row(self) -> ModelRow | None: ...

    async def fetch_rows(self) -> None: ...


def alias_holder(rows: list[ModelRow], name: str, alias: str) -> ModelVersion | None:
    """The version of model `name` that `alias` points at now, if any."""
    for row in rows:
        if isinstance(row, VersionRow) and row.version.name == name and alias in row.version.aliases:
            return row.version
    return None


class ModelEdits:
    """Asks, writes through the writer, then reads the list again so it shows the registry as it is."""

    def __init__(self, host: EditsHost, writer: RegistryWriter) -> None:
        self.host = host
        self.writer = writer

    def _target(self) -> ModelVersion | None:
        """The highlighted version, unless writing is off or the cursor is elsewhere."""
        if self.writer.read_only:
            self.host.notify("Read-only mode: nothing was changed.", severity="warning")
            return None
        row = self.host.highlighted_row()
        if not isinstance(row, VersionRow):
            self.host.notify("Put the cursor on a registered model version first.", severity="warning")
            return None
        return row.version

    # -- aliases ---------------------------------------------------------------------

    def alias(self) -> None:
        """`@`: set an alias on the version, or remove one of its aliases."""
        version = self._target()
        if version is None:
            return
        if not version.aliases:
            self._ask_alias(version)
            return

        def chosen(choice: str | None) -> None:
            if choice == "":
                self._ask_alias(version)
            elif choice:
                self._confirm_remove(version, choice)

        options = [("", f"Set an alias on {version.label}…")]
        options += [(alias, f"Remove @{alias} from {version.label}") for alias in version.aliases]
        self.host.app.push_screen(PickOneScreen(f"Aliases of {clean(version.name)} {version.label}", options), chosen)

    def _ask_alias(self, version: ModelVersion) -> None:
        def chosen(text: str | None) -> None:
            alias = (text or "").strip().lstrip("@")
            if not alias:
                return
            if not ALIAS_PATTERN.match(alias):
                self.host.notify("An alias is letters, digits, '_' or '-'.", severity="warning")
                return
            holder = alias_holder(self.host.rows, version.name, alias)
            if holder is not None and holder.version == version.version:
                self.host.notify(f"{version.label} already is @{alias}.", markup=False)
            elif holder is not None:
                question = f"Move @{alias} from {holder.label} to {version.label} of {clean(version.name)}?"
                self._confirm(question, lambda: self._set_alias(version, alias))
            else:
                self._set_alias(version, alias)

        prompt = PromptScreen(f"Alias for {clean(version.name)} {version.label}", placeholder="champion")
        self.host.app.push_screen(prompt, chosen)

    def _set_alias(self, version: ModelVersion, alias: str) -> None:
        self._write(
            f"Set @{alias} on {version.label}",
            lambda: self.writer.set_model_alias(version.name, alias, version.version),
        )

    def _confirm_remove(self, version: ModelVersion, alias: str) -> None:
        question = f"Remove @{alias} from {version.label} of {clean(version.name)}?"
        self._confirm(
            question,
            lambda: self._write(
                f"Removed @{alias} from {version.label}", lambda: self.writer.delete_model_alias(version.name, alias)
            ),
        )

    def _confirm(self, question: str, then: Callable[[], None]) -> None:
        def answered(choice: str | None) -> None:
            if choice == "yes":
                then()

        self.host.app.push_screen(ConfirmScreen(question), answered)

    # -- tag and description --------------------------------------------------------------

    def tag(self) -> None:
        """`t`: set a tag on the version (key=value)."""
        version = self._target()
        if version is None:
            return

        def write(key: str, value: str) -> None:
            self._write(
                f"Tagged {version.label}",
                lambda: self.writer.set_model_version_tag(version.name, version.version, key, value),
            )

        ask_for_tag(self.host.app, f"Tag {clean(version.name)} {version.label} (key=value)", "validated=yes", write)

    def description(self) -> None:
        """`n`: edit the version's description."""
        version = self._target()
        if version is None:
            return

        def chosen(text: str | None) -> None:
            if text is not None and text != version.description:
                self._write(
                    f"Described {version.label}",
                    lambda: self.writer.update_model_version_description(version.name, version.version, text),
                )

        title = f"Description of {clean(version.name)} {version.label}"
        self.host.app.push_screen(NoteScreen(title, version.description), chosen)

    # -- writing ----------------------------------------------------------------------

    def _write(self, done: str, write: Callable[[], Awaitable[None]]) -> None:
        self.host.run_worker(self._write_and_reload(done, write), group="model-writes")

    async def _write_and_reload(self, done: str, write: Callable[[], Awaitable[None]]) -> None:
        try:
            await write()
        except StoreError as exc:
            self.host.notify(str(exc), severity="error", markup=False)
            return
        self.host.notify(done, markup=False)
        await self.host.fetch_rows()
