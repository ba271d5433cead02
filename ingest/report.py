"""What an ingest did: one result per file, and the run's time by stage and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.encoding import readable_path

STATUS_LABELS = {
    "added": "新增",
    "updated": "更新",
    "unchanged": "未变",
    "failed": "失败",
    "skipped": "跳过",
    "pruned": "已移除",
}


@dataclass
class FileResult:
    path: Path
    status: str  # added | updated | unchanged | failed | skipped | pruned
    doc_id: str = ""
    chunks: int = 0
    reason: str = ""

    def __post_init__(self) -> None:
        # shown to the user: a name that is not valid UTF-8 (a GBK name from a Windows archive) as its text
        self.path = readable_path(Path(self.path))


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    embedder: str = ""
    stages: dict[str, float] = field(default_factory=dict)  # seconds spent in each stage, in order
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def chunks_written(self) -> int:
        return sum(r.chunks for r in self.results if r.status in ("added", "updated"))
