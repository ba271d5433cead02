"""How a chunk is cited: 《title》第X条（chapter path） for articles, the plan title and heading path otherwise;
a chunk of a repealed text says so: 《title》第X条（已废止）."""

from __future__ import annotations

from assistant.knowledge_pack import Citation
from ingest.cleaning import to_simplified
from ingest.knowledge_base import ArticleHit, KnowledgeBase
from ingest.store import StoredChunk

REPEALED_MARK = "（已废止）"


def _repealed(chunk: StoredChunk) -> str:
    return REPEALED_MARK if chunk.metadata.get("repealed") else ""


def short_citation(chunk: StoredChunk) -> str:
    """《title》第X条 for an article, 《title》 otherwise: the form used inside a sentence."""
    meta = chunk.metadata
    article = meta.get("article", "") if meta.get("unit") == "article" else ""
    return f"《{meta.get('title', meta.get('doc_id', ''))}》{article}{_repealed(chunk)}"


def citation(chunk: StoredChunk, with_part: bool = True) -> str:
    meta = chunk.metadata
    title = f"《{meta.get('title', meta.get('doc_id', ''))}》"
    path = meta.get("heading_path", "")
    if meta.get("unit") == "article":
        part = f"（第{meta['part']}部分，共{meta['parts']}部分）" if with_part and meta.get("parts", 1) > 1 else ""
        where = f"（{path}）" if path else ""
        return f"{title}{meta.get('article', '')}{part}{where}{_repealed(chunk)}"
    if meta.get("unit") == "preamble":
        return f"{title}（题注）{_repealed(chunk)}"
    return f"{title}{' · ' + path if path else ''}{_repealed(chunk)}"


def resolve_citation(kb: KnowledgeBase, cited: Citation) -> ArticleHit | None:
    """The indexed article a (short title, article) pair points at, in the version in force (a repealed
    text when that is all there is: its citation says so); None if absent."""
    wanted = to_simplified(cited.doc)
    versions = kb.versions_of(wanted)
    current = [r for r in versions if r.in_force] or [r for r in versions if not r.superseded] or versions
    return kb.get_article(current[0].doc_id, cited.ref) if current else None
