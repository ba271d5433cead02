"""The ingest's own files in the data directory, written atomically: the journal of documents being written,
whose leftovers the next run finishes or rolls back after a crash (even kill -9)."""

from __future__ import annotations

import json
import os
from pathlib import Path


def write_json(path: Path, value: object) -> None:
    """Replace path with value as JSON, atomically: a temporary file beside it, renamed over it only when
    complete (a failed write leaves the old file and no temporary one). Text that is not valid UTF-8 (a
    file name's bytes kept as surrogate escapes) is written as JSON escapes, so it reads back the same."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = json.dumps(value).encode("ascii")  # \udcxx escapes: json.loads gives the same str back
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class Journal:
    """Documents being written; what a crashed run leaves here is finished or rolled back next time."""

    def __init__(self, path: Path):
        self.path = path

    def read(self) -> list[dict]:
        """The entries of the shape written ({"doc_id": …, "hash": …}); none from a journal that cannot be read or
        is of another shape (bytes that are not UTF-8, an object, a list of numbers, JSON nested past the recursion
        limit: a damaged disk or a hand edit). Each failed every later import as 意外错误…请重试, for ever."""
        if not self.path.exists():
            return []
        try:
            read = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return []
        return [
            entry
            for entry in (read if isinstance(read, list) else ())
            if isinstance(entry, dict) and isinstance(entry.get("doc_id"), str) and isinstance(entry.get("hash"), str)
        ]

    def write(self, entries: list[dict]) -> None:
        write_json(self.path, entries)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
