"""The whole preview of one artifact file, prepared off the UI thread.

`build_preview` picks a reader by kind; when a file is not what its name
says (a broken JSON, an image PIL cannot decode), it falls back to text or a
binary note, with the reason in the note. Nothing here imports Textual.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mltui.artifacts.html import html_to_text
from mltui.artifacts.kinds import LANGUAGES, SOURCE_LANGUAGES, describe_binary, detect_kind, is_binary
from mltui.artifacts.limits import (
    DECODED_LIMIT,
    HEAD_BYTES,
    MAX_IMAGE_BYTES,
    MAX_PIXELS,
    STRUCTURED_LIMIT,
    TEXT_LIMIT,
    human_size,
)
from mltui.artifacts.reading import decode, gzip_claimed_size, read_gzip_head, read_head, read_tail, safe_text
from mltui.artifacts.structured import parse_structured
from mltui.artifacts.tables import read_table
from mltui.text import clean

GZIP_MAGIC = b"\x1f\x8b"
THUMBNAIL = (2048, 2048)  # images are scaled down to fit this before display
PILLOW_DEFAULT_LIMIT = int(1024 * 1024 * 1024 // 4 // 3)  # Pillow's MAX_IMAGE_PIXELS: it raises past twice this


@dataclass(slots=True)
class Preview:
    """What the viewer shows for one file, computed in a worker thread."""

    kind: str
    size: int
    note: str = ""
    text: str | None = None  # safe text (control characters stripped)
    language: str | None = None  # for highlighting `text`
    from_end: bool = False  # start scrolled to the end (logs)
    data: Any = None  # parsed JSON/YAML/TOML for the tree view
    has_tree: bool = False
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    image: Any = None  # a loaded PIL image


def build_preview(local: str | Path, name: str) -> Preview:
    """Read `local` (the downloaded artifact `name`) into a bounded `Preview`."""
    local = Path(local)
    size = local.stat().st_size
    with open(local, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head.startswith(GZIP_MAGIC):
        return _gzip_preview(local, name, size)
    kind = detect_kind(name, head)
    builder = _BUILDERS.get(kind, _text_preview)
    try:
        return builder(local, kind, size)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, RecursionError):
            exc = ValueError("nested too deeply")
        fallback = _binary_preview if is_binary(head) else _text_preview
        preview = fallback(local, "binary" if is_binary(head) else "text", size)
        preview.note = _join(f"not shown as {kind}: {clean(exc, max_len=200, first_line=True)}", preview.note)
        return preview


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def _text_preview(local: Path, kind: str, size: int) -> Preview:
    if size > TEXT_LIMIT:
        text, _ = read_tail(local)
        note = f"showing last {human_size(TEXT_LIMIT)} of {human_size(size)}"
        return Preview(kind, size, note=note, text=safe_text(text), from_end=True)
    text, _ = read_head(local)
    note = "empty file" if size == 0 else ""
    language = SOURCE_LANGUAGES.get(local.suffix.lower()) if kind == "text" else None
    return Preview(
        kind, size, note=note, text=safe_text(text), language=language, from_end=kind == "text" and _is_log(local)
    )


def _is_log(local: Path) -> bool:
    return local.suffix.lower() in (".log", ".out", ".err")


def _structured_preview(local: Path, kind: str, size: int) -> Preview:
    if size > STRUCTURED_LIMIT:
        text, _ = read_head(local)
        note = f"too large to pretty-print ({human_size(size)}): first {human_size(TEXT_LIMIT)} as text"
        return Preview("text", size, note=note, text=safe_text(text))
    raw = decode(local.read_bytes())
    data = parse_structured(raw, kind)
    pretty = json.dumps(data, indent=2, ensure_ascii=False, default=str) if kind == "json" else raw
    return Preview(
        kind, size, text=safe_text(pretty), language=LANGUAGES[kind], data=data, has_tree=isinstance(data, (dict, list))
    )


def _table_preview(local: Path, kind: str, size: int) -> Preview:
    try:
        read = read_table(local, kind)
    except ValueError:
        if kind == "mlflow_table":
            return _structured_preview(local, "json", size)
        raise
    rows, total = read.rows, read.total
    shown = f"first {len(rows):,} of " if total is None or total > len(rows) else ""
    count = f"{total:,}" if total is not None else "?"
    note = _join(f"{shown}{count} rows × {len(read.columns)} columns", *read.cuts)
    return Preview(kind, size, note=note, columns=read.columns, rows=rows)


def _gzip_preview(local: Path, name: str, size: int) -> Preview:
    """gzip'd text (`train.log.gz`): its first DECODED_LIMIT bytes decompressed, shown as text."""
    try:
        data, more = read_gzip_head(local)
    except ValueError as exc:
        return Preview("binary", size, note=f"binary file (gzip data, {human_size(size)}): {clean(exc, max_len=120)}")
    inner = name[:-3] if name.lower().endswith(".gz") else name
    if is_binary(data[:HEAD_BYTES]):
        return Preview("binary", size, note=f"binary file (gzip data holding {describe_binary(inner, data[:16])})")
    note = f"gzip, decompressed {human_size(len(data))}"
    if more:
        claimed = gzip_claimed_size(local)
        rest = f"; trailer claims {human_size(claimed)}" if claimed and claimed > len(data) else ""
        note = f"gzip: first {human_size(DECODED_LIMIT)} decompressed, the rest not shown{rest}"
    text = decode(data)
    del data
    return Preview("text", size, note=note, text=safe_text(text))


def _image_preview(local: Path, kind: str, size: int) -> Preview:
    """Decode an image only if its header's size fits MAX_PIXELS and MAX_IMAGE_BYTES, then thumbnail it.

    Pillow reads just the header on `open`; a JPEG is scaled down while decoding
    (`draft`), anything else is decoded whole, so the check comes first.
    """
    from PIL import Image, UnidentifiedImageError

    _bound_pillow(Image)
    try:
        with Image.open(local) as img:
            width, height = img.size
            note = f"{img.format or 'image'} {width}×{height}"
            if img.format == "JPEG":
                img.draft("RGB", THUMBNAIL)  # decode at 1/2, 1/4 or 1/8 scale
            decoded = img.size[0] * img.size[1]
            if decoded > MAX_PIXELS or decoded * _bytes_per_pixel(img.mode) > MAX_IMAGE_BYTES:
                raise ValueError(f"image too large to preview ({width}×{height}) over the {MAX_PIXELS:,}-pixel limit")
            img.thumbnail(THUMBNAIL, reducing_gap=1.0)
            image = img.convert("RGBA") if img.mode not in ("RGB", "RGBA") else img.copy()
    except Image.DecompressionBombError as exc:
        raise ValueError(f"image too large to preview ({_claimed_pixels(exc)}) over Pillow's limit") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(f"cannot decode image: {exc}") from exc
    return Preview(kind, size, note=note, image=image)


def _bound_pillow(image_module: Any) -> None:
    """Keep Pillow's own guard on as a backstop: on `open` it refuses anything past twice its limit.

    The limit is process-wide (the artifact diff reads headers with it too), so
    it is only restored to Pillow's default if something switched it off or
    raised it. Our stricter check (MAX_PIXELS, after a JPEG's draft) runs before
    decoding, which makes Pillow's warning below its error noise: that one
    category is silenced.
    """
    import warnings

    limit = image_module.MAX_IMAGE_PIXELS
    if limit is None or limit > PILLOW_DEFAULT_LIMIT:
        image_module.MAX_IMAGE_PIXELS = PILLOW_DEFAULT_LIMIT
    warnings.filterwarnings("ignore", category=image_module.DecompressionBombWarning)


def _bytes_per_pixel(mode: str) -> int:
    """Bytes Pillow keeps a pixel in memory: one for 1/L/P, two for 16-bit modes, four otherwise."""
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _claimed_pixels(exc: Exception) -> str:
    found = re.search(r"\((\d+) pixels\)", str(exc))
    return f"{int(found.group(1)):,} pixels" if found else "header size"


def _svg_preview(local: Path, kind: str, size: int) -> Preview:
    try:
        import io

        import cairosvg  # optional: not a dependency
        from PIL import Image

        png = cairosvg.svg2png(url=str(local), output_width=1024)
        return Preview("image", size, note="SVG rendered", image=Image.open(io.BytesIO(png)).convert("RGBA"))
    except Exception:  # noqa: BLE001 - no renderer or a broken SVG: show the XML
        preview = _text_preview(local, kind, size)
        preview.language = "xml"
        preview.note = _join("SVG shown as XML text", preview.note)
        return preview


def _html_preview(local: Path, kind: str, size: int) -> Preview:
    text, truncated = read_head(local)
    note = "converted to text"
    if truncated:
        note += f"; first {human_size(TEXT_LIMIT)} of {human_size(size)}"
    return Preview(kind, size, note=note, text=safe_text(html_to_text(text)))


def _binary_preview(local: Path, kind: str, size: int) -> Preview:
    with open(local, "rb") as fh:
        head = fh.read(16)
    note = f"binary file ({describe_binary(local.name, head)}, {human_size(size)})"
    return Preview(kind, size, note=note)


_BUILDERS = {
    "json": _structured_preview,
    "yaml": _structured_preview,
    "toml": _structured_preview,
    "table": _table_preview,
    "mlflow_table": _table_preview,
    "parquet": _table_preview,
    "image": _image_preview,
    "svg": _svg_preview,
    "html": _html_preview,
    "binary": _binary_preview,
}
