"""Regulations: one chunk per article (条) with its 编/章/节 path; the text before the first article
is its own chunk; an article over the token budget is split at 款/项 boundaries into parts."""

from __future__ import annotations

import re
from itertools import islice

from ingest.articles import ARTICLE_START, match_article_start
from ingest.chunk import Chunk, TooManyChunks, check_chunk_count, most_chunks, pack
from ingest.headings import markdown_heading, structure_heading_level

# a line that starts an article, found in the whole text at once (after any blanks at the start of the line)
_ARTICLE_LINE = re.compile(r"^[^\S\n]*" + ARTICLE_START.pattern.removeprefix("^"), re.MULTILINE)


_MIN_ARTICLES = 3  # lines starting an article that make a text one of articles (two when its own, below)


def reads_as_articles(clean: str) -> bool:
    """Whether a text is one of articles: three or more lines start one, or two numbered as a text's own from its
    first (第一条, 第二条: a short decision or judicial interpretation). Two lines starting with other articles
    (第二十一条, 第二十二条) may be a plan or report quoting a law."""
    refs = [found[0] for line in clean.split("\n") if (found := match_article_start(line.strip()))]
    if len(refs) >= _MIN_ARTICLES:
        return True
    return [(ref.number, ref.sub) for ref in refs] == [(1, 0), (2, 0)]


def check_article_starts(text: str) -> None:
    """Raise TooManyChunks when the text has more lines that start an article (each makes a chunk at least) than
    the current chunk_limit. Counted in place, before the text is cleaned or split into lines, and only just past
    the limit: a file of millions of one-line articles is refused in a second, holding nothing but its text."""
    most = most_chunks()
    if most is None:
        return
    starts = (match for match in _ARTICLE_LINE.finditer(text) if match_article_start(match[0].lstrip()))
    if sum(1 for _ in islice(starts, most + 1)) > most:
        raise TooManyChunks(most, articles=True)


def chunk_regulation(clean: str, budget: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    path: list[tuple[int, str]] = []
    preamble: list[str] = []
    article: dict | None = None
    trailing: list[str] = []  # non-article text under a heading after the articles (附件, 附表)
    title_seen = False

    def heading_names() -> list[str]:
        return [name for _, name in path]

    def flush_article() -> None:
        nonlocal article
        if article is None:
            return
        pieces = pack(article["lines"], budget)
        check_chunk_count(len(chunks) + len(pieces))
        for i, piece in enumerate(pieces, start=1):
            chunks.append(
                Chunk(
                    text=piece,
                    unit="article",
                    heading_path=article["path"],
                    article=article["label"],
                    article_num=article["ref"].number,
                    article_sub=article["ref"].sub,
                    part=i,
                    parts=len(pieces),
                )
            )
        article = None

    def flush_trailing() -> None:
        if trailing:
            for piece in pack(trailing, budget):
                chunks.append(Chunk(text=piece, unit="section", heading_path=heading_names()))
            trailing.clear()
            check_chunk_count(len(chunks))

    for raw in clean.split("\n"):
        line = raw.strip()
        if not line:
            continue
        md = markdown_heading(line)
        level = md[0] if md else structure_heading_level(line)
        if level is not None:
            name = md[1] if md else line
            if md and level == 1 and not title_seen and not chunks and article is None:
                title_seen = True
                continue
            flush_article()
            flush_trailing()
            path = [(lv, nm) for lv, nm in path if lv < level] + [(level, name)]
            continue
        started = match_article_start(line)
        if started:
            flush_article()
            flush_trailing()
            ref, label, _rest = started
            article = {"ref": ref, "label": label, "lines": [line], "path": heading_names()}
            continue
        if article is not None:
            article["lines"].append(line)
        elif chunks or path:
            trailing.append(line)
        else:
            preamble.append(line)
    flush_article()
    flush_trailing()
    if preamble:
        head = [Chunk(text=piece, unit="preamble") for piece in pack(preamble, budget)]
        chunks = head + chunks
        check_chunk_count(len(chunks))
    return chunks
