"""Saving an artifact to a local path and choosing the program that opens it."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

from mltui.artifacts.kinds import TEXT_KINDS


def save_target(dest: str, name: str) -> Path:
    """Where saving artifact `name` to what the user typed (`dest`) puts it.

    An existing folder, or a path ending in a separator, receives `name` inside it;
    anything else is the target path itself.
    """
    path = Path(os.path.expanduser(dest.strip() or "."))
    if path.is_dir() or dest.endswith((os.sep, "/")):
        return path / name
    return path


def copy_artifact(source: Path, target: Path) -> Path:
    """Copy a downloaded file or folder to `target`, never overwriting a file; return `target`."""
    if target.exists():
        raise FileExistsError(17, "already exists; choose another path", str(target))
    if source.is_dir():
        shutil.copytree(source, target)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def opener_command(kind: str, environ: Mapping[str, str]) -> list[str]:
    """The program to open an artifact with: `$PAGER` for text, `$EDITOR` otherwise."""
    candidates: tuple[str | None, ...]
    if kind in TEXT_KINDS:
        candidates = (environ.get("PAGER"), "less")
    else:
        candidates = (environ.get("EDITOR"), environ.get("VISUAL"), "vi")
    for candidate in candidates:
        if candidate and candidate.strip():
            try:
                return shlex.split(candidate)
            except ValueError:
                continue
    return ["less"]
