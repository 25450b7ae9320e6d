"""Make untrusted strings safe to show: no markup, no control sequences, no spoofing, no secrets."""

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
# Bidi controls reorder what follows them ("Trojan Source"); zero-width characters make two
# different names look the same. Neither may act on the terminal: each is shown by its code point.
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# A URI's userinfo runs to the LAST "@" of its authority, which ends at "/", "?" or "#"
# (urlsplit and urllib3 both parse it so); in free text whitespace ends it too.
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/?#\s]*)@")


def placeholder(char: str) -> str:
    """The visible stand-in for an invisible or reordering character, e.g. `⟪U+202E⟫`."""
    return f"⟪U+{ord(char):04X}⟫"


def show_invisible(value: str) -> str:
    """Replace bidi controls and zero-width characters by visible placeholders."""
    return _INVISIBLE.sub(lambda m: placeholder(m.group()), value)


def strip_control(value: str, *, keep_newlines: bool = False) -> str:
    """Remove terminal escape sequences and control characters; show invisible ones.

    Tabs become spaces; newlines survive only when asked for.
    """
    value = _ANSI.sub("", value).replace("\t", "    ")
    value = show_invisible(_CONTROL.sub("", value))
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


def mask_uri(text: str) -> str:
    """Hide the credentials of every `scheme://user:pass@host` URI in `text`.

    Works on a bare URI and on free text such as an error message; the password
    may itself hold "@" (`http://alice:top@s3cr3t@host`): everything up to the
    last "@" of the authority is hidden, as the HTTP client would send it.
    """
    return _USERINFO.sub(lambda m: f"{m.group('scheme')}***@", text)
