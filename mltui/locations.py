"""Where the tracking store is: what the user typed, turned into a tracking URI.

Pure: no mlflow here, so the CLI and the tests can resolve a location
without paying for the import. Failures are phrased in `mltui.errors`.
"""

from __future__ import annotations

import os
from pathlib import Path


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
