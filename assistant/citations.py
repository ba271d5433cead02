"""How a chunk is cited: 《title》第X条（chapter path） for articles, the plan title and heading path otherwise."""

from __future__ import annotations

from assistant.knowledge_pack import Citation
from ingest.cleaning import to_simplified
from ingest.knowledge_base import ArticleHit, KnowledgeBase
from ingest.store import StoredChunk


def short_citation(chunk: StoredChunk) -> str:
    """《title》第X条 for an article, 《title》 otherwise: the form used inside a sentence."""
    meta = chunk.metadata
    return f"《{meta.get('title', meta.get('doc_id', ''))}》{meta.get('article', '') if meta.get('unit') == 'article' else ''}"


def citation(chunk: StoredChunk, with_part: bool = True) -> str:
    meta = chunk.metadata
    title = f"《{meta.get('title', meta.get('doc_id', ''))}》"
    path = meta.get("heading_path", "")
    if meta.get("unit") == "article":
        part = f"（第{meta['part']}部分，共{meta['parts']}部分）" if with_part and meta.get("parts", 1) > 1 else ""
        where = f"（{path}）" if path else ""
        return f"{title}{meta.get('article', '')}{part}{where}"
    if meta.get("unit") == "preamble":
        return f"{title}（题注）"
    return f"{title}{' · ' + path if path else ''}"


def resolve_citation(kb: KnowledgeBase, cited: Citation) -> ArticleHit | None:
    """The indexed article a (short title, article) pair points at, in the version in force; None if absent."""
    wanted = to_simplified(cited.doc)
    versions = kb.versions_of(wanted)
    current = [r for r in versions if not r.superseded] or versions
    return kb.get_article(current[0].doc_id, cited.ref) if current else None
