"""The experiment tree: nested experiment names as folders, with run counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from mltui.models import Experiment, RegisteredModel
from mltui.screens.prompt import PromptScreen
from mltui.sources import ModelSource
from mltui.text import clean
from mltui.widgets.models_tree import LoggedModelsEntry, ModelEntry, ModelsNodeData, ModelsSection, MoreModels


@dataclass
class Folder:
    """A tree node that only groups experiments sharing a name prefix."""

    path: str


def split_name(name: str) -> list[str]:
    """`/Users/ana/churn` -> ["Users", "ana", "churn"]; a plain name stays whole."""
    parts = [part for part in name.split("/") if part]
    return parts or [name or "(unnamed)"]


NodeData = Experiment | Folder | ModelsNodeData


class ExperimentTree(Tree[NodeData]):
    """Every experiment, folded by `/` in its name; Enter opens, space ticks."""

    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("space", "tick", "Tick"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("D", "toggle_deleted", "Deleted"),
        Binding("slash", "filter_models", "Filter models", show=False),
    ]

    class Opened(Message):
        """The user asked to list the runs of these experiments."""

        def __init__(self, experiments: list[Experiment]) -> None:
            self.experiments = experiments
            super().__init__()

    class DeletedToggled(Message):
        """The user asked to show or hide deleted experiments (see `show_deleted`)."""

    class ModelOpened(Message):
        """The user asked for the versions of a registered model."""

        def __init__(self, model: RegisteredModel) -> None:
            self.model = model
            super().__init__()

    class LoggedModelsOpened(Message):
        """The user asked for the logged models of these experiments."""

        def __init__(self, experiments: list[Experiment]) -> None:
            self.experiments = experiments
            super().__init__()

    def __init__(self, models: ModelSource | None = None, **kwargs) -> None:
        super().__init__("Experiments", **kwargs)
        self.models_section = ModelsSection(self, models)
        self.show_root = False
        self.guide_depth = 2
        self.show_deleted = False
        self.ticked: dict[str, Experiment] = {}
        self._experiment_nodes: dict[str, TreeNode[NodeData]] = {}
        self._counts: dict[str, int] = {}

    # -- filling -------------------------------------------------------------

    def set_experiments(self, experiments: list[Experiment]) -> None:
        """Rebuild the tree, keeping the cursor on the same experiment if possible."""
        current = self.cursor_node.data if self.cursor_node else None
        self.clear()
        self._experiment_nodes.clear()
        folders: dict[str, TreeNode[NodeData]] = {}
        for exp in sorted(experiments, key=lambda e: [part.lower() for part in split_name(e.name)]):
            parent = self.root
            parts = split_name(exp.name)
            for depth, part in enumerate(parts[:-1]):
                key = "/".join(parts[: depth + 1])
                if key not in folders:
                    folders[key] = parent.add(Text(clean(part), style="bold"), Folder(key), expand=True)
                parent = folders[key]
            node = parent.add_leaf(self._label(exp, parts[-1]), exp)
            self._experiment_nodes[exp.experiment_id] = node
        self.ticked = {k: v for k, v in self.ticked.items() if k in self._experiment_nodes}
        if isinstance(current, Experiment) and current.experiment_id in self._experiment_nodes:
            self._place_cursor(self._experiment_nodes[current.experiment_id])
        elif self.root.children:
            self._place_cursor(self.root.children[0])  # a cursor from the start: the user sees where keys go
        self._attach_models(current)

    def _place_cursor(self, node: TreeNode[NodeData]) -> None:
        self.get_node_at_line(0)  # lays the lines out first, so the node's line number is current
        self.move_cursor(node)

    def set_counts(self, counts: Mapping[str, int]) -> None:
        """Show run counts once they arrive (they come after the names)."""
        self._counts.update(counts)
        for exp_id, node in self._experiment_nodes.items():
            exp = node.data
            if isinstance(exp, Experiment):
                exp.run_count = self._counts.get(exp_id, 0)
                node.set_label(self._label(exp, split_name(exp.name)[-1]))

    def _label(self, exp: Experiment, leaf: str) -> Text:
        tick = "☑ " if exp.experiment_id in self.ticked else ""
        label = Text(tick + clean(leaf), style="strike dim" if exp.deleted else "")
        if exp.run_count is not None:
            more = "+" if getattr(exp.run_count, "at_least", False) else ""  # one REST page counted
            label.append(f"  {exp.run_count:,}{more}", style="dim")
        if exp.deleted:
            label.append("  deleted", style="red dim")
        return label

    def experiments(self) -> list[Experiment]:
        """Every experiment in the tree."""
        return [node.data for node in self._experiment_nodes.values() if isinstance(node.data, Experiment)]

    def select_experiment(self, name_or_id: str) -> Experiment | None:
        """Move the cursor to an experiment given by id or exact name."""
        for exp_id, node in self._experiment_nodes.items():
            exp = node.data
            if isinstance(exp, Experiment) and name_or_id in (exp_id, exp.name):
                self._place_cursor(node)
                return exp
        return None

    # -- actions ---------------------------------------------------------------

    def action_open(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if self.models_section.contains(node):
            self._open_models_node(node)
        elif self.ticked:
            self.post_message(self.Opened(list(self.ticked.values())))
        elif isinstance(node.data, Experiment):
            self.post_message(self.Opened([node.data]))
        else:
            node.toggle()

    def action_tick(self) -> None:
        node = self.cursor_node
        if node is None or not isinstance(node.data, Experiment):
            if node is not None:
                node.toggle()
            return
        exp = node.data
        if self.ticked.pop(exp.experiment_id, None) is None:
            self.ticked[exp.experiment_id] = exp
        node.set_label(self._label(exp, split_name(exp.name)[-1]))

    def action_toggle_deleted(self) -> None:
        self.show_deleted = not self.show_deleted
        self.post_message(self.DeletedToggled())

    # -- the Models section (see ModelsSection) -----------------------------------

    def _attach_models(self, current: NodeData | None) -> None:
        """Put the Models section back below the experiments, the cursor on the same model."""
        self.models_section.attach()
        if isinstance(current, ModelEntry):
            node = self.models_section.node_for(current.model.name)
            if node is not None:
                self.move_cursor(node)

    def _open_models_node(self, node: TreeNode[NodeData]) -> None:
        data = node.data
        if isinstance(data, ModelEntry):
            self.post_message(self.ModelOpened(data.model))
        elif isinstance(data, MoreModels):
            self.models_section.more()
        elif isinstance(data, LoggedModelsEntry):
            self.post_message(self.LoggedModelsOpened(list(self.ticked.values()) or self.experiments()))
        else:
            node.toggle()

    @on(Tree.NodeExpanded)
    def _node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        if event.node is self.models_section.node:
            self.models_section.expanded()

    def action_filter_models(self) -> None:
        """Filter registered models with MLflow's registry syntax, e.g. `name LIKE '%churn%'`."""
        if not self.models_section.contains(self.cursor_node):
            self.notify("/ filters the Models section: move the cursor there first.", severity="warning")
            return

        def chosen(text: str | None) -> None:
            if text is not None:
                self.models_section.reload(text.strip())

        prompt = PromptScreen(
            "Filter registered models (MLflow syntax; empty shows all)",
            value=self.models_section.filter_string,
            placeholder="name LIKE '%churn%'",
        )
        self.app.push_screen(prompt, chosen)

    def update_model(self, model: RegisteredModel) -> None:
        """Show a registered model as it now is (its aliases moved)."""
        self.models_section.update_model(model)

    def reload_models(self) -> None:
        """Fetch the Models section again, if it was ever opened."""
        if self.models_section.loaded:
            self.models_section.reload()
