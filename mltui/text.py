"""Make untrusted strings safe to show: no markup, no control sequences, no secrets."""

from __future__ import annotations

import re

from rich.text import Text

# CSI, OSC (ended by BEL or ST), other ESC sequences, then lone C0/C1 controls.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")


def strip_control(value: str, *, keep_newlines: bool = False) -> str:
    """Remove terminal escape sequences and control characters.

    Tabs become spaces; newlines survive only when asked for.
    """
    value = _ANSI.sub("", value).replace("\t", "    ")
    value = _CONTROL.sub("", value)
    if not keep_newlines:
        value = value.replace("\n", " ").replace("\r", "")
    return value


def clean(value: object, *, max_len: int | None = 500, first_line: bool = False) -> str:
    """A one-line printable form of any untrusted value.

    `first_line` keeps only the first non-blank line (an error message's
    headline) instead of joining all lines with spaces.
    """
    text = str(value)
    if first_line:
        text = next((line for line in text.splitlines() if line.strip()), text)
    text = strip_control(text)
    if max_len is not None and len(text) > max_len:
        text = text[: max_len - 1] + "…"
    return text


def literal(value: object, style: str = "", *, max_len: int | None = 500) -> Text:
    """A Rich Text that shows `value` exactly, never interpreting markup."""
    return Text(clean(value, max_len=max_len), style=style, end="")


def mask_uri(uri: str) -> str:
    """Hide the credentials in `scheme://user:pass@host` URIs."""
    return _USERINFO.sub(lambda m: f"{m.group('scheme')}***@", uri)
