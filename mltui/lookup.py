"""What the user pasted into "go to" (or gave `mltui diff`), turned into MLflow filter strings.

Pure: the store runs the searches, the app only passes the text through.
MLflow has no OR, so each way a text can match is its own search; LIKE
patterns may match more than meant (`_` is a wildcard), so every run found
is checked again here with `matches`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mltui.models import Run
from mltui.text import clean

HEX_RUN_ID = re.compile(r"^[0-9a-f]{32}$")
HEX_PREFIX = re.compile(r"^[0-9a-f]{4,32}$")
MIN_PREFIX = 4  # shorter hex strings are too common to mean an id


def quote(value: str) -> str:
    """A single-quoted MLflow filter literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True, slots=True)
class Lookup:
    """A run id (or its prefix), `key=value`, or a bare value (an invocation id, a run name)."""

    text: str
    key: str | None = None
    value: str | None = None

    @property
    def maybe_run_id(self) -> bool:
        return self.key is None and bool(HEX_RUN_ID.match(self.text.lower()))

    @property
    def id_prefix(self) -> str | None:
        """The text as a run-id prefix (4 to 32 hex digits, any case), else None."""
        lowered = self.text.lower()
        return lowered if self.key is None and HEX_PREFIX.match(lowered) else None


def parse_lookup(text: str) -> Lookup:
    """`invocation_id=71f3…` -> key/value; anything else stays a bare value."""
    text = text.strip()
    key, sep, value = text.partition("=")
    if sep and key.strip() and value.strip() and " " not in key.strip():
        name = key.strip()
        for prefix in ("params.", "tags."):
            name = name.removeprefix(prefix)
        return Lookup(text, name, value.strip().strip("'\""))
    return Lookup(text)


def lookup_filters(lookup: Lookup, *, invocation: bool = True) -> list[str]:
    """Filter strings that together find every run matching a lookup.

    A bare value is tried as a run-id prefix (when it is hex), as an
    `invocation_id` param or tag (unless `invocation` is False) and as a
    case-insensitive substring of the run name.
    """
    if lookup.key is not None:
        value = quote(lookup.value or "")
        name = f"`{lookup.key}`"
        return [f"params.{name} = {value}", f"tags.{name} = {value}"]
    filters = []
    if lookup.id_prefix:
        filters.append(f"attributes.run_id LIKE {quote(lookup.id_prefix + '%')}")
    if invocation:
        value = quote(lookup.text)
        filters += [f"params.invocation_id = {value}", f"tags.invocation_id = {value}"]
    filters.append(f"attributes.run_name ILIKE {quote('%' + lookup.text + '%')}")
    return filters


def name_matches(lookup: Lookup, run: Run) -> bool:
    return lookup.text.casefold() in run.name.casefold()


def matches(lookup: Lookup, run: Run, *, invocation: bool = True) -> bool:
    """Whether `run` really matches (LIKE's `_` and `%` may have let others through)."""
    if lookup.key is not None:
        return lookup.value in (run.params.get(lookup.key), run.tags.get(lookup.key))
    if lookup.id_prefix and run.run_id.startswith(lookup.id_prefix):
        return True
    if invocation and lookup.text in (run.params.get("invocation_id"), run.tags.get("invocation_id")):
        return True
    return name_matches(lookup, run)


def narrow(lookup: Lookup, runs: Iterable[Run]) -> list[Run]:
    """The runs one reference most likely means, for commands that need exactly one.

    An id prefix beats a name; a whole name (any case) beats a part of one.
    More than one run left means the reference is ambiguous.
    """
    runs = list(runs)
    if lookup.id_prefix:
        by_id = [run for run in runs if run.run_id.startswith(lookup.id_prefix)]
        if by_id:
            return by_id
    whole = [run for run in runs if run.name.casefold() == lookup.text.casefold()]
    return whole or [run for run in runs if name_matches(lookup, run)]


def candidates_text(runs: Sequence[Run], experiment_names: dict[str, str], limit: int = 20) -> list[str]:
    """One line per candidate run: short id, name, experiment (untrusted text made printable)."""
    lines = []
    for run in runs[:limit]:
        experiment = experiment_names.get(run.experiment_id, run.experiment_id)
        lines.append(f"{run.run_id[:12]}  {clean(run.name, max_len=60)}  ({clean(experiment, max_len=60)})")
    if len(runs) > limit:
        lines.append(f"… and {len(runs) - limit} more")
    return lines


def parse_tag(text: str | None) -> tuple[str, str] | None:
    """`key=value` typed in a tag prompt, stripped; None when there is no key or no `=`."""
    key, sep, value = (text or "").partition("=")
    if not sep or not key.strip():
        return None
    return key.strip(), value.strip()
