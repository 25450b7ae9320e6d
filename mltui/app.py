"""The mltui App: composes the panes and wires their messages together."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar, cast

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen

from mltui.commands import MltuiCommands
from mltui.config import Config
from mltui.diff import DiffResult
from mltui.export import EXTENSIONS, export
from mltui.formatting import plural
from mltui.models import Experiment, RegisteredModel, StoreError
from mltui.screens.artifact_compare import ArtifactCompareScreen, CompareRun
from mltui.screens.export import ExportScreen
from mltui.screens.goto import GotoScreen
from mltui.screens.help import HelpScreen, Section, binding_rows, pane_sections, screen_sections
from mltui.screens.main import MainScreen
from mltui.screens.prompt import PromptScreen
from mltui.sources import RecentRunSource
from mltui.store import Store
from mltui.text import clean
from mltui.widgets.artifact_viewer import ArtifactViewer, image_widget  # first: asks the terminal how to draw images
from mltui.widgets.diff_view import DiffView
from mltui.widgets.experiment_tree import ExperimentTree
from mltui.widgets.key_footer import KeyFooter
from mltui.widgets.model_versions import ModelVersions
from mltui.widgets.pane_tabs import PANES, PaneTabs
from mltui.widgets.run_detail import RunDetailView
from mltui.widgets.run_list import RunList
from mltui.widgets.status_bar import StatusBar

Handler = TypeVar("Handler", bound=Callable[..., None])


def _ignored_after_teardown(handler: Handler) -> Handler:
    """Drop a pane's message that arrives as the app shuts down (say, a load ending as `q` is pressed).

    The panes are removed only then, so a pane not found means the app is closing,
    never a bug to hide.
    """

    @functools.wraps(handler)
    def guarded(*args: object) -> None:
        with contextlib.suppress(NoMatches):
            handler(*args)

    return cast(Handler, guarded)


class MltuiApp(App[None]):
    """Experiment tree, run list and diff table over one tracking store."""

    CSS_PATH = "app.tcss"
    TITLE = "mltui"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("R", "reload", "Reload"),
        Binding("z", "maximize", "Maximize", show=False),
        Binding("colon", "goto", "Go to"),
    ]
    ALLOW_IN_MAXIMIZED_VIEW = "StatusBar, Footer"
    COMMANDS = App.COMMANDS | {MltuiCommands}

    def __init__(self, store: Store, experiment: str | None = None, config: Config | None = None) -> None:
        super().__init__()
        self.store = store
        self.initial_experiment = experiment
        self.config = config or Config.load()
        self.pending_run: str | None = None  # a run to highlight once the run list shows it
        self.start_note = ""  # why the first screen shows these runs, until the user opens others
        self._first_load = True

    def get_default_screen(self) -> Screen:
        self.main = MainScreen(self.config, id="_default")
        return self.main

    def compose(self) -> ComposeResult:
        yield PaneTabs(id="pane-tabs")
        with Horizontal(id="main"):
            yield ExperimentTree(self.store, id="experiments", classes=f"-width-{self.config.tree_width}")
            with Vertical(id="right"):
                yield RunList(self.config, self.store, self.store, id="runs")
                yield self._versions_pane()
                with Horizontal(id="bottom"):
                    yield DiffView(self.store, tuple(self.config.lower_is_better), self.store, id="diff")
                    yield ArtifactViewer(self.store, id="artifacts")
        yield StatusBar(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#experiments").border_title = "Experiments"
        self.query_one("#runs").border_title = "Runs"
        self.query_one("#diff").border_title = "Diff"
        self.query_one("#artifacts").border_title = "Artifacts"
        status = self.query_one(StatusBar)
        status.uri = self.store.uri
        status.read_only = self.store.read_only
        self.main.set_current("experiments")
        if self.config.tree_width == "hidden":
            self.query_one(RunList).table.focus()
        else:
            self.query_one(ExperimentTree).focus()
        self.load_experiments()
        self.call_after_refresh(self._preload_images)

    @work(thread=True, group="preload", exit_on_error=False)
    def _preload_images(self) -> None:
        """Import the image widget (numpy, Pillow) once the first frame is up, before any image is asked for."""
        image_widget()

    # -- loading ---------------------------------------------------------------

    @work(exclusive=True, group="experiments")
    async def load_experiments(self) -> None:
        """Connect (importing mlflow off the UI thread), then fill the tree."""
        status = self.query_one(StatusBar)
        tree = self.query_one(ExperimentTree)
        status.show_activity("retrying…" if status.error else "connecting…")
        try:
            await self.store.connect()
            status.uri = self.store.uri
            experiments = await self.store.experiments(include_deleted=tree.show_deleted)
        except StoreError as exc:
            status.show_error(str(exc))
            return
        tree.set_experiments(experiments)
        status.show_activity(
            plural(len(experiments), "experiment") + (f" · {self.store.note}" if self.store.note else "")
        )
        first, self._first_load = self._first_load, False
        if first and not self.initial_experiment:
            await self._open_most_recent(self.store, tree, experiments)
        self._open_initial(tree)
        try:
            tree.set_counts(await self.store.run_counts([e.experiment_id for e in experiments]))
        except StoreError as exc:
            status.show_error(f"run counts: {exc}")

    async def _open_most_recent(
        self, source: RecentRunSource, tree: ExperimentTree, experiments: list[Experiment]
    ) -> None:
        """With no `--experiment`, start where the user last worked: the experiment of the newest run."""
        live = [e.experiment_id for e in experiments if not e.deleted]
        try:
            newest = await source.latest_run(live) if live else None
        except StoreError as exc:
            self.query_one(StatusBar).show_error(f"newest run: {exc}")
            return
        if newest is None or self.query_one(RunList).experiments:
            return  # no runs at all, or the user opened something meanwhile
        experiment = tree.select_experiment(newest.experiment_id)
        if experiment is None:
            return
        self.open_experiments([experiment])
        self.start_note = f"opened {clean(experiment.name, max_len=60)}: it has the newest run"

    def _open_initial(self, tree: ExperimentTree) -> None:
        """Honour `--experiment` once, after the first successful load."""
        wanted, self.initial_experiment = self.initial_experiment, None
        if not wanted:
            return
        experiment = tree.select_experiment(wanted)
        if experiment is None:
            self.query_one(StatusBar).show_error(f"No experiment named or numbered {wanted!r}")
            return
        self.query_one(RunList).open([experiment])
        self.query_one(RunList).table.focus()

    # -- messages between panes -----------------------------------------------

    @on(ExperimentTree.Opened)
    @_ignored_after_teardown
    def _open_experiments(self, event: ExperimentTree.Opened) -> None:
        self.open_experiments(event.experiments)

    def open_experiments(self, experiments: list[Experiment]) -> None:
        self.main.show_runs_pane()
        self.start_note = ""
        runs = self.query_one(RunList)
        runs.open(experiments)
        runs.table.focus()

    def known_experiments(self) -> list[Experiment]:
        return self.query_one(ExperimentTree).experiments()

    @on(ExperimentTree.DeletedToggled)
    @_ignored_after_teardown
    def _deleted_toggled(self) -> None:
        self.load_experiments()

    @on(RunList.Progress)
    @_ignored_after_teardown
    def _progress(self, event: RunList.Progress) -> None:
        status = self.query_one(StatusBar)
        if event.error:
            status.show_error(event.error)
        else:
            notes = [note for note in (self.start_note, self.store.last_note) if note]
            note = "".join(f" · {text}" for text in notes)
            status.show_activity(plural(event.loaded, "run") + ("" if event.done else " · loading…") + note)
            if event.done:
                self._count_opened(event.loaded)
        self._highlight_pending_run(event.done)

    def _count_opened(self, loaded: int) -> None:
        """A finished unfiltered load of one experiment is its exact count (REST counts stop at 1,000+)."""
        runs = self.query_one(RunList)
        if len(runs.experiments) == 1 and runs.lookup is None and not runs.filter_string and not runs.show_deleted:
            self.query_one(ExperimentTree).set_counts({runs.experiments[0].experiment_id: loaded})

    @on(RunList.TickSummary)
    @_ignored_after_teardown
    def _tick_summary(self, event: RunList.TickSummary) -> None:
        self.query_one(StatusBar).show_ticks(event.text)

    @on(RunList.TicksChanged)
    @_ignored_after_teardown
    def _ticks_changed(self, event: RunList.TicksChanged) -> None:
        self.query_one(DiffView).show_runs(event.runs, event.baseline_id)

    @on(RunList.RunHighlighted)
    @_ignored_after_teardown
    def _run_highlighted(self, event: RunList.RunHighlighted) -> None:
        self.query_one(ArtifactViewer).show_run(event.run.run_id if event.run else None)
        self.query_one(DiffView).show_highlighted(event.run)

    @on(DiffView.ExportRequested)
    @_ignored_after_teardown
    def _export_requested(self, event: DiffView.ExportRequested) -> None:
        def write(fmt: str | None) -> None:
            if fmt:
                self.write_export(event.result, fmt)

        self.push_screen(ExportScreen(), write)

    def write_export(self, result: DiffResult, fmt: str) -> Path:
        """Write the table under the current directory and copy it (OSC 52)."""
        content = export(result, fmt)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path.cwd() / f"mltui-diff-{stamp}.{EXTENSIONS[fmt]}"
        path.write_text(content, encoding="utf-8")
        self.copy_to_clipboard(content)
        self.notify(f"Wrote {path} (also copied to the clipboard)", title="Exported", markup=False)
        return path

    @on(ArtifactViewer.CompareRequested)
    @_ignored_after_teardown
    def _compare_requested(self, event: ArtifactViewer.CompareRequested) -> None:
        self.compare_artifact(event.path)

    def compare_artifact(self, path: str) -> None:
        """Open the compare view of artifact `path` over the ticked runs, baseline first."""
        runs = self.query_one(RunList)
        ticked = list(runs.ticked.values())
        if len(ticked) < 2:
            self.query_one(StatusBar).show_error(
                f"Compare needs two or more ticked runs ({len(ticked)} ticked): tick runs with space in the run list"
            )
            return
        ordered = sorted(ticked, key=lambda run: run.run_id != runs.baseline_id)
        self.push_screen(ArtifactCompareScreen(self.store, path, [CompareRun(r.run_id, r.name) for r in ordered]))

    def action_compare_artifact(self) -> None:
        """Compare the artifact pane's highlighted file, or a path typed in, across the ticked runs."""
        path = self.query_one(ArtifactViewer).highlighted_file

        def chosen(text: str | None) -> None:
            if text and text.strip():
                self.compare_artifact(text.strip().strip("/"))

        if path is not None:
            self.compare_artifact(path)
        else:
            self.push_screen(
                PromptScreen("Artifact path to compare across the ticked runs:", "", "artifacts/config.yml"), chosen
            )

    # -- actions ---------------------------------------------------------------

    def action_goto(self) -> None:
        def chosen(text: str | None) -> None:
            if text:
                self.goto(text)

        self.push_screen(GotoScreen(), chosen)

    @work(exclusive=True, group="goto")
    async def goto(self, text: str) -> None:
        """List every run matching `text`, across all experiments."""
        status = self.query_one(StatusBar)
        status.show_activity(f"searching every experiment for {text}…")
        try:
            runs = await self.store.find_runs(text)
        except StoreError as exc:
            status.show_error(str(exc))
            return
        if not runs:
            status.show_error(f"No run matches {text!r} (tried run id or id prefix, invocation_id, run name)")
            return
        by_id = {e.experiment_id: e for e in self.known_experiments()}
        experiments = [by_id.get(i) or Experiment(i, i) for i in dict.fromkeys(r.experiment_id for r in runs)]
        self.main.show_runs_pane()
        run_list = self.query_one(RunList)
        run_list.show_lookup(text, runs, experiments)
        run_list.table.focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[Section]:
        """The keys of the App, each pane (with its children) and each screen, from their bindings."""
        main = self.main
        sections: list[Section] = [("Global", binding_rows([type(self), type(main)], self.get_key_display))]
        if self.ENABLE_COMMAND_PALETTE:
            sections[0][1].append((self.get_key_display(Binding(self.COMMAND_PALETTE_BINDING, "")), "Command palette"))
        panes = []
        for pane_id, title in [*PANES, ("versions", "Model versions")]:
            pane = main.query_one(f"#{pane_id}")
            panes.append((title, list(dict.fromkeys(type(n) for n in pane.walk_children(with_self=True)))))
        return (
            sections
            + pane_sections(panes, self.get_key_display)
            + screen_sections(self.get_key_display, listed=[type(main)])
        )

    def action_reload(self) -> None:
        self.load_experiments()
        runs = self.query_one(RunList)
        if runs.experiments:
            runs.load()
        self.query_one(ArtifactViewer).reload()
        self._reload_models()

    def action_maximize(self) -> None:
        focused = self.focused
        if self.screen.maximized is not None:
            self.screen.minimize()
            return
        for pane_id in ("#experiments", "#runs", "#versions", "#diff", "#artifacts"):
            pane = self.query_one(pane_id)
            if focused is not None and (focused is pane or pane in focused.ancestors):
                self.screen.maximize(pane, container=False)
                return

    # -- models: the tree's Models section and the versions pane ---------------------

    def _versions_pane(self) -> ModelVersions:
        """The versions list shares the run list's place; hidden until a model is opened."""
        pane = ModelVersions(self.store, self.store, id="versions")
        pane.add_class("-swapped-out")
        return pane

    @on(ExperimentTree.ModelOpened)
    @_ignored_after_teardown
    def _model_opened(self, event: ExperimentTree.ModelOpened) -> None:
        self.query_one(ModelVersions).show_model(event.model)
        self.main.show_versions_pane()

    @on(ExperimentTree.LoggedModelsOpened)
    @_ignored_after_teardown
    def _logged_models_opened(self, event: ExperimentTree.LoggedModelsOpened) -> None:
        self.show_logged_models(event.experiments)

    @on(RunDetailView.LoggedModelsRequested)
    @_ignored_after_teardown
    def _detail_logged_models(self, event: RunDetailView.LoggedModelsRequested) -> None:
        by_id = {e.experiment_id: e for e in self.known_experiments()}
        self.show_logged_models(
            [by_id.get(event.experiment_id) or Experiment(event.experiment_id, event.experiment_id)]
        )

    def show_logged_models(self, experiments: list[Experiment]) -> None:
        """List the MLflow 3 logged models of `experiments` in the versions pane (also for the run detail)."""
        self.query_one(ModelVersions).show_logged_models(experiments)
        self.main.show_versions_pane()

    @on(ModelVersions.TicksChanged)
    @_ignored_after_teardown
    def _version_ticks_changed(self, event: ModelVersions.TicksChanged) -> None:
        self.query_one(DiffView).show_runs(event.runs, event.baseline_id)

    @on(ModelVersions.RunHighlighted)
    @_ignored_after_teardown
    def _version_highlighted(self, event: ModelVersions.RunHighlighted) -> None:
        self.query_one(ArtifactViewer).show_run(event.run_id)

    @on(ModelVersions.ModelChanged)
    @_ignored_after_teardown
    def _model_changed(self, event: ModelVersions.ModelChanged) -> None:
        self.update_model(event.model)

    def update_model(self, model: RegisteredModel) -> None:
        self.query_one(ExperimentTree).update_model(model)

    @on(ModelVersions.GoToRun)
    @_ignored_after_teardown
    def _go_to_version_run(self, event: ModelVersions.GoToRun) -> None:
        self.go_to_run(event.run_id, event.experiment_id)

    def go_to_run(self, run_id: str, experiment_id: str) -> None:
        """Open the run's experiment in the run list and put the cursor on the run once it is listed."""
        tree = self.query_one(ExperimentTree)
        experiment = tree.select_experiment(experiment_id) or Experiment(experiment_id, experiment_id)
        self.pending_run = run_id
        self.open_experiments([experiment])

    def _highlight_pending_run(self, done: bool) -> None:
        run_id = self.pending_run
        if run_id is None:
            return
        if self.query_one(RunList).highlight_run(run_id):
            self.pending_run = None
        elif done:
            self.pending_run = None
            self.query_one(StatusBar).show_error(f"Run {run_id[:8]} is not in the list (deleted, or folded away)")

    def _reload_models(self) -> None:
        self.query_one(ExperimentTree).reload_models()
        if self.main.versions_shown:
            self.query_one(ModelVersions).load()
