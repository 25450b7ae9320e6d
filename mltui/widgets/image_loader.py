"""textual-image's Image widget, imported after the first frame (None where it cannot start), and a box that fits it.

textual-image queries the terminal (cell size, Sixel, Kitty graphics) when it
is imported, which only works before the app takes over the terminal, and it
brings numpy and Pillow (~0.5-1 s). So the questions are asked here, when this
module is imported (before the app starts, through a light part of
textual-image), and the widget itself is imported later in a worker with those
answers, asking the terminal nothing. A terminal that does not answer makes
textual-image log a warning with a traceback: kept off the user's screen.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Iterator
from typing import Any

from textual.containers import Container

logging.getLogger("textual_image").addHandler(logging.NullHandler())

_lock = threading.Lock()
_loaded: dict[str, type | None] = {}


def probe_terminal() -> str:
    """Ask the terminal, before the app starts, how it can draw images: "sixel", "tgp", "halfcell" or "unicode".

    Only textual-image's terminal helpers are imported (no numpy, no Pillow).
    A pseudo-terminal that reports a 0x0 size (`script`, some `docker exec -t`)
    gets the cell size textual-image would otherwise assume (VT340, 10x20 pixels).
    """
    stdout = sys.__stdout__
    try:
        if stdout is None or not stdout.isatty():
            return "unicode"
        from textual_image import _terminal

        try:
            size = _terminal.get_cell_size()
            if not (size.width and size.height):
                raise ZeroDivisionError
        except (ZeroDivisionError, _terminal.TerminalError):
            _terminal.get_cell_size._result = _terminal.CellSize(10, 20)  # type: ignore[attr-defined]
        sixel, tgp = _ask(_terminal)
        if sixel:
            return "sixel"
        if tgp:
            return "tgp"
        return "halfcell"
    except Exception:  # noqa: BLE001 - no graphics then, but the app must start
        return "halfcell"


def _ask(terminal: Any) -> tuple[bool, bool]:
    """(Sixel, Kitty graphics) in one round trip: the graphics query, then the device-attributes
    query every terminal answers, so a terminal ignoring the first costs no timeout."""
    graphics = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
    try:
        with terminal.capture_terminal_response(start_marker="\x1b", end_marker="c", timeout=0.1) as response:
            sys.__stdout__.write(graphics + "\x1b[c")  # type: ignore[union-attr]
            sys.__stdout__.flush()  # type: ignore[union-attr]
    except (terminal.TerminalError, TimeoutError, ValueError):
        return False, False
    sequence = response.sequence
    attributes = sequence.rpartition("\x1b[?")[2][:-1] if "\x1b[?" in sequence else ""
    return "4" in attributes.split(";"), ";OK\x1b\\" in sequence


TERMINAL_KIND = probe_terminal()


@contextlib.contextmanager
def _no_terminal_queries() -> Iterator[None]:
    """textual-image's import-time queries answer "not supported" at once, writing nothing to the terminal."""
    from textual_image import _terminal

    original = _terminal.capture_terminal_response

    @contextlib.contextmanager
    def refuse(*args: Any, **kwargs: Any) -> Iterator[Any]:
        raise _terminal.TerminalError("asked before the app started")
        yield  # pragma: no cover

    _terminal.capture_terminal_response = refuse
    try:
        yield
    finally:
        for module in list(sys.modules.values()):  # modules that took the refusing one by name get the real one
            if getattr(module, "capture_terminal_response", None) is refuse:
                module.capture_terminal_response = original  # type: ignore[attr-defined]


def image_widget() -> type | None:
    """The widget class for this terminal (imported once, in whichever thread asks first), or None."""
    with _lock:
        if TERMINAL_KIND not in _loaded:
            _loaded[TERMINAL_KIND] = _import_widget(TERMINAL_KIND)
        return _loaded[TERMINAL_KIND]


def _import_widget(kind: str) -> type | None:
    try:
        with _no_terminal_queries():
            from textual_image import widget
    except Exception:  # noqa: BLE001 - no images, but the app must go on
        return None
    # With the queries refused, textual-image's own pick (`widget.Image`) is half cells on a
    # terminal, Unicode elsewhere: right unless the probe found Sixel or Kitty graphics.
    chosen: type = {"sixel": widget.SixelImage, "tgp": widget.TGPImage}.get(kind, widget.Image)
    return chosen


def cell_pixels() -> tuple[int, int]:
    """The terminal's cell size in pixels as textual-image measured it (VT340's 10x20 if unknown)."""
    try:
        from textual_image._terminal import get_cell_size

        size = get_cell_size()
        if size.width > 0 and size.height > 0:
            return size.width, size.height
    except Exception:  # noqa: BLE001 - no terminal answer: assume the common cell
        pass
    return 10, 20


def fit_cells(pixels: tuple[int, int], box: tuple[int, int], cell: tuple[int, int]) -> tuple[int, int]:
    """The largest (columns, rows) inside `box` that shows a `pixels`-sized image undistorted.

    Small images grow to fill the box too: a 64-pixel plot in a 200-column pane
    is unreadable at its own size.
    """
    (width, height), (columns, rows), (cell_w, cell_h) = pixels, box, cell
    if min(width, height, columns, rows, cell_w, cell_h) <= 0:
        return 0, 0
    scale = min(columns * cell_w / width, rows * cell_h / height)
    return max(1, min(columns, round(width * scale / cell_w))), max(1, min(rows, round(height * scale / cell_h)))


class ImageBox(Container):
    """One image scaled to fill this box (aspect kept), fitted again on every resize.

    Both the artifact pane and the full-screen image use it; being sized from
    the box's own size, a pane that is maximized (`z`) or resized redraws it.
    """

    DEFAULT_CSS = """
    ImageBox { align: center middle; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pixels = (0, 0)

    async def show(self, image: Any) -> None:
        """Replace what the box shows with `image` (a PIL image)."""
        await self.remove_children()
        widget = image_widget()
        if widget is None:
            return
        self.pixels = image.size
        await self.mount(widget(image))
        self._fit()

    async def clear(self) -> None:
        self.pixels = (0, 0)
        await self.remove_children()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        if not self.children:
            return
        columns, rows = fit_cells(self.pixels, (self.size.width, self.size.height), cell_pixels())
        image = self.children[0]
        image.styles.width = max(1, columns)
        image.styles.height = max(1, rows)
