"""Compact display of times, durations and numbers for the run list and status line."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from rich.cells import cell_len


def format_time(epoch_ms: int | None) -> str:
    """Local time, minute precision: enough to tell runs apart in a list."""
    if epoch_ms is None:
        return ""
    return datetime.fromtimestamp(epoch_ms / 1000).strftime("%Y-%m-%d %H:%M")


def format_timestamp(epoch_ms: int | None) -> str:
    """Local time with seconds, for detail views."""
    if epoch_ms is None:
        return ""
    return datetime.fromtimestamp(epoch_ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def format_duration(ms: int | float | None) -> str:
    """`850ms`, `2.3s`, `1m 05s`, `3h 02m`, `2d 04h`; the sign is the caller's business."""
    if ms is None or not math.isfinite(ms):
        return ""
    ms = abs(ms)
    if ms < 1000:
        return "<1ms" if 0 < ms < 0.5 else f"{round(ms)}ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours:02d}h"


def format_number(value: float | None, digits: int = 4) -> str:
    """A short form of a metric for list cells (the diff shows full precision)."""
    if value is None:
        return ""
    value = as_logged(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == int(value) and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.{digits}g}"


def _head(text: str, cells: int) -> str:
    """The longest start of `text` that fits in `cells` terminal cells."""
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return text[:index]
    return text


def _tail(text: str, cells: int) -> str:
    """The longest end of `text` that fits in `cells` terminal cells."""
    return _head(text[::-1], cells)[::-1]


def shorten_middle(name: str, width: int, head_share: float = 0.55) -> str:
    """`name` cut in the middle to `width` cells: `Logistic…Run 1`; ends tell runs apart more often than middles."""
    if cell_len(name) <= width:
        return name
    if width <= 1:
        return _head(name, width)
    room = width - 1
    head = min(room, max(1, round(room * head_share + 0.45)))
    return _head(name, head) + "…" + _tail(name, room - cell_len(_head(name, head)))


def shorten_names(names: Sequence[str], widths: int | Sequence[int]) -> list[str]:
    """Shorten each name to its width (one for all, or one each) so that different names stay different.

    Names are cut in the middle; when two different names would read the same,
    the cut moves (more head or more tail) until they differ, and as a last
    resort the shortened form ends in a number. Equal names stay equal.
    """
    limits = [widths] * len(names) if isinstance(widths, int) else list(widths)
    short = [shorten_middle(name, width) for name, width in zip(names, limits)]
    for _ in range(len(names)):
        clash = _first_clash(names, short)
        if clash is None:
            return short
        members = [i for i, text in enumerate(short) if text == clash]
        for i, text in zip(members, _separate([names[i] for i in members], [limits[i] for i in members])):
            short[i] = text
    return short


def _first_clash(names: Sequence[str], short: Sequence[str]) -> str | None:
    """A shortened form shared by two different names, if any."""
    seen: dict[str, str] = {}
    for name, text in zip(names, short):
        if seen.setdefault(text, name) != name:
            return text
    return None


def _separate(names: list[str], widths: list[int]) -> list[str]:
    """Shortened forms of clashing names that differ: try every split of head and tail, then number them."""
    for share in sorted((i / 20 for i in range(21)), key=lambda s: abs(s - 0.55)):
        texts = [shorten_middle(name, width, share) for name, width in zip(names, widths)]
        if _first_clash(names, texts) is None:
            return texts
    distinct = list(dict.fromkeys(names))
    texts = []
    for name, width in zip(names, widths):
        mark = f"~{distinct.index(name) + 1}"
        texts.append(shorten_middle(name, max(1, width - len(mark))) + mark if width > len(mark) else mark)
    return texts


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 run`, `2 runs`, `0 runs`, `1,200 runs`; `many` for irregular nouns."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"


# SQL stores save ±inf as ±max float: show those as the infinities they were logged as.
_CLAMPED_INF = 1.7976931348623157e308


def as_logged(value: float) -> float:
    """±1.7976931348623157e308 (how MLflow's SQL stores keep ±inf) back to ±inf."""
    if value == _CLAMPED_INF:
        return math.inf
    if value == -_CLAMPED_INF:
        return -math.inf
    return value
