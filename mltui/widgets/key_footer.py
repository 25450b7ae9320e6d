"""Textual's Footer, with the keys a newcomer needs first.

The footer lists the focused widget's keys before the App's, so on a busy
pane (the run list has a dozen) `? Help` fell off the right edge. Here the
global keys in `FIRST` lead, whatever the pane.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST = ("question_mark", "tab")  # `? Help`, then `tab Pane`


def footer_rank(key: str) -> int:
    """Where a key goes: the ones in FIRST in that order, every other after them (stable)."""
    return FIRST.index(key) if key in FIRST else len(FIRST)


class KeyFooter(Footer):
    """A Footer whose first entries are always `? Help` and `tab Pane`."""

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        yield from sorted(widgets, key=lambda w: footer_rank(w.key) if isinstance(w, FooterKey) else len(FIRST))
