"""Heading recognition shared by the chunkers: Markdown '#', 第X编/章/节, 篇X, 一、 （一） 1、."""

from __future__ import annotations

import re

_CN = r"[零〇一二三四五六七八九十百千两]+"
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s*(.+?)\s*#*$")
STRUCTURE_HEADING = re.compile(rf"^第({_CN}|\d+)([编章节])(?:\s+|$)")
_STRUCTURE_LEVEL = {"编": 2, "章": 3, "节": 4}

# Plan headings by rank: 篇 (0) > 一、 (1) > （一） (2) > 1、 (3).
_PLAN_MARKERS = [
    (0, re.compile(rf"(^篇\s*({_CN}|\d+)|篇\s*({_CN}|\d+)$)")),
    (1, re.compile(rf"^{_CN}\s*[、.．]")),
    (2, re.compile(rf"^[（(]\s*({_CN}|\d+)\s*[)）]")),
    (3, re.compile(r"^\d+\s*[、.．](?!\d)")),
]
_PLAN_HEADING_MAX_CHARS = 40
# A longer line is body text even when it starts like a heading ('# ', 第一章): a heading is repeated in the
# heading path of every chunk under it, so one enormous "heading" would be copied into all of them.
_HEADING_MAX_CHARS = 200
_SENTENCE_INSIDE = re.compile(r"[。！？；;!?].")


def markdown_heading(line: str) -> tuple[int, str] | None:
    if len(line) > _HEADING_MAX_CHARS:
        return None
    match = MARKDOWN_HEADING.match(line)
    return (len(match.group(1)), match.group(2)) if match else None


def structure_heading_level(line: str) -> int | None:
    """第一编 / 第一章 / 第一节 written as plain lines (Word, PDF, text inputs)."""
    if len(line) > _HEADING_MAX_CHARS:
        return None
    match = STRUCTURE_HEADING.match(line)
    return _STRUCTURE_LEVEL[match.group(2)] if match else None


def plan_marker_rank(text: str) -> int | None:
    for rank, pattern in _PLAN_MARKERS:
        if pattern.search(text):
            return rank
    return None


def heading_words(text: str) -> str:
    """A heading's words without its number (二、工作重点 → 工作重点, （三）工作措施 → 工作措施, 第六章 法律责任 →
    法律责任)."""
    stripped = text.strip()
    for pattern in (STRUCTURE_HEADING, *(marker for rank, marker in _PLAN_MARKERS if rank)):
        if match := pattern.match(stripped):
            return stripped[match.end() :].strip()
    return stripped


def plan_heading(line: str) -> tuple[int, str] | None:
    """(rank, text) when a plan line is a heading; numbered lines that carry a paragraph are not.

    Markdown headings without a marker rank as top-level (1); a marked line counts as a heading
    only when it is short and holds no complete sentence followed by more text.
    """
    md = markdown_heading(line)
    text = md[1] if md else line.strip()
    if len(text) > _HEADING_MAX_CHARS:
        return None
    rank = plan_marker_rank(text)
    if md:
        return (rank if rank is not None else 1), text
    if rank is None:
        return None
    if rank == 0 or (len(text) <= _PLAN_HEADING_MAX_CHARS and not _SENTENCE_INSIDE.search(text)):
        return rank, text
    return None
