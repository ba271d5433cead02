"""Measurement: evaluation runners and benchmarks."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _written_by(path: Path, key: str, lines: bool) -> bool:
    """Whether the file is a JSON object holding key (a ranker written by evals.fit_ranker), or with lines, whether
    its first line is (a results file of evals.run)."""
    try:
        with path.open(encoding="utf-8") as handle:
            return key in json.loads(handle.readline() if lines else handle.read())
    except (ValueError, TypeError, UnicodeDecodeError):
        return False


def refuse_foreign_out(out: Path, key: str, lines: bool = False) -> None:
    """Stop before any work when --out names an existing file this tool did not write (its own output is JSON, or JSON
    lines, holding key, and is replaced on a re-run): a corpus text or any other file named by mistake was
    overwritten without a word."""
    if not out.exists():
        return
    own = out.is_file() and _written_by(out, key, lines)
    if not own:
        sys.exit(f"{out} 已存在，且不是本工具写出的结果文件：没有覆盖它，请在 --out 中换一个文件名")
