"""Where the tracking store is, and how a failure to reach it reads.

Pure: no mlflow here, so the CLI and the tests can resolve a location or
phrase an error without paying for the import.
"""

from __future__ import annotations

import os
from pathlib import Path

from mltui.text import clean, mask_uri


def resolve_location(location: str | None) -> tuple[str | None, str | None]:
    """Turn what the user typed into a tracking URI.

    Accepts a URI, an `mlflow.db` file or a local `mlruns` folder. Returns
    `(uri, note)`; `uri` None means "MLflow's own default", `note` says what
    was inferred, if anything.
    """
    if not location:
        return os.environ.get("MLFLOW_TRACKING_URI") or None, None
    if "://" in location or location.startswith(("databricks", "sqlite:", "file:")):
        return location, None
    path = Path(location).expanduser()
    if path.is_file():
        return f"sqlite:///{path.resolve()}", None
    if path.is_dir():
        db = path / "mlflow.db"
        if db.is_file() and not _looks_like_file_store(path):
            return f"sqlite:///{db.resolve()}", None
        return path.resolve().as_uri(), "file store (MLFLOW_ALLOW_FILE_STORE=true set for this folder)"
    return location, None


def _looks_like_file_store(path: Path) -> bool:
    return (path / "0" / "meta.yaml").is_file() or any(path.glob("*/meta.yaml"))


def sqlite_path(uri: str) -> Path | None:
    """The database file of a `sqlite:///` URI, else None."""
    if not uri.startswith("sqlite:///"):
        return None
    return Path(uri[len("sqlite:///") :].split("?", 1)[0])


def friendly_error(exc: BaseException, uri: str = "") -> str:
    """One line describing `exc`, with no traceback and no credentials."""
    name = type(exc).__name__
    text = str(getattr(exc, "message", None) or exc)
    lowered = text.lower()
    where = mask_uri(uri) if uri else "the tracking server"
    if "connection refused" in lowered or "max retries exceeded" in lowered or "failed to establish" in lowered:
        return f"Cannot reach {where}: connection refused or host down (press R to retry)"
    if "timed out" in lowered or "timeout" in name.lower():
        return f"{where} did not answer in time (press R to retry)"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return f"Cannot resolve the host of {where}"
    if "401" in text or "unauthorized" in lowered:
        return f"{where} refused the credentials (401 Unauthorized)"
    if "403" in text or "permission_denied" in lowered:
        return f"{where} denied access (403 Forbidden)"
    first = next((line.strip() for line in text.splitlines() if line.strip()), name)
    return mask_uri(clean(first, max_len=300))
