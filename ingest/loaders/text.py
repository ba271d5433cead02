"""Plain text and Markdown files, in any of the supported encodings."""

from __future__ import annotations

from pathlib import Path

from ingest.encoding import decode_bytes


def load_text(path: Path) -> str:
    return decode_bytes(path.read_bytes(), path)
