"""Compact display of times, durations and numbers for the run list and status line."""

from __future__ import annotations

import math
from datetime import datetime


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
