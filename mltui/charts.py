"""Metric histories prepared for plotting: x axes, smoothing, log scale, downsampling.

A history may hold a million points, NaN, ±inf and MLflow's stand-ins for
±inf (SQL stores save them as ±1.7976931348623157e308). Plotting libraries
overflow on those and crawl on the rest, so what reaches the plot is only
finite, bounded and at most `MAX_POINTS` long; what was left out is counted
so the legend can say so.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

Point = tuple[int, int, float]  # (step, timestamp ms, value)
X_AXES = ("step", "time")
SMOOTHING = (0.0, 0.6, 0.9)
# plotext redraws every point on each render, on the UI thread: 2,000 points take
# about 25 ms at 200x50 (100 ms on a loaded box), 8,000 four times that. A 200-column
# plot is ~400 braille dots wide, so 1,000 min/max buckets lose nothing visible.
MAX_POINTS = 2000
TOTAL_POINTS = 8000  # across all series; each keeps at least MIN_POINTS
MIN_POINTS = 800
# MLflow's SQL stores save ±inf as ±sys.float_info.max.
MLFLOW_INF = sys.float_info.max
# plotext overflows once an axis spans more than about 1e306 (measured at 400 columns):
# larger finite values are left out too, as "out of range".
PLOT_LIMIT = 1e300


@dataclass
class History:
    """One run's history as compact arrays (24 bytes a point instead of ~150 as tuples)."""

    steps: np.ndarray
    minutes: np.ndarray
    values: np.ndarray

    @classmethod
    def from_points(cls, points: Sequence[Point]) -> History:
        count = len(points)
        steps = np.fromiter((p[0] for p in points), dtype=np.float64, count=count)
        stamps = np.fromiter((p[1] for p in points), dtype=np.float64, count=count)
        values = np.fromiter((p[2] for p in points), dtype=np.float64, count=count)
        minutes = (stamps - stamps[0]) / 60_000 if count else stamps
        return cls(steps, minutes, values)

    def __len__(self) -> int:
        return len(self.values)


@dataclass
class Series:
    """What one run's line draws, and how many points it could not draw, by reason."""

    xs: list[float]
    ys: list[float]
    left_out: dict[str, int] = field(default_factory=dict)

    def note(self) -> str:
        """`3 inf, 1 nan left out`, or "" when every point is drawn."""
        parts = [f"{count:,} {reason}" for reason, count in self.left_out.items() if count]
        return f"{', '.join(parts)} left out" if parts else ""


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


def _smooth_array(values: np.ndarray, factor: float) -> np.ndarray:
    """The EMA of `smooth` over finite values, vectorised block by block.

    Inside a block, y[s+j] = f^(j+1)·carry + (1-f)·f^j·Σ_{i<=j} x[s+i]·f^-i: one
    cumulative sum. Blocks stay short enough that f^-i cannot overflow, and each
    block is scaled by its largest value so huge values cannot either.
    """
    count = len(values)
    if factor <= 0 or count == 0:
        return values
    block = int(max(1, min(1024, 300 / -math.log10(factor)))) if factor < 1 else 1024
    exponents = np.arange(block, dtype=np.float64)
    inverse = factor**-exponents
    forward = factor**exponents
    out = np.empty(count)
    carry = float(values[0])
    for start in range(0, count, block):
        chunk = values[start : start + block]
        size = len(chunk)
        scale = float(np.max(np.abs(chunk))) or 1.0
        sums = np.cumsum(chunk / scale * inverse[:size])
        out[start : start + size] = forward[:size] * factor * carry + (1 - factor) * forward[:size] * sums * scale
        carry = float(out[start + size - 1])
    return out


def downsample(xs: np.ndarray, ys: np.ndarray, max_points: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """At most `max_points` points: equal-count buckets, each keeping its min and its max, in order.

    Spikes survive (a bucket's extremes are kept); a line through the kept points
    covers the same vertical range per bucket as the full line.
    """
    count = len(ys)
    if count <= max_points:
        return xs, ys
    buckets = max(1, max_points // 2)
    size = -(-count // buckets)  # ceil
    buckets = -(-count // size)
    padded = np.full(buckets * size, np.nan)
    padded[:count] = ys
    grid = padded.reshape(buckets, size)
    offsets = np.arange(buckets) * size
    low = offsets + np.nanargmin(grid, axis=1)
    high = offsets + np.nanargmax(grid, axis=1)
    keep = np.unique(np.concatenate([low, high]))
    return xs[keep], ys[keep]


def points_per_series(series_count: int) -> int:
    """How many points each of `series_count` lines may keep so a render stays fast."""
    return max(MIN_POINTS, min(MAX_POINTS, TOTAL_POINTS // max(1, series_count)))


def prepare(history: History, axis: str, smoothing: float, log_scale: bool, max_points: int = MAX_POINTS) -> Series:
    """The drawable part of one history: finite, within range, positive on a log scale, downsampled."""
    xs = history.minutes if axis == "time" else history.steps
    ys = history.values
    magnitude = np.abs(ys)
    nan = np.isnan(ys)
    inf = magnitude >= MLFLOW_INF  # ±inf, and the stand-in MLflow stores for it
    drawable = ~nan & (magnitude <= PLOT_LIMIT) & (np.abs(xs) <= PLOT_LIMIT)
    left_out = {
        "inf": int(inf.sum()),
        "nan": int(nan.sum()),
        "out of range": int(len(ys) - drawable.sum() - inf.sum() - nan.sum()),
    }
    xs, ys = xs[drawable], _smooth_array(ys[drawable], smoothing)
    if log_scale:
        positive = ys > 0
        left_out["≤0 on log scale"] = int(len(ys) - positive.sum())
        xs, ys = xs[positive], ys[positive]
    xs, ys = downsample(xs, ys, max_points)
    return Series(xs.tolist(), ys.tolist(), left_out)
