"""What the user sees, for tests that drive the app only through keys: screen text and waits.

Assertions read the rendered screen (every visible widget, modal screens included),
so they hold however the panes are built inside.
"""

from __future__ import annotations

import asyncio
import html
import io
import re
import time
from collections.abc import Callable

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot


def screen_text(app: App) -> str:
    """The whole screen as plain text, one line per terminal row."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, color_system=None, legacy_windows=False
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def svg_text(app: App) -> str:
    """The text inside the SVG screenshot (`App.export_screenshot`), unescaped."""
    svg = app.export_screenshot()
    return html.unescape("".join(re.findall(r">([^<>]*)</text>", svg))).replace("\xa0", " ")


async def wait_until(pilot: Pilot, check: Callable[[str], bool], timeout: float = 30.0, what: str = "") -> str:
    """Pause until `check(screen text)` holds; fail with the screen when it never does."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause(0.05)
        text = screen_text(pilot.app)
        if check(text):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what or check}; the screen shows:\n{text}")
        await asyncio.sleep(0.1)


async def wait_for_text(pilot: Pilot, needle: str, timeout: float = 30.0) -> str:
    return await wait_until(pilot, lambda text: needle in text, timeout, repr(needle))


def focused_pane_title(app: App) -> str | None:
    """The border title of the pane holding the focus (Experiments, Runs, Diff, Artifacts)."""
    node = app.focused
    while node is not None:
        title = getattr(node, "border_title", None)
        if title:
            return str(title)
        node = node.parent
    return None


async def focus_pane(pilot: Pilot, title: str, tries: int = 12) -> None:
    """Press Tab until the pane titled `title` holds the focus."""
    for _ in range(tries):
        if focused_pane_title(pilot.app) == title:
            return
        await pilot.press("tab")
    raise AssertionError(f"Tab never reached the {title!r} pane (focus: {focused_pane_title(pilot.app)!r})")


async def open_experiment(pilot, name: str, landmark: str) -> str:
    """From the top of the experiment tree, Enter each entry until the run list is `name`'s."""
    await focus_pane(pilot, "Experiments")
    await pilot.press(*["up"] * 10)
    for _ in range(10):
        await pilot.press("enter")
        await pilot.pause()
        if f"Runs of {name}" in screen_text(pilot.app):
            return await wait_for_text(pilot, landmark)
        await focus_pane(pilot, "Experiments")
        await pilot.press("down")
    raise AssertionError(f"no tree entry opened {name}:\n{screen_text(pilot.app)}")


async def maximized(pilot, pane: str, landmark: str) -> str:
    """The screen while `pane` is maximized (z), once it shows `landmark`; then z again."""
    await focus_pane(pilot, pane)
    await pilot.press("z")
    try:
        return await wait_for_text(pilot, landmark)
    finally:
        await pilot.press("z")
