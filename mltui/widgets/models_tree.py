"""The experiment tree's Models section: registered models, filtered and paged, loaded on first open.

The section is one collapsible node below the experiments. It loads the
first page of models when first expanded, a "more" node fetches the next
page, `/` sets a registry filter (`name LIKE '%churn%'`), and a store without
a registry shows one line in the section instead of models. What it loaded
survives the tree being rebuilt (a reload of the experiments).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets.tree import TreeNode

from mltui.models import RegisteredModel, StoreError
from mltui.modelview import model_label_parts
from mltui.sources import ModelSource
from mltui.text import clean

if TYPE_CHECKING:
    from mltui.widgets.experiment_tree import ExperimentTree


@dataclass
class ModelsHeading:
    """The section's own node."""


@dataclass
class ModelEntry:
    model: RegisteredModel


@dataclass
class MoreModels:
    """Fetches the next page of models when opened."""


@dataclass
class LoggedModelsEntry:
    """Lists MLflow 3 logged models (of the ticked experiments, else of all) when opened."""


@dataclass
class ModelsNote:
    """A line of text in the section: empty, loading, or why it failed."""


ModelsNodeData = ModelsHeading | ModelEntry | MoreModels | LoggedModelsEntry | ModelsNote


class ModelsSection:
    """Keeps the section's models, filter and page token, and draws them into the tree."""

    page_size = 100  # models a page: a registry of thousands lists its first hundred at once

    def __init__(self, tree: ExperimentTree, source: ModelSource | None) -> None:
        self.tree = tree
        self.source = source
        self.models: list[RegisteredModel] = []
        self.token: str | None = None
        self.filter_string = ""
        self.loaded = False
        self.loading = False
        self.note: tuple[str, str] | None = None  # (text, style) shown under the models
        self.node: TreeNode | None = None
        self._entries: dict[str, TreeNode] = {}

    # -- drawing -------------------------------------------------------------------

    def attach(self) -> None:
        """Add the section below the experiments (after every rebuild of the tree)."""
        if self.source is None:
            return
        expanded = self.node.is_expanded if self.node is not None else False
        self.node = self.tree.root.add(self._heading(), ModelsHeading(), expand=expanded)
        self.node.allow_expand = True
        self._fill()

    def _heading(self) -> Text:
        text = Text("Models", style="bold")
        if self.loaded:
            text.append(f"  {len(self.models):,}{'+' if self.token else ''}", style="dim")
        if self.filter_string:
            text.append("  filtered", style="magenta")
        return text

    def _fill(self) -> None:
        node = self.node
        if node is None:
            return
        node.set_label(self._heading())
        node.remove_children()
        self._entries.clear()
        node.add_leaf(Text("⧉ Logged models", style="italic"), LoggedModelsEntry())
        for model in self.models:
            self._entries[model.name] = node.add_leaf(self._label(model), ModelEntry(model))
        if self.token:
            node.add_leaf(Text("… more models (Enter)", style="dim"), MoreModels())
        note = self.note
        if note is None and not self.loaded:
            note = ("loading…", "dim") if self.loading else ("open to list registered models", "dim")
        elif note is None and not self.models:
            note = ("no model matches the filter" if self.filter_string else "no registered models", "dim")
        if note is not None:
            node.add_leaf(Text(note[0], style=note[1]), ModelsNote())

    @staticmethod
    def _label(model: RegisteredModel) -> Text:
        return Text.assemble(*model_label_parts(model))

    def update_model(self, model: RegisteredModel) -> None:
        """Show a model as it now is (say, after an alias moved)."""
        for index, known in enumerate(self.models):
            if known.name == model.name:
                self.models[index] = model
        node = self._entries.get(model.name)
        if node is not None:
            node.data = ModelEntry(model)
            node.set_label(self._label(model))

    def node_for(self, name: str) -> TreeNode | None:
        return self._entries.get(name)

    def contains(self, node: TreeNode | None) -> bool:
        return node is not None and isinstance(node.data, ModelsNodeData)

    # -- loading -------------------------------------------------------------------

    def expanded(self) -> None:
        """The user opened the section: load it the first time."""
        if not self.loaded and not self.loading:
            self.reload()

    def reload(self, filter_string: str | None = None) -> None:
        """Load the first page again (with a new filter, if given)."""
        self.tree.run_worker(self._load(filter_string, more=False), group="models", exclusive=True)

    def more(self) -> None:
        if self.token and not self.loading:
            self.tree.run_worker(self._load(None, more=True), group="models", exclusive=True)

    async def _load(self, filter_string: str | None, more: bool) -> None:
        """Fetch one page; a failing filter leaves the models of the last good one in place."""
        if self.source is None:
            return
        wanted = self.filter_string if filter_string is None else filter_string
        self.loading = True
        if not self.loaded:
            self._fill()
        try:
            models, token = await self.source.search_registered_models(
                wanted, self.token if more else None, self.page_size
            )
        except StoreError as exc:
            self.loading = False
            self.note = self._failure(str(exc), filter_string is not None and self.loaded)
            self._fill()
            return
        self.loading = False
        self.loaded = True
        self.note = None
        self.filter_string = wanted
        self.models = [*self.models, *models] if more else models
        self.token = token
        self._fill()
        if self.node is not None and not self.node.is_expanded:
            self.node.expand()

    @staticmethod
    def _failure(message: str, kept: bool) -> tuple[str, str]:
        line = "✖ " + clean(message, max_len=200)
        if kept:
            line += "  (models below: last good filter)"
        return line, "red"
