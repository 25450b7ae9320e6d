"""The model registry and MLflow 3 logged models, as methods of `mltui.store.Store`.

A mixin kept apart from `store.py` so that module stays readable; it works on
the MlflowClient the store hands its jobs (duck-typed: nothing here imports
`mlflow`), runs every call through `Store._call` (a worker thread, one-line
errors) and refuses writes through `Store._check_writable`.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from mltui.models import LoggedModel, ModelVersion, RegisteredModel, StoreError
from mltui.text import clean

MODELS_PAGE = 100
LOGGED_MODELS_CAP = 5000
EXPERIMENTS_A_SEARCH = 100  # "all experiments" of a big server would not fit one request
RUN_NAME_THREADS = 8

# How stores and servers without a registry answer a registry call.
_NO_REGISTRY_SIGNS = ("404", "endpoint_not_found", "feature_disabled", "not supported", "not implemented")


class RegistryAccess:
    """Registered models, their versions and aliases; logged models of experiments."""

    if TYPE_CHECKING:
        read_only: bool

        async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any: ...

        def _check_writable(self) -> None: ...

    async def _registry_call(self, fn: Any, *args: Any) -> Any:
        """`_call`, with "this store has no registry" said in one plain line."""
        try:
            return await self._call(fn, *args)
        except StoreError as exc:
            if any(sign in str(exc).lower() for sign in _NO_REGISTRY_SIGNS):
                raise StoreError(f"No model registry here: {clean(exc, max_len=160)}") from exc
            raise

    # -- reading ------------------------------------------------------------------

    async def search_registered_models(
        self, filter_string: str = "", page_token: str | None = None, max_results: int = MODELS_PAGE
    ) -> tuple[list[RegisteredModel], str | None]:
        """One page of registered models (MLflow registry filter syntax) and the next page's token."""

        def job(client: Any) -> tuple[list[RegisteredModel], str | None]:
            page = client.search_registered_models(
                filter_string=filter_string or None, max_results=max_results, page_token=page_token
            )
            return [to_registered_model(m) for m in page], page.token or None

        return await self._registry_call(job)

    async def model_versions(self, name: str) -> list[ModelVersion]:
        """Every version of one model, newest first, with aliases and source run names."""

        def job(client: Any) -> list[ModelVersion]:
            model = to_registered_model(client.get_registered_model(name))
            found: list[ModelVersion] = []
            token = None
            while True:
                page = client.search_model_versions(version_filter(name), page_token=token)
                found.extend(to_model_version(v, model) for v in page)
                token = page.token
                if not token:
                    break
            names = _run_names(client, {v.run_id for v in found if v.run_id})
            for version in found:
                version.run_name, version.experiment_id = names.get(version.run_id, ("", ""))
            return sorted(found, key=lambda v: -v.version)

        return await self._registry_call(job)

    async def search_logged_models(self, experiment_ids: list[str]) -> list[LoggedModel]:
        """The MLflow 3 logged models of these experiments, with their latest metrics."""

        def job(client: Any) -> list[LoggedModel]:
            found: list[LoggedModel] = []
            for start in range(0, len(experiment_ids), EXPERIMENTS_A_SEARCH):
                chunk, token = experiment_ids[start : start + EXPERIMENTS_A_SEARCH], None
                while len(found) < LOGGED_MODELS_CAP:
                    page = client.search_logged_models(experiment_ids=chunk, max_results=100, page_token=token)
                    found.extend(to_logged_model(m) for m in page)
                    token = page.token
                    if not token:
                        break
            names = _run_names(client, {m.source_run_id for m in found if m.source_run_id})
            for model in found:
                model.run_name = names.get(model.source_run_id, ("", ""))[0]
            return sorted(found, key=lambda m: -(m.created or 0))

        return await self._registry_call(job)

    # -- writes (explicit user actions only) --------------------------------------

    async def set_model_alias(self, name: str, alias: str, version: int) -> None:
        """Point `alias` at `version` (MLflow moves it off any other version)."""
        self._check_writable()
        await self._registry_call(lambda c: c.set_registered_model_alias(name, alias, str(version)))

    async def delete_model_alias(self, name: str, alias: str) -> None:
        self._check_writable()
        await self._registry_call(lambda c: c.delete_registered_model_alias(name, alias))

    async def set_model_version_tag(self, name: str, version: int, key: str, value: str) -> None:
        self._check_writable()
        await self._registry_call(lambda c: c.set_model_version_tag(name, str(version), key, value))

    async def update_model_version_description(self, name: str, version: int, description: str) -> None:
        self._check_writable()
        await self._registry_call(lambda c: c.update_model_version(name, str(version), description=description))


def version_filter(name: str) -> str:
    """`name='m'` for search_model_versions, quoted so that a quote in the name does not break it."""
    if "'" not in name:
        return f"name='{name}'"
    if '"' not in name:
        return f'name="{name}"'
    raise StoreError(f"Cannot search the versions of a model named {clean(name, max_len=80)} (both quote kinds)")


def to_registered_model(model: Any) -> RegisteredModel:
    """Convert an `mlflow.entities.model_registry.RegisteredModel` into plain data."""
    latest = [int(v.version) for v in (model.latest_versions or [])]
    return RegisteredModel(
        name=model.name,
        latest_version=max(latest) if latest else None,
        aliases={alias: int(version) for alias, version in _aliases(model.aliases).items()},
        description=model.description or "",
        tags=dict(model.tags or {}),
        updated=model.last_updated_timestamp,
    )


def _aliases(raw: Any) -> dict[str, Any]:
    """Aliases come as a dict from SQL stores and as a list of (alias, version) entities over REST."""
    if isinstance(raw, dict):
        return raw
    return {entry.alias: entry.version for entry in raw or []}


def to_model_version(version: Any, model: RegisteredModel) -> ModelVersion:
    number = int(version.version)
    return ModelVersion(
        name=version.name,
        version=number,
        run_id=version.run_id or "",
        source=version.source or "",
        status=str(version.status or ""),
        created=version.creation_timestamp,
        description=version.description or "",
        aliases=model.aliases_of(number),
        tags=dict(version.tags or {}),
    )


def to_logged_model(model: Any) -> LoggedModel:
    latest: dict[str, tuple[int, int, float]] = {}
    for metric in model.metrics or []:
        seen = latest.get(metric.key)
        if seen is None or (metric.step, metric.timestamp) >= seen[:2]:
            latest[metric.key] = (metric.step, metric.timestamp, metric.value)
    status = model.status
    return LoggedModel(
        model_id=model.model_id,
        name=model.name or "",
        experiment_id=model.experiment_id,
        source_run_id=model.source_run_id or "",
        status=str(getattr(status, "value", status) or ""),
        created=model.creation_timestamp,
        model_type=model.model_type or "",
        metrics={key: value for key, (_, _, value) in latest.items()},
        params=dict(model.params or {}),
        tags=dict(model.tags or {}),
    )


def _run_names(client: Any, run_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """run id -> (run name, experiment id) for the runs that still exist; a few requests at once."""

    def one(run_id: str) -> tuple[str, tuple[str, str] | None]:
        try:
            info = client.get_run(run_id).info
        except Exception:  # noqa: BLE001 - a run purged, or in another store: no name
            return run_id, None
        return run_id, (info.run_name or run_id[:8], info.experiment_id)

    ids = sorted(run_ids)
    if not ids:
        return {}
    with ThreadPoolExecutor(max_workers=min(RUN_NAME_THREADS, len(ids))) as pool:
        return {run_id: found for run_id, found in pool.map(one, ids) if found is not None}
