"""One line a person can read for any failure of the tracking store: what happened, no secrets.

Pure: no mlflow, no Textual. The messages make sense outside the app too
(`mltui diff` prints them as they are), so they carry no key hints.
"""

from __future__ import annotations

import os
import re

from mltui.text import clean, mask_uri

_TIMEOUT_SECONDS = re.compile(r"(?:read|connect) timeout=(\d+(?:\.\d+)?)")
_REFUSED = ("connection refused", "errno 111", "errno 61", "winerror 10061")
_UNRESOLVED = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated with hostname",
    "getaddrinfo failed",
    "failed to resolve",
)
_UNREACHABLE = {
    "no route to host": "no route to host",
    "network is unreachable": "network unreachable",
    "connection reset": "connection reset by the server",
    "remotedisconnected": "the server closed the connection",
    "certificate verify failed": "TLS certificate not trusted",
    "sslerror": "TLS handshake failed",
}


def _chain_text(exc: BaseException) -> str:
    """The messages and type names of `exc` and every exception it was raised from."""
    parts, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(f"{type(current).__name__}: {getattr(current, 'message', None) or current}")
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


def _timeout_seconds(text: str) -> str:
    """The per-attempt timeout that expired, from urllib3's message or the environment."""
    found = _TIMEOUT_SECONDS.search(text)
    seconds = found.group(1) if found else os.environ.get("MLFLOW_HTTP_REQUEST_TIMEOUT", "120")
    retries = os.environ.get("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "7")
    tries = f" ({int(retries) + 1} attempts)" if retries.isdigit() and int(retries) > 0 else ""
    return f"{seconds} s{tries}"


def friendly_error(exc: BaseException, uri: str = "") -> str:
    """One line saying what went wrong with `exc`: no traceback, no credentials, no UI hints.

    The CLI prints it as is, so it must make sense outside the app.
    """
    name = type(exc).__name__
    text = str(getattr(exc, "message", None) or exc)
    chain = _chain_text(exc)
    lowered = chain.lower()
    where = mask_uri(uri) if uri else "the tracking server"
    if "timed out" in lowered or "timeout" in name.lower() or "readtimeout" in lowered or "connecttimeout" in lowered:
        return f"{where} did not answer within {_timeout_seconds(chain)}"
    if any(marker in lowered for marker in _REFUSED):
        return f"Cannot reach {where}: connection refused"
    if any(marker in lowered for marker in _UNRESOLVED):
        return f"Cannot resolve the host of {where}"
    if re.search(r"\b401\b", text) or "unauthorized" in lowered or "unauthenticated" in lowered:
        return f"{where} refused the credentials (401): set MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN"
    if re.search(r"\b403\b", text) or "permission_denied" in lowered:
        return f"{where} denied access (403 Forbidden)"
    for marker, reason in _UNREACHABLE.items():
        if marker in lowered:
            return f"Cannot reach {where}: {reason}"
    if "max retries exceeded" in lowered or "failed to establish" in lowered:
        return f"Cannot reach {where}"
    first = next((line.strip() for line in text.splitlines() if line.strip()), name)
    return mask_uri(clean(first, max_len=300))
