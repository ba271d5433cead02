"""HTML pages via BeautifulSoup: drop scripts, navigation and page chrome; keep headings. The elements of a page are
counted before it is parsed (each costs the tree about a kilobyte; millions of empty paragraphs took gigabytes and
crashed the process), and the text is read in one pass over the tree, which is never changed: moving nodes in a
BeautifulSoup tree looks each one up among its siblings, so a page of many paragraphs took minutes."""

from __future__ import annotations

import re
from itertools import islice
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.encoding import decode_bytes
from ingest.errors import OverLimit
from ingest.loaders.limits import LoadLimits

_CHROME_TAGS = frozenset(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"])
_BLOCK_TAGS = frozenset(["p", "div", "li", "tr", "br", "section", "article", "table"])
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_ANY_HEADING = 7  # headings_below for the page: every heading is written as a heading line
_START_TAG = re.compile(r"<[a-zA-Z]")  # what html.parser takes for the start of a tag (its starttagopen)
# an element a browser does not show: hidden, aria-hidden, or styled display:none / visibility:hidden (text a reader
# never sees is no part of the document; hidden instructions became the answer's only basis)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)", re.IGNORECASE)


def _hidden(node: Tag) -> bool:
    attrs = node.attrs
    if not attrs:
        return False
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    style = attrs.get("style")
    return bool(style) and _HIDDEN_STYLE.search(str(style)) is not None


def load_html(path: Path, limits: LoadLimits | None = None) -> str:
    limits = limits or LoadLimits()
    markup = decode_bytes(path.read_bytes(), path)
    check_elements(path, markup, limits.html_max_elements)
    soup = BeautifulSoup(markup, "html.parser")
    del markup
    return "".join(_pieces(soup.body or soup))


def check_elements(path: Path, markup: str, most: int) -> None:
    """Refuse a page of more than `most` elements before it is parsed (counting stops just past the limit)."""
    if sum(1 for _ in islice(_START_TAG.finditer(markup), most + 1)) > most:
        raise OverLimit(
            path,
            f"网页中的标签（元素）超过 {most:,} 个，不是正常的文档，可能是恶意构造的文件，已拒绝导入，"
            "其他文件照常导入；如确为正常文件，请拆分或另存为纯文本后再导入，或调大 ANQUAN_HTML_MAX_ELEMENTS",
        )


def _pieces(root: Tag, headings_below: int = _ANY_HEADING) -> list[str]:
    """The text of root in document order, as its get_text() would give it (the same kinds of strings) once the page
    chrome is left out and each heading of a level under headings_below is written as a Markdown heading line (a
    heading's own text keeps only the headings of a higher rank inside it); outside headings, a line break before
    each block. Depth-first with a stack of its own: no recursion on the nesting, however deep."""
    kept = root.interesting_string_types or Tag.MAIN_CONTENT_STRING_TYPES
    blocks = headings_below == _ANY_HEADING  # inside a heading, its words are joined on one line
    pieces: list[str] = []
    stack = list(reversed(root.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, NavigableString):
            if type(node) in kept:
                pieces.append(str(node))
        elif isinstance(node, Tag) and node.name not in _CHROME_TAGS and not _hidden(node):
            level = _HEADINGS.get(node.name)
            if level is not None and level < headings_below:
                words = (piece.strip() for piece in _pieces(node, headings_below=level))
                pieces.append(f"\n{'#' * level} {' '.join(word for word in words if word)}\n")
                continue
            if blocks and node.name in _BLOCK_TAGS:
                pieces.append("\n")
            stack.extend(reversed(node.contents))
    return pieces
