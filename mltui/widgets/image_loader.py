"""textual-image's Image widget, loaded once, or None where this terminal cannot show images.

Imported at app start on purpose (`mltui.app` imports the artifact pane
first): textual-image queries the terminal for its cell size and graphics
support on import, which must happen before the app takes over the terminal.
A terminal that does not answer makes it log a warning with a traceback;
keep that off the user's screen.
"""

from __future__ import annotations

import logging

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
