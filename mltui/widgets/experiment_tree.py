"""The experiment tree: nested experiment names as folders, with run counts."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from mltui.models import Experiment
from mltui.text import clean


@dataclass
class Folder:
    """A tree node that only groups experiments sharing a name prefix."""

    path: str


def split_name(name: str) -> list[str]:
    """`/Users/ana/churn` -> ["Users", "ana", "churn"]; a plain name stays whole."""
    parts = [part for part in name.split("/") if part]
    return parts or [name or "(unnamed)"]


class ExperimentTree(Tree[Experiment | Folder]):
    """Every experiment, folded by `/` in its name; Enter opens, space ticks."""

    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("space", "tick", "Tick"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("D", "toggle_deleted", "Deleted"),
    ]

    class Opened(Message):
        """The user asked to list the runs of these experiments."""

        def __init__(self, experiments: list[Experiment]) -> None:
            self.experiments = experiments
            super().__init__()

    class DeletedToggled(Message):
        """The user asked to show or hide deleted experiments (see `show_deleted`)."""

    def __init__(self, **kwargs) -> None:
        super().__init__("Experiments", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self.show_deleted = False
        self.ticked: dict[str, Experiment] = {}
        self._experiment_nodes: dict[str, TreeNode[Experiment | Folder]] = {}
        self._counts: dict[str, int] = {}

    # -- filling -------------------------------------------------------------

    def set_experiments(self, experiments: list[Experiment]) -> None:
        """Rebuild the tree, keeping the cursor on the same experiment if possible."""
        current = self.cursor_node.data if self.cursor_node else None
        self.clear()
        self._experiment_nodes.clear()
        folders: dict[str, TreeNode[Experiment | Folder]] = {}
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

    def _place_cursor(self, node: TreeNode[Experiment | Folder]) -> None:
        self.get_node_at_line(0)  # lays the lines out first, so the node's line number is current
        self.move_cursor(node)

    def set_counts(self, counts: dict[str, int]) -> None:
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
            label.append(f"  {exp.run_count:,}", style="dim")
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
        if self.ticked:
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
