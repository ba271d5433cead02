"""HTML pages via BeautifulSoup: drop scripts, navigation and page chrome; keep headings."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from ingest.encoding import decode_bytes

_CHROME_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"]
_BLOCK_TAGS = ["p", "div", "li", "tr", "br", "section", "article", "table"]


def load_html(path: Path) -> str:
    soup = BeautifulSoup(decode_bytes(path.read_bytes(), path), "html.parser")
    for tag in soup(_CHROME_TAGS):
        tag.decompose()
    for level in range(1, 7):
        for heading in soup.find_all(f"h{level}"):
            heading.replace_with(f"\n{'#' * level} {heading.get_text(' ', strip=True)}\n")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
    body = soup.body or soup
    return body.get_text()
