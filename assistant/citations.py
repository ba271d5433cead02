"""How a chunk is cited: 《title》第X条（chapter path） for articles, the plan title and heading path otherwise."""

from __future__ import annotations

from ingest.store import StoredChunk


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
