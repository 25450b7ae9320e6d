"""Plain data passed from the MLflow access layer to the UI.

Nothing here imports mlflow: these are the shapes the rest of mltui sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PARENT_TAG = "mlflow.parentRunId"
RUN_NAME_TAG = "mlflow.runName"
NOTE_TAG = "mlflow.note.content"


class StoreError(Exception):
    """A failure of the tracking store, phrased for the user in one line."""


class ReadOnlyError(StoreError):
    """A write was attempted in read-only mode."""


@dataclass(slots=True)
class Experiment:
    experiment_id: str
    name: str
    lifecycle_stage: str = "active"
    artifact_location: str = ""
    run_count: int | None = None

    @property
    def deleted(self) -> bool:
        return self.lifecycle_stage == "deleted"


@dataclass(slots=True)
class Run:
    """One run, reduced to what mltui shows (latest metric values only)."""

    run_id: str
    name: str
    experiment_id: str
    status: str = "FINISHED"
    start_time: int | None = None  # epoch milliseconds
    end_time: int | None = None
    lifecycle_stage: str = "active"
    user: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def short_id(self) -> str:
        return self.run_id[:8]

    @property
    def parent_id(self) -> str | None:
        return self.tags.get(PARENT_TAG) or None

    @property
    def deleted(self) -> bool:
        return self.lifecycle_stage == "deleted"

    @property
    def duration_ms(self) -> int | None:
        if self.start_time is None or self.end_time is None:
            return None
        return max(0, self.end_time - self.start_time)


@dataclass(slots=True, frozen=True)
class ArtifactEntry:
    path: str  # relative to the run's artifact root, "/"-separated
    is_dir: bool
    size: int | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(slots=True, frozen=True)
class RunRef:
    """Another run named from a detail view: a parent or a child."""

    run_id: str
    name: str

    @property
    def short_id(self) -> str:
        return self.run_id[:8]


@dataclass(slots=True, frozen=True)
class DatasetInput:
    """One dataset a run consumed (`run.inputs.dataset_inputs`)."""

    name: str
    digest: str
    source_type: str
    context: str = ""  # the `mlflow.data.context` input tag: training, eval, ...
    source: str = ""


@dataclass(slots=True)
class RunDetail:
    """Everything the run detail view shows beyond the run list's `Run`."""

    run: Run
    metric_steps: dict[str, int | None] = field(default_factory=dict)  # None: not counted (too many metrics)
    datasets: list[DatasetInput] = field(default_factory=list)
    parent: RunRef | None = None
    children: list[RunRef] = field(default_factory=list)
    more_children: bool = False  # the children list was capped


@dataclass(slots=True)
class RegisteredModel:
    """A model of the registry: its newest version number and its aliases."""

    name: str
    latest_version: int | None = None
    aliases: dict[str, int] = field(default_factory=dict)  # alias -> version
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    updated: int | None = None  # epoch milliseconds

    def aliases_of(self, version: int) -> list[str]:
        """The aliases pointing at `version`, sorted."""
        return sorted(alias for alias, target in self.aliases.items() if target == version)


@dataclass(slots=True)
class ModelVersion:
    """One version of a registered model, with the run that produced it (when known)."""

    name: str
    version: int
    run_id: str = ""
    source: str = ""
    status: str = "READY"
    created: int | None = None  # epoch milliseconds
    description: str = ""
    aliases: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    run_name: str = ""  # empty when the source run is unknown or gone
    experiment_id: str = ""

    @property
    def key(self) -> str:
        return f"{self.name}\x00{self.version}"

    @property
    def label(self) -> str:
        """`v7`: how the diff and the tree name a version."""
        return f"v{self.version}"


@dataclass(slots=True)
class LoggedModel:
    """An MLflow 3 logged model: what a run logged, with the metrics linked to it."""

    model_id: str
    name: str
    experiment_id: str
    source_run_id: str = ""
    status: str = ""
    created: int | None = None  # epoch milliseconds
    model_type: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    run_name: str = ""

    @property
    def key(self) -> str:
        return self.model_id
