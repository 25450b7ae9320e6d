"""All MLflow access lives here: the only module that imports `mlflow`.

Every public coroutine runs the blocking MlflowClient call in a worker thread
and returns plain data from `mltui.models`. `mlflow` is imported lazily, in
that thread, so the UI paints its first frame before the ~2 s import ends.
Failures surface as `StoreError` carrying one line a person can read.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from sys import intern
from typing import Any
from urllib.parse import urlparse

from mltui import fastpath
from mltui.errors import friendly_error
from mltui.fastpath import RunCount, Unsupported
from mltui.locations import resolve_location, sqlite_path
from mltui.lookup import lookup_filters, matches, narrow, parse_lookup
from mltui.models import RUN_NAME_TAG, ArtifactEntry, Experiment, ReadOnlyError, Run, RunDetail, StoreError
from mltui.run_details import fetch_run_detail
from mltui.run_search import id_prefix_pages, search_pages
from mltui.sqlfast import gc_paused  # cyclic GC off while a page is built (bench/bench_runs.py)
from mltui.store_registry import RegistryAccess
from mltui.text import clean, mask_uri

FIRST_PAGE = 100
PAGE_SIZE = 1000

# A dead server must fail in seconds, not minutes: MLflow's defaults (7 retries, 120 s
# timeout) block a call for minutes. urllib3 retries read timeouts too (MLflow sets
# `read=max_retries`), so the worst case of one call is (retries + 1) x timeout: one
# 4 s attempt keeps a black-holed server's message under 10 s even counting the
# 2 s mlflow import; `R` is the retry. Only applied where the user set nothing.
_HTTP_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "4",
}


class Store(RegistryAccess):
    """Async facade over one MlflowClient, bound to one tracking URI (registry methods: RegistryAccess)."""

    def __init__(
        self,
        location: str | None = None,
        *,
        read_only: bool = False,
        page_sizes: tuple[int, int] = (FIRST_PAGE, PAGE_SIZE),
    ) -> None:
        uri, note = resolve_location(location)
        self.page_sizes = page_sizes
        self.requested_uri = uri
        self.note = note
        self.read_only = read_only
        self._uri: str | None = uri
        self._client: Any = None
        self._lock = threading.Lock()
        self._cache_dir: Path | None = None
        self._downloads: dict[tuple[str, str], Path] = {}
        self._artifact_roots: dict[str, Path | None] = {}
        self.last_note = ""  # why the latest run load went through MLflow instead of SQL ("" if it did not)
        self._fast_ok: bool | None = None  # the fast path read this store (None: not tried yet)
        self._fast_reason = ""
        self._last_fast = False  # the latest run load was read by SQL
        self._warm_started = False

    # -- connection -------------------------------------------------------

    @property
    def uri(self) -> str:
        """The tracking URI with credentials masked (safe to display)."""
        return mask_uri(self._uri) if self._uri else "MLflow default store"

    def _get_client(self) -> Any:
        """Create the client on first use (in a worker thread)."""
        with self._lock:
            if self._client is not None:
                return self._client
            for key, value in _HTTP_DEFAULTS.items():
                os.environ.setdefault(key, value)
            uri = self.requested_uri
            if uri and uri.startswith("file:"):
                os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
            if uri is None:
                from mlflow.tracking import get_tracking_uri

                uri = get_tracking_uri()
            self._uri = uri
            self._check_exists(uri)
            from mlflow import MlflowClient

            # MLflow's INFO lines would write over the UI; failures reach the user as StoreError.
            logging.getLogger("mlflow").setLevel(logging.ERROR)
            self._client = MlflowClient(tracking_uri=uri)
            return self._client

    @staticmethod
    def _check_exists(uri: str) -> None:
        """Refuse to create a new, empty store where the user expected one."""
        db = sqlite_path(uri)
        if db is not None and not db.is_file():
            raise StoreError(f"No MLflow database at {db}")
        if uri.startswith("file:"):
            folder = Path(urlparse(uri).path)
            if not folder.is_dir():
                raise StoreError(f"No MLflow store folder at {folder}")

    async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run `fn(client, ...)` in a thread; translate failures."""

        def job() -> Any:
            return fn(self._get_client(), *args, **kwargs)

        try:
            return await asyncio.to_thread(job)
        except StoreError:
            raise
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise StoreError(friendly_error(exc, self._uri or "")) from exc

    async def connect(self) -> str:
        """Check the store answers: by SQL on a database we can read (mlflow is imported
        later, see `warm_up`), else by importing mlflow and asking the client."""
        if await self._fast_experiments(include_deleted=False) is not None:
            return self.uri  # mlflow is imported once the first rows are read (see `warm_up`)
        await self._call(lambda c: c.search_experiments(max_results=1))
        return self.uri

    def warm_up(self) -> None:
        """Import mlflow and build the client in the background, ahead of the first call that needs it.

        Started after the first page of runs, not at connect: the ~1.5 s import holds
        the GIL, and a page read beside it waits for the GIL at every SQLite row step
        (first rows at 100,000 runs: 2.4 s beside the import, 0.3 s without).
        """
        if self._warm_started or self._client is not None:
            return
        self._warm_started = True

        def build() -> None:
            with contextlib.suppress(Exception):  # failures surface at the call that needs the client
                self._get_client()

        threading.Thread(target=build, name="mltui-import-mlflow", daemon=True).start()

    async def _fast_experiments(self, include_deleted: bool) -> list[Experiment] | None:
        """The experiments by SQL, or None when the fast path cannot read this store."""
        uri = self._uri
        if self._fast_ok is False or not uri or not fastpath.sqlfast.is_db_uri(uri):
            return None
        try:
            found = await asyncio.to_thread(fastpath.experiments, uri, include_deleted)
        except Unsupported as why:
            self._fast_ok, self._fast_reason = False, fastpath.reason(why)
            self.last_note = self._fast_reason
            return None
        self._fast_ok = True
        return found

    # -- experiments ------------------------------------------------------

    async def experiments(self, include_deleted: bool = False) -> list[Experiment]:
        fast = await self._fast_experiments(include_deleted)
        if fast is not None:
            return fast

        def job(client: Any) -> list[Experiment]:
            from mlflow.entities import ViewType

            view = ViewType.ALL if include_deleted else ViewType.ACTIVE_ONLY
            found: list[Experiment] = []
            token = None
            while True:
                page = client.search_experiments(view_type=view, max_results=1000, page_token=token)
                found.extend(
                    Experiment(e.experiment_id, e.name, e.lifecycle_stage, e.artifact_location or "") for e in page
                )
                token = page.token
                if not token:
                    return found

        return await self._call(job)

    async def run_counts(self, experiment_ids: list[str]) -> dict[str, RunCount]:
        """Active runs per experiment: exact by SQL on databases; over REST one page each ("1,000+")."""
        uri = self._uri or ""
        if self._fast_ok and fastpath.sqlfast.is_db_uri(uri):
            with contextlib.suppress(Unsupported):
                exact = await asyncio.to_thread(fastpath.sqlfast.exact_counts, uri)
                return {exp_id: RunCount(exact.get(exp_id, 0)) for exp_id in experiment_ids}

        return await self._call(fastpath.count_one_page, experiment_ids)

    async def latest_run(self, experiment_ids: list[str]) -> Run | None:
        """The run started last across these experiments (None: no runs), to pick a first screen."""
        newest_first = ["attributes.start_time DESC"]
        if self._fast_ok and self._uri and fastpath.sqlfast.is_db_uri(self._uri):
            with contextlib.suppress(Unsupported):  # by SQL: the first screen need not wait for mlflow
                return await fastpath.first_run(self._uri, experiment_ids, newest_first)

        def job(client: Any) -> Run | None:
            newest: Any = None
            for start in range(0, len(experiment_ids), 100):
                page = client.search_runs(experiment_ids[start : start + 100], max_results=1, order_by=newest_first)
                if page and (newest is None or (page[0].info.start_time or 0) > (newest.info.start_time or 0)):
                    newest = page[0]
            return to_run(newest) if newest is not None else None

        return await self._call(job)

    # -- runs ---------------------------------------------------------------

    async def iter_runs(
        self,
        experiment_ids: list[str],
        filter_string: str = "",
        order_by: list[str] | None = None,
        include_deleted: bool = False,
        first_page: int | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[list[Run]]:
        """Yield runs page by page: a small first page, then larger ones."""

        def page_job(client: Any, token: str | None, size: int) -> tuple[list[Run], str | None]:
            from mlflow.entities import ViewType

            view = ViewType.ALL if include_deleted else ViewType.ACTIVE_ONLY
            with gc_paused():
                page = client.search_runs(
                    experiment_ids,
                    filter_string=filter_string,
                    run_view_type=view,
                    max_results=size,
                    order_by=order_by or None,
                    page_token=token,
                )
                return [to_run(r) for r in page], page.token

        first_page = first_page or self.page_sizes[0]
        page_size = page_size or self.page_sizes[1]
        gc.unfreeze()  # the runs of an earlier load may be let go now
        self.last_note = self._fast_reason
        self._last_fast = False
        if self._fast_ok is not False and self._uri and fastpath.sqlfast.is_db_uri(self._uri):
            try:
                pages = await fastpath.start_pages(
                    self._uri, experiment_ids, filter_string, include_deleted, order_by, first_page, page_size
                )
            except Unsupported as why:
                self.last_note = fastpath.reason(why)
            else:
                self._last_fast = True
                async for runs in fastpath.pages_in_threads(pages):
                    yield runs
                    gc.freeze()
                    self.warm_up()
                return
        token, size = None, first_page
        while True:
            runs, token = await self._call(page_job, token, size)
            yield runs
            # The page is held by the UI now. Frozen objects are still freed by
            # reference counting, but full collections no longer re-scan them:
            # with 100,000 runs held, one such scan stalls the UI for ~350 ms.
            gc.freeze()
            if not token:
                return
            size = page_size

    @property
    def sorts_in_sql(self) -> bool:
        """A new sorted load is cheap: the latest one was read by SQL (MLflow's own sort can take minutes)."""
        return self._last_fast

    async def get_run(self, run_id: str) -> Run:
        try:
            return await self._call(lambda c: to_run(c.get_run(run_id)))
        except StoreError as exc:
            if "not found" in str(exc).lower() or "no run" in str(exc).lower():
                raise StoreError(f"No run with id {clean(run_id, max_len=80)}") from exc
            raise

    async def get_runs(self, run_ids: Iterable[str]) -> list[Run]:
        return [await self.get_run(run_id) for run_id in run_ids]

    async def metric_history(self, run_id: str, key: str) -> list[tuple[int, int, float]]:
        """(step, timestamp, value) of every logged point, in step order."""

        def job(client: Any) -> list[tuple[int, int, float]]:
            points = client.get_metric_history(run_id, key)
            return sorted((m.step, m.timestamp, m.value) for m in points)

        return await self._call(job)

    async def run_detail(self, run_id: str) -> RunDetail:
        """The run as stored now, with step counts, datasets, parent and children."""
        return await self._call(fetch_run_detail, run_id, sqlite_path(self._uri or ""), to_run)

    async def find_runs(self, text: str, limit: int = 5000, *, invocation: bool = True) -> list[Run]:
        """Every active run matching a pasted id, id prefix, `key=value` or bare value, in any experiment.

        A bare value is tried as a whole run id first (that run, even in a
        deleted experiment), then as a run-id prefix (4+ hex digits), an
        `invocation_id` param or tag (unless `invocation` is False) and a
        case-insensitive part of a run name. Newest first, at most `limit`.
        """
        lookup = parse_lookup(text)
        if lookup.maybe_run_id:
            try:
                return [await self.get_run(lookup.text.lower())]
            except StoreError:
                pass

        def job(client: Any) -> list[Run]:
            ids = [e.experiment_id for e in _all_experiments(client)]
            found: dict[str, Run] = {}
            for filter_string in lookup_filters(lookup, invocation=invocation):
                if filter_string.startswith("attributes.run_id"):
                    pages = id_prefix_pages(client, ids, filter_string, lookup.id_prefix or "")
                else:
                    pages = search_pages(client, ids, filter_string)
                for page in pages:
                    for run in page:
                        if run.info.run_id not in found:
                            converted = to_run(run)
                            if matches(lookup, converted, invocation=invocation):
                                found[converted.run_id] = converted
                    if len(found) >= limit:
                        break
            return sorted(found.values(), key=lambda r: -(r.start_time or 0))[:limit]

        return await self._call(job)

    async def resolve_run(self, reference: str) -> list[Run]:
        """The runs a command-line reference (id, id prefix, run name) may mean; one when it is clear."""
        lookup = parse_lookup(reference)
        if lookup.key is not None:
            lookup = parse_lookup(reference.replace("=", " "))  # not key=value here: a plain name
        if lookup.maybe_run_id:
            return [await self.get_run(lookup.text.lower())]
        return narrow(lookup, await self.find_runs(reference, limit=200, invocation=False))

    async def runs_since(
        self, experiment_ids: list[str], since_ms: int, filter_string: str = "", include_deleted: bool = False
    ) -> list[Run]:
        """Runs of these experiments started at or after `since_ms` that pass the filter (live refresh)."""
        clause = f"attributes.start_time >= {int(since_ms)}"
        combined = f"{filter_string} AND {clause}" if filter_string.strip() else clause

        def job(client: Any) -> list[Run]:
            from mlflow.entities import ViewType

            view = ViewType.ALL if include_deleted else ViewType.ACTIVE_ONLY
            page = client.search_runs(experiment_ids, filter_string=combined, run_view_type=view, max_results=1000)
            return [to_run(run) for run in page]

        if not experiment_ids:
            return []
        return await self._call(job)

    async def refresh_runs(self, experiment_ids: list[str], run_ids: list[str]) -> list[Run]:
        """Current state of the RUNNING runs of these experiments plus the given runs."""

        def job(client: Any) -> list[Run]:
            found = {}
            if experiment_ids:
                for run in client.search_runs(
                    experiment_ids, filter_string="attributes.status = 'RUNNING'", max_results=1000
                ):
                    found[run.info.run_id] = to_run(run)
            for run_id in run_ids:
                if run_id not in found:
                    found[run_id] = to_run(client.get_run(run_id))
            return list(found.values())

        return await self._call(job)

    # -- artifacts ------------------------------------------------------------

    async def list_artifacts(self, run_id: str, path: str | None = None) -> list[ArtifactEntry]:
        def job(client: Any) -> list[ArtifactEntry]:
            infos = client.list_artifacts(run_id, path)
            entries = [ArtifactEntry(i.path, i.is_dir, i.file_size) for i in infos]
            return sorted(entries, key=lambda e: (not e.is_dir, e.path.lower()))

        return await self._call(job)

    async def download_artifact(self, run_id: str, path: str) -> Path:
        """A local path to one artifact (file or folder), fetched at most once per session.

        Artifacts already on this machine (a local artifact root) are used in
        place: a 200 MiB log is then read where it lies, never copied.
        """
        key = (run_id, path)
        cached = self._downloads.get(key)
        if cached is not None and cached.exists():
            return cached

        def job(client: Any) -> Path:
            in_place = self._local_artifact(client, run_id, path)
            if in_place is not None:
                return in_place
            if self._cache_dir is None:
                self._cache_dir = Path(tempfile.mkdtemp(prefix="mltui-artifacts-"))
            dst = self._cache_dir / run_id
            dst.mkdir(parents=True, exist_ok=True)
            return Path(client.download_artifacts(run_id, path, dst_path=str(dst)))

        local = await self._call(job)
        self._downloads[key] = local
        return local

    async def read_artifact_tail(self, run_id: str, path: str, max_bytes: int) -> bytes:
        """The last `max_bytes` of an artifact file: read in place when local; from a tracking
        server by an HTTP Range request (MLflow's artifact endpoints honour it), never whole on disk."""

        def job(client: Any) -> bytes:
            in_place = self._local_artifact(client, run_id, path)
            if in_place is not None:
                return fastpath.local_tail(str(in_place), max_bytes)
            if (self._uri or "").startswith(("http://", "https://")):
                from mlflow.utils.rest_utils import http_request

                creds = client._tracking_client.store.get_host_creds()
                params = {"run_uuid": run_id, "path": path}
                headers = {"Range": f"bytes=-{max_bytes}"}
                response = http_request(
                    creds, "/get-artifact", "GET", params=params, extra_headers=headers, stream=True
                )
                with contextlib.closing(response):
                    if response.status_code not in (200, 206):
                        raise StoreError(f"artifact {clean(path, max_len=80)}: HTTP {response.status_code}")
                    return fastpath.keep_tail(response, max_bytes)
            scratch = tempfile.mkdtemp(prefix="mltui-tail-")  # other artifact stores: a copy, dropped at once
            try:
                return fastpath.local_tail(client.download_artifacts(run_id, path, dst_path=scratch), max_bytes)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)

        return await self._call(job)

    def _local_artifact(self, client: Any, run_id: str, path: str) -> Path | None:
        """The artifact's own file when the run's artifact root is a local folder."""
        if run_id not in self._artifact_roots:
            uri = client.get_run(run_id).info.artifact_uri or ""
            root = None
            if uri.startswith("file:"):
                root = Path(urlparse(uri).path)
            elif uri.startswith("/"):
                root = Path(uri)
            self._artifact_roots[run_id] = root.resolve() if root is not None else None
        root = self._artifact_roots[run_id]
        if root is None:
            return None
        candidate = (root / path).resolve()
        if candidate != root and root not in candidate.parents:  # a crafted "../" path stays out
            return None
        return candidate if candidate.exists() else None

    def close(self) -> None:
        """Drop downloaded artifacts."""
        if self._cache_dir is not None:
            shutil.rmtree(self._cache_dir, ignore_errors=True)

    # -- writes (explicit user actions only) ---------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError("Read-only mode: nothing was changed")

    async def set_tag(self, run_id: str, key: str, value: str) -> None:
        self._check_writable()
        await self._call(lambda c: c.set_tag(run_id, key, value))

    async def delete_tag(self, run_id: str, key: str) -> None:
        self._check_writable()
        await self._call(lambda c: c.delete_tag(run_id, key))

    async def rename_run(self, run_id: str, name: str) -> None:
        self._check_writable()
        await self._call(lambda c: c.update_run(run_id, name=name))

    async def delete_run(self, run_id: str) -> None:
        self._check_writable()
        await self._call(lambda c: c.delete_run(run_id))

    async def restore_run(self, run_id: str) -> None:
        self._check_writable()
        await self._call(lambda c: c.restore_run(run_id))


def to_run(run: Any) -> Run:
    """Convert an `mlflow.entities.Run` into plain data."""
    info, data = run.info, run.data
    tags = dict(data.tags)
    return Run(
        run_id=info.run_id,
        name=info.run_name or tags.get(RUN_NAME_TAG) or info.run_id[:8],
        experiment_id=info.experiment_id,
        status=info.status,
        start_time=info.start_time,
        end_time=info.end_time,
        lifecycle_stage=info.lifecycle_stage,
        user=info.user_id or "",
        metrics={intern(k): v for k, v in data.metrics.items()},
        params={intern(k): v for k, v in data.params.items()},
        tags={intern(k): v for k, v in tags.items()},
    )


def _all_experiments(client: Any) -> list[Any]:
    experiments, token = [], None
    while True:
        page = client.search_experiments(max_results=1000, page_token=token)
        experiments.extend(page)
        token = page.token
        if not token:
            return experiments
