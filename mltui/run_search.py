"""Paged run searches the store runs in its worker thread: filters, and run-id prefixes.

Takes an MlflowClient as given (duck-typed, no `mlflow` import here) and
yields its pages; `mltui.store` turns the runs into plain data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

ID_SCAN_LIMIT = 50_000  # runs read to match an id prefix where LIKE on run ids is refused


def search_pages(client: Any, experiment_ids: list[str], filter_string: str) -> Iterator[Any]:
    """Pages of active runs passing a filter, in every given experiment."""
    token = None
    while True:
        page = client.search_runs(
            experiment_ids,
            filter_string=filter_string,
            max_results=1000,
            page_token=token,
        )
        yield page
        token = page.token
        if not token:
            return


def id_prefix_pages(client: Any, experiment_ids: list[str], filter_string: str, prefix: str) -> Iterator[Any]:
    """Runs whose id starts with `prefix`: one LIKE search where the store can, else a bounded scan.

    SQL stores (SQLite, PostgreSQL, MySQL, a tracking server over them)
    answer `attributes.run_id LIKE 'abcd%'` directly; a backend that
    refuses it gets its newest ID_SCAN_LIMIT runs read page by page.
    """
    try:
        yield from search_pages(client, experiment_ids, filter_string)
        return
    except Exception:
        logging.getLogger(__name__).debug("run_id LIKE refused; scanning ids", exc_info=True)
    seen = 0
    for page in search_pages(client, experiment_ids, ""):
        yield [run for run in page if run.info.run_id.startswith(prefix)]
        seen += len(page)
        if seen >= ID_SCAN_LIMIT:
            return
