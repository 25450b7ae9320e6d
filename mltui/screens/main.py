"""The panes' screen: which pane is current, how Tab moves between panes, and how wide the tree is.

The App composes the panes onto this screen and wires their data together; the
screen owns only where they are. Under 100 columns (the `-narrow` class, set by
its breakpoints) it shows one pane at a time, the one holding the focus.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from mltui.config import TREE_WIDTHS, Config
from mltui.widgets.experiment_tree import ExperimentTree
from mltui.widgets.key_footer import KeyFooter
from mltui.widgets.model_versions import ModelVersions
from mltui.widgets.pane_tabs import PANES, PaneTabs
from mltui.widgets.run_list import RunList
from mltui.widgets.status_bar import StatusBar

NARROW_BELOW = 100  # columns: under this, one pane at a time
FOOTER_ROOMY_FROM = 120  # columns: narrower footers drop their padding and the `^p palette` key


class MainScreen(Screen[None]):
    """Tab moves from widget to widget, and in the narrow layout from pane to pane."""

    BINDINGS = [
        Binding("left_square_bracket", "tree_width(-1)", "Narrow/hide the tree", show=False),
        Binding("right_square_bracket", "tree_width(1)", "Widen/show the tree", show=False),
        Binding("tab", "cycle(1)", "Next pane"),
        Binding("shift+tab", "cycle(-1)", "Previous pane", show=False),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]

    def __init__(self, config: Config, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config
        self.current_pane = "experiments"

    @property
    def narrow(self) -> bool:
        """True while the layout shows one pane at a time (set from the width by the breakpoints)."""
        return self.has_class("-narrow")

    def on_resize(self, event: events.Resize) -> None:
        footer = self.query_one(KeyFooter)
        footer.compact = event.size.width < FOOTER_ROOMY_FROM
        footer.show_command_palette = event.size.width >= FOOTER_ROOMY_FROM

    # -- the runs' place: the run list, or a model's versions -------------------------

    def show_runs_pane(self) -> None:
        self.query_one(ModelVersions).add_class("-swapped-out")
        self.query_one(RunList).remove_class("-swapped-out")

    def show_versions_pane(self) -> None:
        self.query_one(RunList).add_class("-swapped-out")
        versions = self.query_one(ModelVersions)
        versions.remove_class("-swapped-out")
        versions.table.focus()

    @property
    def versions_shown(self) -> bool:
        return not self.query_one(ModelVersions).has_class("-swapped-out")

    # -- the current pane -------------------------------------------------------------

    def action_tree_width(self, step: int) -> None:
        """`[` narrows then hides the experiment tree, `]` brings it back and widens it; remembered."""
        tree = self.query_one(ExperimentTree)
        width = self.config.step_tree_width(step)
        for name in TREE_WIDTHS:
            tree.set_class(name == width, f"-width-{name}")
        self.config.save()
        if width == "hidden" and not self.narrow and self.current_pane == "experiments":
            self.query_one(RunList).table.focus()
        self.query_one(StatusBar).show_activity(f"experiment tree: {width} ([ narrower, ] wider)")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The pane holding the focus is the current one: the narrow layout shows it."""
        pane_id = pane_of(event.widget)
        if pane_id is not None and pane_id != self.current_pane:
            self.set_current(pane_id)

    def set_current(self, pane_id: str) -> None:
        self.current_pane = pane_id
        pane = self.query_one(f"#{pane_id}")
        holders = {pane, *pane.ancestors}
        for node_id in ("experiments", "right", "runs", "bottom", "diff", "artifacts"):
            node = self.query_one(f"#{node_id}")
            node.set_class(node in holders, "-current")
        self.query_one("#versions").set_class(pane_id == "runs", "-current")  # a model's versions share the runs' place
        self.query_one(PaneTabs).current = pane_id

    def action_show_pane(self, pane_id: str, last: bool = False) -> None:
        """Bring pane `pane_id` on screen and focus its first (or last) focusable widget."""
        self.set_current(pane_id)
        pane = (
            self.query_one(ModelVersions)
            if pane_id == "runs" and self.versions_shown
            else self.query_one(f"#{pane_id}")
        )

        def focus() -> None:
            chain = [w for w in self.focus_chain if w is pane or pane in w.ancestors]
            if chain:
                (chain[-1] if last else chain[0]).focus()

        self.call_after_refresh(focus)

    def action_cycle(self, step: int) -> None:
        """Tab: the next widget; in the narrow layout past a pane's last widget, the next pane."""
        if not self.narrow:
            (self.focus_next if step > 0 else self.focus_previous)()
            return
        chain = self.focus_chain
        focused = self.focused
        if focused in chain and 0 <= chain.index(focused) + step < len(chain):
            chain[chain.index(focused) + step].focus()
            return
        ids = [pane_id for pane_id, _ in PANES]
        here = ids.index(self.current_pane) if self.current_pane in ids else 0
        self.action_show_pane(ids[(here + step) % len(ids)], last=step < 0)


def pane_of(widget: Widget) -> str | None:
    """The id of the pane `widget` is in (None outside the panes)."""
    ids = {pane_id for pane_id, _ in PANES}
    for node in (widget, *widget.ancestors):
        if node.id == "versions":
            return "runs"
        if node.id in ids:
            return node.id
    return None
