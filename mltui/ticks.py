"""The ticked runs, in the order they were ticked, and the baseline among them.

Pure: the run list turns keys into these calls and tells the diff what changed.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence

from mltui.models import Run


class Ticks:
    """What the diff compares; the first ticked run is the baseline unless one was chosen."""

    def __init__(self) -> None:
        self.runs: dict[str, Run] = {}  # updated in place: cells hold on to it
        self.baseline_id: str | None = None

    def _settle_baseline(self, wanted: str | None) -> None:
        self.baseline_id = wanted if wanted in self.runs else next(iter(self.runs), None)

    def toggle(self, runs: Iterable[Run]) -> None:
        """Tick them all, or untick them all when they all are ticked."""
        runs = list(runs)
        if all(run.run_id in self.runs for run in runs):
            for run in runs:
                self.runs.pop(run.run_id, None)
        else:
            for run in runs:
                self.runs.setdefault(run.run_id, run)
        self._settle_baseline(self.baseline_id)

    def add(self, runs: Mapping[str, Run]) -> None:
        """Tick every one of `runs` (ticked ones keep their place)."""
        self.runs.update(runs)
        self._settle_baseline(self.baseline_id)

    def clear(self) -> None:
        self.runs.clear()
        self.baseline_id = None

    def make_baseline(self, run: Run) -> None:
        """Compare against `run`, ticking it if needed."""
        self.runs.setdefault(run.run_id, run)
        self._settle_baseline(run.run_id)

    def drop(self, run_ids: Iterable[str]) -> bool:
        """Untick runs that are gone; True if any was ticked."""
        gone = [run_id for run_id in run_ids if self.runs.pop(run_id, None) is not None]
        if gone:
            self._settle_baseline(self.baseline_id)
        return bool(gone)

    def refresh(self, fresh: Iterable[Run]) -> bool:
        """Hold the newer copies of ticked runs; True if any was ticked."""
        changed = False
        for run in fresh:
            if run.run_id in self.runs:
                self.runs[run.run_id] = run
                changed = True
        return changed


def family_baseline(parent: Run, children: Sequence[Run]) -> Run:
    """The run a sweep is best compared against: the first child sharing a metric with another.

    A sweep parent often logs only a summary (or nothing), so taking it as the
    baseline would leave the diff without a single delta.
    """
    for child in children:
        if any(child.metrics.keys() & other.metrics.keys() for other in children if other is not child):
            return child
    return parent


def tick_summary(ticked: Iterable[Run], listed: Container[str], experiment_ids: Container[str]) -> str:
    """`2 ticked · 2 in other experiments`: how many runs are ticked, and how many the list does not show."""
    ticked = list(ticked)
    if not ticked:
        return ""
    unlisted = [run for run in ticked if run.run_id not in listed]
    elsewhere = sum(run.experiment_id not in experiment_ids for run in unlisted)
    parts = [f"{len(ticked):,} ticked"]
    if elsewhere:
        parts.append("1 in another experiment" if elsewhere == 1 else f"{elsewhere:,} in other experiments")
    if len(unlisted) > elsewhere:
        parts.append(f"{len(unlisted) - elsewhere:,} not in this list")
    return " · ".join(parts)
