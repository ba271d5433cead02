"""Errors a user can act on: each names the file and says what is wrong, in Chinese."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A file could not be ingested. The ingest reports it and goes on with the other files."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}：{reason}")


class UnsupportedFileType(IngestError):
    pass


class UnreadableFile(IngestError):
    pass


class EmptyDocument(IngestError):
    pass
