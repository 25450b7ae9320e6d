"""What the user pasted into "go to", turned into MLflow filter strings.

Pure: the store runs the searches, the app only passes the text through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEX_RUN_ID = re.compile(r"^[0-9a-f]{32}$")


def quote(value: str) -> str:
    """A single-quoted MLflow filter literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True, slots=True)
class Lookup:
    """A run id, `key=value`, or a bare value."""

    text: str
    key: str | None = None
    value: str | None = None

    @property
    def maybe_run_id(self) -> bool:
        return self.key is None and bool(HEX_RUN_ID.match(self.text.lower()))


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


def lookup_filters(lookup: Lookup) -> list[str]:
    """Filter strings that together find every run matching a lookup.

    MLflow has no OR, so each alternative is its own search.
    """
    if lookup.key is not None:
        value = quote(lookup.value or "")
        name = f"`{lookup.key}`"
        return [f"params.{name} = {value}", f"tags.{name} = {value}"]
    value = quote(lookup.text)
    return [
        f"params.invocation_id = {value}",
        f"tags.invocation_id = {value}",
        f"attributes.run_name = {value}",
    ]
