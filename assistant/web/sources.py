"""How an answer's sources are shown: one collapsible entry per citation that expands to the whole
article (all its parts, the quoted clauses marked) or the plan passage, with where it comes from."""

from __future__ import annotations

import html
import re

from assistant.answer import Answer
from assistant.citations import citation
from ingest.articles import ArticleRef
from ingest.knowledge_base import KnowledgeBase
from ingest.repeal import repeal_text
from ingest.store import StoredChunk

_BULLET = re.compile(r"^- (?P<clause>.+?)\[(?P<n>\d+)\]$")


def quoted_clauses(answer: Answer) -> dict[int, list[str]]:
    """The clauses the answer quotes, per source number (offline answers quote whole clauses)."""
    quoted: dict[int, list[str]] = {}
    for line in answer.text.split("\n"):
        match = _BULLET.match(line.strip())
        if match:
            quoted.setdefault(int(match.group("n")), []).append(match.group("clause"))
    return quoted


def full_text(kb: KnowledgeBase, chunk: StoredChunk) -> str:
    """The whole article a chunk belongs to (all parts), or the chunk itself for a plan passage."""
    meta = chunk.metadata
    if meta.get("unit") == "article" and meta.get("article_num"):
        hit = kb.get_article(meta.get("doc_id", ""), ArticleRef(int(meta["article_num"]), int(meta.get("article_sub") or 0)))
        if hit is not None:
            return hit.text
    return chunk.text


def where_from(chunk: StoredChunk, kb: KnowledgeBase | None = None) -> str:
    meta = chunk.metadata
    facts = [x for x in (meta.get("kind"), meta.get("region"), meta.get("date")) if x]
    line = f"出处：{meta.get('doc_id', '')}（{'，'.join(facts)}）"
    if meta.get("repealed_by"):
        by = (kb.documents().get(meta["repealed_by"]) if kb is not None else None)
        repeal = repeal_text(meta.get("repealed_on", ""), by.title if by is not None else meta["repealed_by"],
                             meta.get("repealed_by_article", ""), pending=not meta.get("repealed"))
        line += f"　⚠ 已废止：{repeal}" if meta.get("repealed") else f"　⚠ {repeal}"
    if meta.get("superseded"):
        line += f"　⚠ 此版本已被 {meta.get('superseded_by', '新版本')} 取代"
    return line


def source_body(kb: KnowledgeBase, chunk: StoredChunk, quotes: list[str]) -> str:
    """Markdown-safe body: the text escaped, quoted clauses marked, then where it comes from."""
    text = html.escape(full_text(kb, chunk))
    for quote in quotes:
        escaped = html.escape(quote)
        if escaped in text:
            text = text.replace(escaped, f"<mark>{escaped}</mark>", 1)
    lines = [line for line in text.split("\n") if line.strip()]
    return "\n\n".join(lines) + f"\n\n<small>{html.escape(where_from(chunk, kb))}</small>"


def source_messages(kb: KnowledgeBase, answer: Answer) -> list[dict]:
    """Chat messages, one per cited source (or per closest provision when abstaining), collapsed."""
    quoted = quoted_clauses(answer)
    messages = []
    for source in answer.sources:
        messages.append({"role": "assistant", "content": source_body(kb, source.chunk, quoted.get(source.number, [])),
                         "metadata": {"title": f"[{source.number}] {source.citation}", "status": "done"}})
    for n, chunk in enumerate(answer.related, start=1):
        messages.append({"role": "assistant", "content": source_body(kb, chunk, []),
                         "metadata": {"title": f"可能相关 {n}：{citation(chunk)}", "status": "done"}})
    return messages
