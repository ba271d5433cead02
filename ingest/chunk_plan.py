"""Plans and reports: chunks follow the heading hierarchy (篇X / 一、/（一）/ 1、/ Markdown #);
paragraphs merge up to the token budget but never across a 篇 or top-level heading. A passage
repeated verbatim inside one document is indexed once, with every location recorded."""

from __future__ import annotations

import re

from ingest.chunk import Chunk, check_chunk_count, pack
from ingest.headings import markdown_heading, plan_heading

_TOP_RANK = 1
_DEDUP_MIN_CHARS = 20  # shorter lines (headings such as 一、组织领导) legitimately repeat across 篇


def chunk_plan(clean: str, budget: int) -> list[Chunk]:
    sections: list[tuple[list[str], list[str]]] = []  # (heading path, paragraphs)
    path: list[tuple[int, str]] = []
    paragraphs: list[str] = []
    section_path: list[str] = []
    title_skipped = False
    first_seen: set[str] = set()
    repeats: list[tuple[str, list[str]]] = []  # (passage key, heading path where it repeats)

    def flush() -> None:
        if paragraphs:
            sections.append((section_path, list(paragraphs)))
            paragraphs.clear()
            check_chunk_count(len(sections))  # nearly every section makes a chunk at least: refused while reading

    for raw in clean.split("\n"):
        line = raw.strip()
        if not line:
            continue
        md = markdown_heading(line)
        if md and md[0] == 1 and not title_skipped and not sections and not paragraphs:
            title_skipped = True  # the document title is metadata, not a section
            continue
        heading = plan_heading(line)
        if heading is not None:
            rank, name = heading
            if rank <= _TOP_RANK:
                flush()
            path = [(r, n) for r, n in path if r < rank] + [(rank, name)]
            if not paragraphs:
                section_path = [n for _, n in path]
            paragraphs.append(name if md else line)
            continue
        if not paragraphs:
            section_path = [n for _, n in path]
        key = re.sub(r"\s+", "", line)
        if len(key) >= _DEDUP_MIN_CHARS:
            if key in first_seen:
                repeats.append((key, [n for _, n in path]))
                continue
            first_seen.add(key)
        paragraphs.append(line)
    flush()

    chunks: list[Chunk] = []
    for n, (heading_path, paras) in enumerate(sections):
        following = sections[n + 1][0] if n + 1 < len(sections) else []
        if set(paras) <= set(heading_path) and following[: len(heading_path)] == heading_path:
            continue  # only headings (left once repeated passages were dropped), shown in the next chunk's path
        for piece in pack(paras, budget):
            chunks.append(
                Chunk(text=piece, unit="section", heading_path=heading_path, locations=[_location(heading_path)])
            )
        check_chunk_count(len(chunks))
    flat = [re.sub(r"\s+", "", c.text) for c in chunks]
    for key, repeat_path in repeats:
        location = _location(repeat_path)
        for chunk, text in zip(chunks, flat, strict=True):
            if key in text and location not in chunk.locations:
                chunk.locations.append(location)
                break
    return chunks


def _location(path: list[str]) -> str:
    return " / ".join(path) or "（正文开头）"
