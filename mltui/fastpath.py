"""How `Store` uses the SQL fast path (`mltui.sqlfast`) and stays kind to tracking servers.

Kept apart from `mltui.store` so the store module stays readable; nothing here
imports mlflow. Database-backed stores are read with plain SQL (no mlflow
import before the first rows); whatever the fast path cannot answer exactly
raises `Unsupported` before the first page and the caller asks MlflowClient.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from mltui import sqlfast
from mltui.models import Experiment, Run, StoreError
from mltui.search_filter import Unsupported

__all__ = ["RunCount", "Unsupported", "count_one_page", "experiments", "pages_in_threads", "start_pages"]

REST_COUNT_PAGE = 1000


class RunCount(int):
    """A run count; `at_least` when only the first page was counted ("1,000+")."""

    at_least: bool

    def __new__(cls, value: int, at_least: bool = False) -> RunCount:
        count = super().__new__(cls, value)
        count.at_least = at_least
        return count

    def __str__(self) -> str:
        return f"{int(self):,}" + ("+" if self.at_least else "")


def reason(exc: Unsupported) -> str:
    """The status-line note for a load MLflow answered instead of the fast path."""
    return f"read through MLflow: {str(exc)[:100]}"


async def start_pages(
    uri: str,
    experiment_ids: list[str],
    filter_string: str,
    include_deleted: bool,
    order_by: list[str] | None,
    first_page: int,
    page_size: int,
) -> Iterator[list[Run]]:
    """Open the fast path off the UI thread; raises `Unsupported` when MLflow must answer."""
    if not sqlfast.is_db_uri(uri):
        raise Unsupported("not a database URI")
    return await asyncio.to_thread(
        sqlfast.iter_runs, uri, experiment_ids, filter_string, include_deleted, order_by, first_page, page_size
    )


async def first_run(uri: str, experiment_ids: list[str], order_by: list[str]) -> Run | None:
    """The first active run in `order_by` order, by SQL off the UI thread (raises `Unsupported`)."""
    pages = await start_pages(uri, experiment_ids, "", False, order_by, 1, 1)
    try:
        page: list[Run] = await asyncio.to_thread(next, pages, [])
    finally:
        pages.close()  # type: ignore[attr-defined]
    return page[0] if page else None


async def pages_in_threads(pages: Iterator[list[Run]]) -> AsyncIterator[list[Run]]:
    """Each page built in a worker thread; a cancelled load closes the cursor it holds."""
    done = object()
    try:
        while True:
            page = await asyncio.to_thread(next, pages, done)
            if page is done:
                return
            yield page  # type: ignore[misc]
    finally:
        with contextlib.suppress(ValueError):  # still running in its thread: it closes when collected
            pages.close()  # type: ignore[attr-defined]


def experiments(uri: str, include_deleted: bool) -> list[Experiment]:
    """The experiments table by SQL, as `search_experiments` lists them (raises `Unsupported`)."""
    db = sqlfast._open(uri)
    try:
        stages = "" if include_deleted else " WHERE lifecycle_stage = 'active'"
        rows = db.rows(
            "SELECT experiment_id, name, lifecycle_stage, artifact_location FROM experiments"
            f"{stages} ORDER BY creation_time DESC, experiment_id ASC",
            [],
        )
    except db.errors as exc:
        raise StoreError(f"reading the experiments failed: {sqlfast._one_line(exc)}") from None
    finally:
        db.close()
    return [Experiment(str(i), name, stage, location or "") for i, name, stage, location in rows]


def count_one_page(client: Any, experiment_ids: Sequence[str]) -> dict[str, RunCount]:
    """Over REST: one request of at most 1,000 runs per experiment, never paging on.

    A full page means "at least 1,000": the exact number comes from loading the
    experiment when the user opens it.
    """
    counts = {}
    for exp_id in experiment_ids:
        page = client.search_runs([exp_id], max_results=REST_COUNT_PAGE)
        counts[exp_id] = RunCount(len(page), at_least=bool(page.token))
    return counts


def local_tail(path: str, max_bytes: int) -> bytes:
    """The last `max_bytes` of a file on this machine, read in place."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - max_bytes))
        return handle.read(max_bytes)


def keep_tail(response: Any, max_bytes: int) -> bytes:
    """The end of an HTTP response body: the server's own answer to `Range: bytes=-N` (206),
    else the whole body streamed through, only its last `max_bytes` kept in memory."""
    if response.status_code == 206:
        return bytes(response.content[-max_bytes:])
    tail = bytearray()
    for chunk in response.iter_content(chunk_size=1 << 16):
        tail += chunk
        if len(tail) > 2 * max_bytes:
            del tail[: len(tail) - max_bytes]
    return bytes(tail[-max_bytes:])
