"""Hybrid retrieval as a langchain retriever: BM25 and dense results fused by reciprocal rank.

Superseded versions are excluded unless asked for; kind and region filters narrow the search.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.citations import citation
from ingest.knowledge_base import KnowledgeBase
from ingest.store import DocumentRecord, StoredChunk

RRF_K = 60


class HybridRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    kb: KnowledgeBase
    k: int = 10
    candidates: int = 50
    include_superseded: bool = False
    kinds: list[str] | None = None
    regions: list[str] | None = None

    def _allowed_docs(self, records: dict[str, DocumentRecord]) -> set[str]:
        return {r.doc_id for r in records.values()
                if (self.include_superseded or not r.superseded)
                and (not self.kinds or r.kind in self.kinds)
                and (not self.regions or r.region in self.regions)}

    def _where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if not self.include_superseded:
            clauses.append({"superseded": False})
        if self.kinds:
            clauses.append({"kind": {"$in": self.kinds}})
        if self.regions:
            clauses.append({"region": {"$in": self.regions}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def search(self, query: str) -> list[tuple[StoredChunk, float]]:
        records = self.kb.documents()
        self.kb.ensure_bm25(records)
        allowed = self._allowed_docs(records)
        lexical = self.kb.bm25.search(self.kb.tokenizer.query_tokens(query), self.candidates, allowed)
        dense = self.kb.store.query(self.kb.embedder.embeddings.embed_query(query), self.candidates, self._where())
        fused: dict[str, float] = {}
        for rank, (chunk_id, _score) in enumerate(lexical):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        by_id: dict[str, StoredChunk] = {}
        for rank, (chunk, _score) in enumerate(dense):
            by_id[chunk.id] = chunk
            fused[chunk.id] = fused.get(chunk.id, 0.0) + 1.0 / (RRF_K + rank + 1)
        missing = [i for i in fused if i not in by_id]
        if missing:
            by_id.update({c.id: c for c in self.kb.store.get_chunks(ids=missing)})
        results = []
        for chunk_id, score in sorted(fused.items(), key=lambda item: -item[1]):
            chunk = by_id.get(chunk_id)
            record = records.get(chunk.metadata.get("doc_id", "")) if chunk else None
            if chunk is None or record is None or record.hash != chunk.metadata.get("doc_hash"):
                continue  # a chunk from an interrupted write, not committed
            if record.doc_id not in allowed:
                continue
            results.append((chunk, score))
            if len(results) >= self.k:
                break
        return results

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [Document(page_content=chunk.text, id=chunk.id,
                         metadata={**chunk.metadata, "score": score, "citation": citation(chunk)})
                for chunk, score in self.search(query)]
