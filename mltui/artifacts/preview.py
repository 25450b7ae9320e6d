"""The whole preview of one artifact file, prepared off the UI thread.

`build_preview` picks a reader by kind; when a file is not what its name
says (a broken JSON, an image PIL cannot decode), it falls back to text or a
binary note, with the reason in the note. Nothing here imports Textual.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mltui.artifacts.html import html_to_text
from mltui.artifacts.kinds import LANGUAGES, SOURCE_LANGUAGES, describe_binary, detect_kind, is_binary
from mltui.artifacts.limits import HEAD_BYTES, MAX_PIXELS, STRUCTURED_LIMIT, TEXT_LIMIT, human_size
from mltui.artifacts.reading import decode, read_head, read_tail, safe_text
from mltui.artifacts.structured import parse_structured
from mltui.artifacts.tables import load_table
from mltui.text import clean


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
    kind = detect_kind(name, head)
    builder = _BUILDERS.get(kind, _text_preview)
    try:
        return builder(local, kind, size)
    except ValueError as exc:
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
        columns, rows, total = load_table(local, kind)
    except ValueError:
        if kind == "mlflow_table":
            return _structured_preview(local, "json", size)
        raise
    shown = f"first {len(rows):,} of " if total is None or total > len(rows) else ""
    count = f"{total:,}" if total is not None else "?"
    note = f"{shown}{count} rows × {len(columns)} columns"
    return Preview(kind, size, note=note, columns=columns, rows=rows)


def _image_preview(local: Path, kind: str, size: int) -> Preview:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(local) as img:
            note = f"{img.format or 'image'} {img.width}×{img.height}"
            if img.width * img.height > MAX_PIXELS:
                raise ValueError(f"image too large to preview ({img.width}×{img.height})")
            img.thumbnail((2048, 2048))
            image = img.convert("RGBA") if img.mode not in ("RGB", "RGBA") else img.copy()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"cannot decode image: {exc}") from exc
    return Preview(kind, size, note=note, image=image)


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
