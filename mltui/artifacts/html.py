"""HTML reports (evaluation summaries, profiling pages) as readable plain text; nothing is run."""

from __future__ import annotations

import re
from html.parser import HTMLParser

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
