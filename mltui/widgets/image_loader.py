"""textual-image's Image widget, loaded once (None where this terminal cannot show images), and a box that fits it.

Imported at app start on purpose (`mltui.app` imports the artifact pane
first): textual-image queries the terminal for its cell size and graphics
support on import, which must happen before the app takes over the terminal.
A terminal that does not answer makes it log a warning with a traceback;
keep that off the user's screen.
"""

from __future__ import annotations

import logging
from typing import Any

from textual.containers import Container

logging.getLogger("textual_image").addHandler(logging.NullHandler())


def load_image_widget() -> type | None:
    """textual-image's Image widget, or None where it cannot start.

    A pseudo-terminal that reports a 0x0 size (`script`, some `docker exec -t`)
    makes textual-image divide by zero on import: give it the cell size it
    would otherwise assume (VT340, 10x20 pixels) and try once more.
    """
    try:
        from textual_image.widget import Image

        return Image
    except ZeroDivisionError:
        pass
    try:
        from textual_image import _terminal

        _terminal.get_cell_size._result = _terminal.CellSize(10, 20)  # type: ignore[attr-defined]
        from textual_image.widget import Image

        return Image
    except Exception:  # noqa: BLE001 - no images, but the app must start
        return None


ImageWidget = load_image_widget()


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
        if ImageWidget is None:
            return
        self.pixels = image.size
        await self.mount(ImageWidget(image))
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
