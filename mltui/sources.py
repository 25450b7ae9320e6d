"""The narrow, typed views of the tracking store that panes are handed.

Panes never see `mltui.store.Store` itself: the App passes each pane only the
part it needs, so a pane cannot reach past its job (a diff cannot delete a
run) and a test or another backend can stand in with any object of the right
shape. `Store` satisfies every protocol here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Protocol

from mltui.models import ArtifactEntry, LoggedModel, ModelVersion, RegisteredModel, Run, RunDetail


class RunSource(Protocol):
    """Runs of some experiments, page by page, and their fresh state."""

    def iter_runs(
        self,
        experiment_ids: list[str],
        filter_string: str = "",
        order_by: list[str] | None = None,
        include_deleted: bool = False,
        first_page: int | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[list[Run]]: ...

    async def refresh_runs(self, experiment_ids: list[str], run_ids: list[str]) -> list[Run]: ...

    @property
    def sorts_in_sql(self) -> bool:
        """True when a sorted reload is a quick SQL query (not a server's or MLflow's slow sort)."""
        ...

    async def runs_since(
        self, experiment_ids: list[str], since_ms: int, filter_string: str = "", include_deleted: bool = False
    ) -> list[Run]: ...


class RecentRunSource(Protocol):
    """The newest run of some experiments: where a first screen starts."""

    async def latest_run(self, experiment_ids: list[str]) -> Run | None: ...


class HistorySource(Protocol):
    """Every logged point of one metric of one run."""

    async def metric_history(self, run_id: str, key: str) -> list[tuple[int, int, float]]: ...


class ArtifactSource(Protocol):
    """A run's artifact tree, one level at a time, and local copies of its files."""

    async def list_artifacts(self, run_id: str, path: str | None = None) -> list[ArtifactEntry]: ...

    async def download_artifact(self, run_id: str, path: str) -> Path: ...

    async def read_artifact_tail(self, run_id: str, path: str, max_bytes: int) -> bytes:
        """The last `max_bytes` of a file, without fetching the rest where the store allows."""
        ...


class TriageWriter(Protocol):
    """The writes a user may ask for from the run list; each raises ReadOnlyError in read-only mode."""

    @property
    def read_only(self) -> bool: ...

    async def get_run(self, run_id: str) -> Run: ...

    async def set_tag(self, run_id: str, key: str, value: str) -> None: ...

    async def delete_tag(self, run_id: str, key: str) -> None: ...

    async def rename_run(self, run_id: str, name: str) -> None: ...

    async def delete_run(self, run_id: str) -> None: ...

    async def restore_run(self, run_id: str) -> None: ...


class RunDetailSource(Protocol):
    """One run in full: step counts, datasets, parent and children."""

    async def run_detail(self, run_id: str) -> RunDetail: ...


class ModelSource(Protocol):
    """Registered models page by page, filtered with MLflow's registry search syntax (the tree's Models section)."""

    async def search_registered_models(
        self, filter_string: str = "", page_token: str | None = None, max_results: int = ...
    ) -> tuple[list[RegisteredModel], str | None]: ...


class VersionSource(Protocol):
    """A model's versions, experiments' logged models, and the runs behind them (for the diff)."""

    async def model_versions(self, name: str) -> list[ModelVersion]: ...

    async def search_logged_models(self, experiment_ids: list[str]) -> list[LoggedModel]: ...

    async def get_runs(self, run_ids: Iterable[str]) -> list[Run]: ...


class RegistryWriter(Protocol):
    """The registry writes a user may ask for from the versions list; each raises ReadOnlyError in read-only mode."""

    @property
    def read_only(self) -> bool: ...

    async def set_model_alias(self, name: str, alias: str, version: int) -> None: ...

    async def delete_model_alias(self, name: str, alias: str) -> None: ...

    async def set_model_version_tag(self, name: str, version: int, key: str, value: str) -> None: ...

    async def update_model_version_description(self, name: str, version: int, description: str) -> None: ...
