"""Lay out one image per run at a common scale, from header sizes only.

Pillow opens images lazily: `Image.open` reads the header, not the pixels,
so sizing a 20,000 x 20,000 PNG costs a few KiB. Decoding is the viewer's job.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ImageSlot:
    """One run's image: its natural size and the size to show it at (None when it cannot be shown)."""

    label: str
    path: Path | None
    size: tuple[int, int] | None  # (width, height) from the header
    target: tuple[int, int] | None  # (width, height) at the layout's common scale
    note: str = ""  # "missing" or why the header could not be read


@dataclass(frozen=True, slots=True)
class ImageLayout:
    """Every run's slot (baseline first, missing runs kept) and the one scale they share."""

    scale: float
    slots: list[ImageSlot]

    @property
    def missing(self) -> list[str]:
        return [slot.label for slot in self.slots if slot.path is None]


def image_size(path: str | Path) -> tuple[int, int]:
    """(width, height) read from the image header; ValueError when it is not a readable image."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning: we never decode here
            with Image.open(path) as img:
                width, height = img.size
    except Image.DecompressionBombError as exc:
        raise ValueError(f"image too large: {exc}") from exc
    except Exception as exc:
        raise ValueError(f"cannot read image header: {type(exc).__name__}") from exc
    if width <= 0 or height <= 0:
        raise ValueError(f"image has no area ({width}×{height})")
    return width, height


def common_scale(sizes: Sequence[tuple[int, int]], max_width: int, max_height: int, *, upscale: bool = False) -> float:
    """The largest scale at which every size fits in `max_width` x `max_height` (at most 1 unless `upscale`)."""
    if not sizes:
        return 1.0
    widest = max(width for width, _ in sizes)
    tallest = max(height for _, height in sizes)
    scale = min(max_width / widest, max_height / tallest)
    return scale if upscale else min(scale, 1.0)


def image_layout(
    files: Sequence[tuple[str, str | Path | None]], max_width: int, max_height: int, *, upscale: bool = False
) -> ImageLayout:
    """Slots for the runs' images at one common scale, so equal pixels look equally big.

    `max_width` x `max_height` is the box each image gets (pixels, or terminal
    cells in the same units as the sizes); a run lacking the file keeps its slot.
    """
    if max_width <= 0 or max_height <= 0:
        raise ValueError("the image box must be positive")
    sized: list[tuple[str, Path | None, tuple[int, int] | None, str]] = []
    for label, path in files:
        if path is None:
            sized.append((label, None, None, "missing"))
            continue
        try:
            sized.append((label, Path(path), image_size(path), ""))
        except ValueError as exc:
            sized.append((label, Path(path), None, str(exc)))
    scale = common_scale([size for *_, size, _ in sized if size], max_width, max_height, upscale=upscale)
    slots = [
        ImageSlot(label, path, size, None if size is None else _scaled(size, scale), note)
        for label, path, size, note in sized
    ]
    return ImageLayout(scale, slots)


def _scaled(size: tuple[int, int], scale: float) -> tuple[int, int]:
    """A size times `scale`, never below one pixel."""
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))
