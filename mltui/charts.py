"""Metric histories prepared for plotting: x axes, smoothing, log scale safety."""

from __future__ import annotations

import math
from collections.abc import Sequence

Point = tuple[int, int, float]  # (step, timestamp ms, value)
X_AXES = ("step", "time")
SMOOTHING = (0.0, 0.6, 0.9)


def x_values(points: Sequence[Point], axis: str) -> list[float]:
    """Steps, or minutes since the run's first point."""
    if axis == "time":
        start = points[0][1] if points else 0
        return [(timestamp - start) / 60_000 for _, timestamp, _ in points]
    return [float(step) for step, _, _ in points]


def smooth(values: Sequence[float], factor: float) -> list[float]:
    """Exponential moving average, as TensorBoard draws it; NaN/inf pass through unsmoothed."""
    if factor <= 0:
        return list(values)
    out, last = [], None
    for value in values:
        if not math.isfinite(value):
            out.append(value)
            continue
        last = value if last is None else factor * last + (1 - factor) * value
        out.append(last)
    return out


def plottable(xs: Sequence[float], ys: Sequence[float], log_scale: bool) -> tuple[list[float], list[float]]:
    """Drop points a plot cannot draw: non-finite values, and values <= 0 on a log scale."""
    kept = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y) and (not log_scale or y > 0)]
    return [x for x, _ in kept], [y for _, y in kept]
