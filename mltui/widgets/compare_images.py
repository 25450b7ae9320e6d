"""The runs' images of an artifact comparison, side by side (stacked when narrow) at one scale.

Sizes come from the image headers (`ArtifactComparison.image_layout`), so equal
pixels look equally big in every run's panel; decoding happens in a thread
(`load_images`, bounded like the preview), never on the UI thread.
"""

from __future__ import annotations

from typing import Any

from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from mltui.artifact_diff import ArtifactComparison
from mltui.artifacts import build_preview
from mltui.text import literal
from mltui.widgets.image_loader import image_widget

CELL_PIXELS = (10, 20)  # a terminal cell, in image pixels, for sizing images at one scale
MIN_PANEL_WIDTH = 30  # narrower side-by-side panels are stacked instead


def load_images(result: ArtifactComparison) -> dict[str, Any]:
    """Each run's decoded image by label (bounded and thumbnailed as the preview does); run in a thread."""
    images = {}
    for label, local in result.files:
        if local is None:
            continue
        try:
            preview = build_preview(local, local.name)
        except Exception:  # noqa: BLE001 - the panel shows the header's note instead
            continue
        if preview.image is not None:
            images[label] = preview.image
    return images


def image_panels(
    result: ArtifactComparison, images: dict[str, Any], width: int, height: int
) -> tuple[bool, list[Widget]]:
    """(stacked?, one labelled panel per run) fitting `width` x `height` cells; missing runs keep a panel."""
    count = max(1, len(result.files))
    width, height = max(20, width), max(6, height)
    stacked = width // count < MIN_PANEL_WIDTH
    cells = (width - 2, max(4, height // count - 1)) if stacked else (width // count - 2, height - 2)
    layout = result.image_layout(cells[0] * CELL_PIXELS[0], cells[1] * CELL_PIXELS[1], upscale=True)
    panels: list[Widget] = []
    ImageWidget = image_widget()
    for slot in layout.slots:
        label = literal(slot.label, max_len=80)
        children: list[Widget] = [Static(label, classes="compare-image-label")]
        image = images.get(slot.label)
        if slot.path is None:
            label.append("  missing", style="bold yellow")
        elif image is None or slot.target is None or ImageWidget is None:
            reason = slot.note or ("this terminal cannot draw images" if ImageWidget is None else "not decoded")
            children.append(Static(literal(reason, "dim")))
        else:
            widget = ImageWidget(image)
            widget.styles.width = max(1, round(slot.target[0] / CELL_PIXELS[0]))
            widget.styles.height = max(1, round(slot.target[1] / CELL_PIXELS[1]))
            children.append(widget)
        if slot.size:
            label.append(f"  {slot.size[0]}×{slot.size[1]}", style="dim")
        panels.append(Vertical(*children, classes="compare-image"))
    return stacked, panels
