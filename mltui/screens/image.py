"""An image artifact alone on the whole screen (`f` in the artifact pane)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from mltui.text import literal
from mltui.widgets.image_loader import ImageBox


class ImageScreen(ModalScreen[None]):
    """The image scaled to the terminal, its name above; Escape (or f, q, Enter) returns."""

    BINDINGS = [Binding("escape,f,q,enter", "dismiss", "Close")]

    DEFAULT_CSS = """
    ImageScreen { background: $background; }
    ImageScreen #image-title { height: 1; padding: 0 1; background: $panel; }
    """

    def __init__(self, name: str, image: Any) -> None:
        super().__init__()
        self.image_name = name
        self.image = image

    def compose(self) -> ComposeResult:
        title = literal(self.image_name, "bold", max_len=160)
        title.append("   esc: back", style="dim")
        yield Static(title, id="image-title")
        yield ImageBox(id="full-image")

    async def on_mount(self) -> None:
        await self.query_one(ImageBox).show(self.image)
