"""Errors a user can act on: each names the file and says what is wrong, in Chinese. Also the warnings a
loader notes about the file it reads (a replaced byte, a skipped page), shown in that file's result."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path


class UserFacingError(Exception):
    """An error whose message (Chinese) already says what happened and what to do; shown as it is."""


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


class OverLimit(IngestError):
    """The file would make the ingest unpack or parse more than the configured limits (a zip or PDF bomb)."""


_WARNINGS: ContextVar[list[str] | None] = ContextVar("ingest_load_warnings", default=None)


def warn(message: str) -> None:
    """Note, in Chinese, something the user should check in the file being loaded (no-op outside
    collecting_warnings)."""
    sink = _WARNINGS.get()
    if sink is not None and message not in sink:
        sink.append(message)


@contextmanager
def collecting_warnings(sink: list[str]) -> Iterator[list[str]]:
    """Collect what warn() notes while the block runs into sink."""
    token = _WARNINGS.set(sink)
    try:
        yield sink
    finally:
        _WARNINGS.reset(token)
