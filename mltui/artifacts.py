"""Read and classify artifact files for preview: pure functions, no Textual.

Every reader here is bounded: large files are read by seeking to the part
shown (the tail of a log, the head of a table), never loaded whole.
Artifact content is untrusted; `safe_text` makes it inert for display.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import tomllib

from mltui.text import strip_control

MIB = 1 << 20
HEAD_BYTES = 64 * 1024
TEXT_LIMIT = MIB  # text shown at most: the last (logs) or first MiB
STRUCTURED_LIMIT = 4 * MIB  # larger JSON/YAML/TOML is shown as plain text (parsed data costs ~10x)
TABLE_JSON_LIMIT = 64 * MIB  # an MLflow table JSON must be parsed whole
MAX_ROWS = 10_000
MAX_LINE = 4096  # longer lines are split for display
MAX_PIXELS = 50_000_000  # larger images are not decoded

KINDS = (
    "text",
    "json",
    "yaml",
    "toml",
    "table",
    "mlflow_table",
    "parquet",
    "image",
    "svg",
    "html",
    "binary",
)
TEXT_KINDS = frozenset({"text", "json", "yaml", "toml", "table", "mlflow_table", "svg", "html"})
LANGUAGES = {"json": "json", "mlflow_table": "json", "yaml": "yaml", "toml": "toml", "svg": "xml"}
_SOURCE_LANGUAGES = {".py": "python", ".sh": "bash", ".md": "markdown"}  # text files worth highlighting

_EXTENSIONS = {
    **dict.fromkeys((".txt", ".log", ".out", ".err", ".py", ".sh", ".md", ".cfg", ".ini", ".jsonl"), "text"),
    ".json": "json",
    **dict.fromkeys((".yaml", ".yml"), "yaml"),
    ".toml": "toml",
    **dict.fromkeys((".csv", ".tsv"), "table"),
    ".parquet": "parquet",
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"), "image"),
    ".svg": "svg",
    **dict.fromkeys((".html", ".htm"), "html"),
}
_YAML_NAMES = {"MLmodel", "MLproject", "conda.yaml", "python_env.yaml"}
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
_TABLE_START = re.compile(rb'^\s*\{\s*"(columns|data)"\s*:\s*\[')


def human_size(n: int | None) -> str:
    """`1536` -> "1.5 KiB"; None -> ""."""
    if n is None:
        return ""
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    shown = f"{value:.0f}" if value >= 100 else f"{value:.1f}".removesuffix(".0")
    return f"{shown} {unit}"


def is_binary(head: bytes) -> bool:
    """True if `head` looks like binary data rather than text."""
    if not head:
        return False
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason.startswith("unexpected end"):
            return False  # a multi-byte character cut by the head limit
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\f\b\x1b") + head.count(b"\x7f")
    return controls / len(head) > 0.05


def _looks_like_table_json(head: bytes) -> bool:
    """An MLflow table JSON: an object with `columns` and `data` lists."""
    try:
        data = json.loads(head)
    except ValueError:
        # A head cut mid-document: judge by its opening and the keys it names.
        return bool(_TABLE_START.match(head)) and b'"columns"' in head and b'"data"' in head
    return isinstance(data, dict) and isinstance(data.get("columns"), list) and isinstance(data.get("data"), list)


def detect_kind(path: str, head: bytes) -> str:
    """Classify an artifact by its name and first bytes; one of `KINDS`."""
    name = path.rsplit("/", 1)[-1]
    kind = "yaml" if name in _YAML_NAMES else _EXTENSIONS.get(os.path.splitext(name)[1].lower())
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    if head.startswith(b"PAR1"):
        return "parquet"
    if kind in ("image", "parquet"):
        return kind
    if is_binary(head):
        return "binary"
    if kind == "json":
        return "mlflow_table" if _looks_like_table_json(head) else "json"
    if kind is not None:
        return kind
    return _sniff_text(head)


def _sniff_text(head: bytes) -> str:
    """Kind of a text file with an unknown extension."""
    start = head.lstrip()[:200].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    if start.startswith(b"<svg") or (start.startswith(b"<?xml") and b"<svg" in head[:1024].lower()):
        return "svg"
    if start.startswith((b"{", b"[")):
        try:
            json.loads(head)
        except ValueError:
            return "text"
        return "mlflow_table" if _looks_like_table_json(head) else "json"
    return "text"


def decode(data: bytes) -> str:
    """Bytes to str, replacing what is not UTF-8."""
    return data.decode("utf-8", errors="replace")


def safe_text(text: str, max_line: int = MAX_LINE) -> str:
    """Untrusted text made inert: no escape sequences or control characters, newlines kept.

    Lines longer than `max_line` characters are split so no single line is huge.
    """
    text = strip_control(text.replace("\r\n", "\n").replace("\r", "\n"), keep_newlines=True)
    if len(text) <= max_line or max(map(len, text.split("\n"))) <= max_line:
        return text
    return "\n".join(line[i : i + max_line] for line in text.split("\n") for i in range(0, max(len(line), 1), max_line))


def read_head(path: str | Path, limit: int = TEXT_LIMIT) -> tuple[str, bool]:
    """The first `limit` bytes decoded, cut at the last full line; and whether it was truncated."""
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    truncated = len(data) > limit
    if truncated:
        data = data[:limit]
        cut = data.rfind(b"\n")
        if cut > 0:
            data = data[: cut + 1]
    return decode(data), truncated


def read_tail(path: str | Path, limit: int = TEXT_LIMIT) -> tuple[str, bool]:
    """The last `limit` bytes decoded, starting on a line boundary; and whether it was truncated.

    Seeks, so a file of any size costs only `limit` bytes of memory.
    """
    with open(path, "rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        start = max(0, size - limit)
        fh.seek(start)
        data = fh.read(limit)
    if start > 0:
        newline = data.find(b"\n")
        if 0 <= newline < len(data) - 1:
            data = data[newline + 1 :]
    return decode(data), start > 0


def parse_structured(text: str, kind: str) -> Any:
    """Parse JSON, YAML or TOML text; ValueError on malformed input."""
    try:
        if kind in ("json", "mlflow_table"):
            return json.loads(text)
        if kind == "yaml":
            import yaml

            return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if kind == "toml":
            return tomllib.loads(text)
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    raise ValueError(f"not a structured kind: {kind}")


def pretty_structured(text: str, kind: str) -> str:
    """Pretty-print JSON; YAML and TOML are checked and kept as written (comments survive)."""
    data = parse_structured(text, kind)
    if kind in ("json", "mlflow_table"):
        return json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return text


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def count_lines(path: str | Path, chunk: int = MIB) -> int:
    """Number of lines in a file, read in chunks."""
    lines, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def load_table(path: str | Path, kind: str, max_rows: int = MAX_ROWS) -> tuple[list[str], list[list[str]], int | None]:
    """Columns, the first `max_rows` rows as strings, and the total row count (None if unknown).

    Raises ValueError when the file is not a table of that kind.
    """
    path = Path(path)
    if kind == "parquet":
        return _load_parquet(path, max_rows)
    if kind == "mlflow_table":
        return _load_table_json(path, max_rows)
    if kind == "table":
        return _load_csv(path, max_rows)
    raise ValueError(f"not a table kind: {kind}")


def _load_csv(path: Path, max_rows: int) -> tuple[list[str], list[list[str]], int | None]:
    import pandas as pd

    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        frame = pd.read_csv(path, sep=sep, nrows=max_rows, dtype=str, keep_default_na=False, encoding_errors="replace")
    except Exception as exc:
        raise ValueError(f"cannot parse as a table: {str(exc).splitlines()[0] if str(exc) else exc}") from exc
    rows = frame.values.tolist()
    total = len(rows) if len(rows) < max_rows else max(len(rows), count_lines(path) - 1)
    return [str(c) for c in frame.columns], rows, total


def _load_parquet(path: Path, max_rows: int) -> tuple[list[str], list[list[str]], int | None]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        columns = [str(name) for name in parquet.schema_arrow.names]
        batch = next(parquet.iter_batches(batch_size=max_rows), None)
    except Exception as exc:
        raise ValueError(f"cannot read Parquet: {exc}") from exc
    rows: list[list[str]] = []
    if batch is not None:
        data = batch.to_pydict()
        rows = [[_cell(data[name][i]) for name in batch.schema.names] for i in range(batch.num_rows)]
    return columns, rows, parquet.metadata.num_rows


def _load_table_json(path: Path, max_rows: int) -> tuple[list[str], list[list[str]], int | None]:
    size = path.stat().st_size
    if size > TABLE_JSON_LIMIT:
        raise ValueError(f"table JSON too large to parse ({human_size(size)})")
    with open(path, "rb") as fh:
        try:
            data = json.load(fh)
        except ValueError as exc:
            raise ValueError(f"invalid JSON: {exc}") from exc
    if not (isinstance(data, dict) and isinstance(data.get("columns"), list) and isinstance(data.get("data"), list)):
        raise ValueError("not an MLflow table (needs 'columns' and 'data' lists)")
    columns = [_cell(c) for c in data["columns"]]
    rows = []
    for record in data["data"][:max_rows]:
        values = record if isinstance(record, list) else [record]
        rows.append([_cell(v) if not isinstance(v, (dict, list)) else json.dumps(v, default=str) for v in values])
    return columns, rows, len(data["data"])


# -- HTML ------------------------------------------------------------------------

_BLOCK_TAGS = {
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "nav",
    "aside",
    "dl",
    "dt",
    "dd",
    "thead",
    "tbody",
    "tfoot",
    "form",
    "figure",
    "figcaption",
    "title",
    "details",
    "summary",
    "hr",
}
_PARAGRAPH_TAGS = {"p", "ul", "ol", "table", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
_DROPPED_TAGS = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_SPACE = re.compile(r"[ \t\r\n\f\v]+")


class _TextExtractor(HTMLParser):
    """Collect readable text: blocks on their own lines, table rows as `a | b`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.skip = 0
        self.pre = 0
        self.cells: list[str] | None = None

    def flush(self, *, paragraph: bool = False) -> None:
        """End the current line; `paragraph` also leaves one blank line."""
        text = "".join(self.line)
        text = text.rstrip("\n") if self.pre else _SPACE.sub(" ", text).strip()
        if text:
            self.lines.append(text)
        if paragraph and self.lines and self.lines[-1]:
            self.lines.append("")
        self.line = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_TAGS:
            self.skip += 1
        elif self.skip:
            return
        elif tag == "tr":
            if self.cells is not None:
                self.end_row()
            self.flush()
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.flush_cell()
        elif tag in ("br", "li") or tag in _BLOCK_TAGS or tag in _PARAGRAPH_TAGS:
            self.flush(paragraph=tag in _PARAGRAPH_TAGS)
            self.pre += tag == "pre"
            if tag == "li":
                self.line.append("• ")
            elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self.line.append("#" * int(tag[1]) + " ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_TAGS:
            self.skip = max(0, self.skip - 1)
        elif self.skip:
            return
        elif tag in ("tr", "table", "thead", "tbody", "tfoot") and self.cells is not None:
            self.end_row()
            if tag == "table":
                self.flush(paragraph=True)
        elif tag in _BLOCK_TAGS or tag in _PARAGRAPH_TAGS or tag == "li":
            self.flush(paragraph=tag in _PARAGRAPH_TAGS)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.handle_starttag(tag, attrs)

    def flush_cell(self) -> None:
        """End a table cell (its text joins the row)."""
        if self.cells is None:
            return
        text = _SPACE.sub(" ", "".join(self.line)).strip()
        if text or self.line:
            self.cells.append(text)
        self.line = []

    def end_row(self) -> None:
        """End a table row: its cells become one `a | b` line."""
        self.flush_cell()
        row = " | ".join(self.cells or [])
        self.cells = None
        if row.strip(" |"):
            self.lines.append(row)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.line.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML page: scripts and styles dropped, table rows as `a | b`."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    if parser.cells is not None:
        parser.end_row()
    parser.flush()
    while parser.lines and not parser.lines[-1]:
        parser.lines.pop()
    return "\n".join(parser.lines)


# -- the whole preview, prepared off the UI thread ----------------------------------


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
        preview.note = _join(f"not shown as {kind}: {clean_line(str(exc))}", preview.note)
        return preview


def clean_line(message: str, max_len: int = 200) -> str:
    """First line of a message, safe and short."""
    first = next((line for line in message.splitlines() if line.strip()), message)
    first = strip_control(first)
    return first if len(first) <= max_len else first[: max_len - 1] + "…"


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def _text_preview(local: Path, kind: str, size: int) -> Preview:
    if size > TEXT_LIMIT:
        text, _ = read_tail(local)
        note = f"showing last {human_size(TEXT_LIMIT)} of {human_size(size)}"
        return Preview(kind, size, note=note, text=safe_text(text), from_end=True)
    text, _ = read_head(local)
    note = "empty file" if size == 0 else ""
    language = _SOURCE_LANGUAGES.get(local.suffix.lower()) if kind == "text" else None
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


def describe_binary(name: str, head: bytes) -> str:
    """A short type name for a binary file."""
    signatures = {
        b"PK\x03\x04": "zip archive",
        b"\x1f\x8b": "gzip data",
        b"\x80": "Python pickle",
        b"\x93NUMPY": "NumPy array",
        b"%PDF": "PDF document",
        b"\x7fELF": "ELF executable",
        b"SQLite format 3": "SQLite database",
        b"BZh": "bzip2 data",
        b"\xfd7zXZ": "xz data",
    }
    for magic, label in signatures.items():
        if head.startswith(magic):
            return label
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    return f"{ext} data" if ext else "unknown type"


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


# -- save and open -------------------------------------------------------------------


def save_target(dest: str, name: str) -> Path:
    """Where saving artifact `name` to what the user typed (`dest`) puts it.

    An existing folder, or a path ending in a separator, receives `name` inside it;
    anything else is the target path itself.
    """
    path = Path(os.path.expanduser(dest.strip() or "."))
    if path.is_dir() or dest.endswith((os.sep, "/")):
        return path / name
    return path


def copy_artifact(source: Path, target: Path) -> Path:
    """Copy a downloaded file or folder to `target`, never overwriting a file; return `target`."""
    import shutil

    if target.exists():
        raise FileExistsError(17, "already exists; choose another path", str(target))
    if source.is_dir():
        shutil.copytree(source, target)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def opener_command(kind: str, environ: Mapping[str, str]) -> list[str]:
    """The program to open an artifact with: `$PAGER` for text, `$EDITOR` otherwise."""
    import shlex

    if kind in TEXT_KINDS:
        candidates = (environ.get("PAGER"), "less")
    else:
        candidates = (environ.get("EDITOR"), environ.get("VISUAL"), "vi")
    for candidate in candidates:
        if candidate and candidate.strip():
            try:
                return shlex.split(candidate)
            except ValueError:
                continue
    return ["less"]
