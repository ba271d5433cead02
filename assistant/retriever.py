"""Hybrid retrieval as a langchain retriever. One class owns fusion: reciprocal-rank fusion of
BM25 and dense rankings over the question (expanded with the legal terms its everyday words stand
for), plus a ranking inside each document or region the question names, plus the articles a named
glossary term rests on; articles named directly (安全生产法第二十四条) come first.

Superseded versions are excluded unless asked for; kind and region filters narrow the search.
An optional sentence-transformers CrossEncoder reranks the fused candidates.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from assistant.citations import citation, resolve_citation
from assistant.evidence import contrastive_weights, coverage, question_weights
from assistant.provisions import provision_asked, provision_kind
from assistant.query import QueryAnalyzer, QueryPlan
from ingest.cleaning import normalise_for_index
from ingest.knowledge_base import KnowledgeBase
from ingest.metadata import VERSIONED_KINDS
from ingest.store import DocumentRecord, StoredChunk

_ASKS_VALIDITY = re.compile(r"有效|废止|失效|作废|施行|生效|还能用|还适用|还管用")
_REPEAL_WORDS = ("废止", "施行")
RRF_K = 20
DENSE_WEIGHT = 0.5  # the built-in LSA vectors are a weaker signal than BM25 over the lexicon-expanded question
NAMED_WEIGHT = 1.0  # a ranking inside a document or region the question names
GLOSSARY_WEIGHT = 0.5  # the articles a named glossary term rests on
# A question that names no region or document is most often about national law; local regulations and
# plans still come back, a little lower. Among national documents a 法律 outranks a regulation under it.
LOCAL_PRIOR = 0.8
RERANK_DEPTH = 30
COVERAGE_WEIGHT = 0.3
# A question asking how an offence is punished (or what a term means) is answered by a penalty provision
# (or a definition): other articles rank a little lower.
OTHER_PROVISION_PRIOR = 0.8
NATIONAL_RULE_PRIOR = 0.95
OFF_TOPIC_PRIOR = 0.85
PLAN_KINDS = frozenset({"计划方案", "工作总结"})
# Title words that say nothing about a regulation's subject.
GENERIC_TITLE_WORDS = frozenset(
    "安全 生产 安全生产 管理 条例 规定 办法 细则 中华人民共和国 国务院 关于 实施 若干 问题 解释 监督 监督管理 "
    "单位 经营 经营单位 生产经营 主体 责任 主体责任 特别 特别规定 最高 人民 法院 检察院 最高人民法院 最高人民检察院 "
    "办理 适用 法律 刑事 案件".split())


class HybridRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    kb: KnowledgeBase
    k: int = 10
    candidates: int = 50
    include_superseded: bool = False
    kinds: list[str] | None = None
    regions: list[str] | None = None
    reranker: Any = None  # a sentence_transformers.CrossEncoder, when configured

    _analyzer: QueryAnalyzer | None = PrivateAttr(default=None)
    _analyzer_key: str = PrivateAttr(default="")
    _topics: dict[str, set[str]] = PrivateAttr(default_factory=dict)

    def _allowed_docs(self, records: dict[str, DocumentRecord]) -> set[str]:
        return {r.doc_id for r in records.values()
                if (self.include_superseded or not r.superseded)
                and (not self.kinds or r.kind in self.kinds)
                and (not self.regions or r.region in self.regions)}

    def analyzer(self, records: dict[str, DocumentRecord]) -> QueryAnalyzer:
        key = self.kb.documents_fingerprint()
        if self._analyzer is None or key != self._analyzer_key:
            self._analyzer, self._analyzer_key = QueryAnalyzer(self.kb.pack, self.kb.tokenizer, records), key
        return self._analyzer

    def plan(self, question: str) -> QueryPlan:
        return self.analyzer(self.kb.documents()).analyse(question)

    def search(self, query: str, plan: QueryPlan | None = None) -> list[tuple[StoredChunk, float]]:
        records = self.kb.documents()
        self.kb.ensure_bm25()
        plan = plan or self.analyzer(records).analyse(query)
        allowed = self._allowed_docs(records)
        tokens = self.kb.tokenizer.query_tokens(plan.expanded)
        rankings: list[tuple[float, list[str]]] = []
        rankings.append((1.0, [i for i, _ in self.kb.bm25.search(tokens, self.candidates, allowed)]))
        dense = self.kb.store.query(self.kb.embedder.embeddings.embed_query(plan.expanded), self.candidates,
                                    None if len(allowed) == len(records) else allowed)
        by_id: dict[str, StoredChunk] = {chunk.id: chunk for chunk, _ in dense}
        rankings.append((DENSE_WEIGHT, [chunk.id for chunk, _ in dense]))
        # inside a named document or region its name is in every passage: rank by the rest of the question
        naming = {t for name in plan.names for t in self.kb.tokenizer.query_tokens(name)}
        inner = [t for t in tokens if t not in naming] or tokens
        scopes = [(inner, {doc_id} & allowed) for doc_id in plan.documents]
        scopes += [(inner, {d for d in allowed if records[d].region == region}) for region in plan.regions]
        if plan.plans:
            scopes.append((tokens, {d for d in allowed if records[d].kind in PLAN_KINDS}))
        if _ASKS_VALIDITY.search(plan.question):  # whether a named document is in force: what other documents say of it
            for doc_id in plan.documents:
                scopes.append(([*self.kb.tokenizer.query_tokens(records[doc_id].short_title), *_REPEAL_WORDS],
                               allowed - {doc_id}))
        for scope_tokens, docs in scopes:
            if docs:
                rankings.append((NAMED_WEIGHT, [i for i, _ in self.kb.bm25.search(scope_tokens, 10, docs)]))
        pinned: list[StoredChunk] = []
        for doc_id, ref in plan.articles:
            hit = self.kb.get_article(doc_id, ref)
            if hit is not None:
                pinned += hit.chunks
        for entry in plan.glossary:
            basis_ids = []
            for cited in entry.basis:
                hit = resolve_citation(self.kb, cited)
                if hit is not None and hit.document.doc_id in allowed:
                    by_id.update({c.id: c for c in hit.chunks})
                    basis_ids.append(hit.chunks[0].id)
            rankings.append((GLOSSARY_WEIGHT, basis_ids))
        fused: dict[str, float] = {}
        for weight, ids in rankings:
            for rank, chunk_id in enumerate(ids):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank + 1)
        asked = normalise_for_index(plan.expanded)
        priors: dict[str, float] = {}
        national = self.analyzer(records).national_titles
        for chunk_id in fused:  # prior: national law first unless the question names a region or document
            record = records.get(self._doc_of(chunk_id, by_id))
            if record is not None:
                prior = self._prior(record, plan, asked)
                fused[chunk_id] *= prior
                if self._national_counterpart(record, national):
                    priors[chunk_id] = prior  # kept through the rerank: it blends in coverage, which copies share
        for position, chunk in enumerate(pinned):
            by_id[chunk.id] = chunk
            fused[chunk.id] = 10.0 - position * 0.01  # named articles come first, in the order named
        missing = [i for i in fused if i not in by_id]
        if missing:
            by_id.update({c.id: c for c in self.kb.store.get_chunks(ids=missing)})
        results: list[tuple[StoredChunk, float]] = []
        for chunk_id, score in sorted(fused.items(), key=lambda item: -item[1]):
            chunk = by_id.get(chunk_id)
            record = records.get(chunk.metadata.get("doc_id", "")) if chunk else None
            if chunk is None or record is None or record.hash != chunk.metadata.get("doc_hash"):
                continue  # a chunk from an interrupted write, not committed
            if record.doc_id not in allowed:
                continue
            results.append((chunk, score))
        results = self._coverage_rerank(results, tokens, len(pinned), plan.question, priors)
        if self.reranker is not None and len(results) > len(pinned):
            fixed = len(pinned)  # articles the question names stay first
            head = results[fixed: fixed + max(self.k * 3, 20)]
            scores = self.reranker.predict([(query, chunk.text) for chunk, _ in head])
            head = sorted(zip([c for c, _ in head], map(float, scores), strict=True), key=lambda x: -x[1])
            results = [*results[:fixed], *head, *results[fixed + len(head):]]
        return results[: self.k]

    def _coverage_rerank(self, results: list[tuple[StoredChunk, float]], tokens: list[str],
                         pinned: int, question: str, priors: dict[str, float]) -> list[tuple[StoredChunk, float]]:
        """Blend the fused rank score with how much of the question's weighted terms each candidate holds."""
        head, tail = results[pinned:pinned + RERANK_DEPTH], results[pinned + RERANK_DEPTH:]
        if not head:
            return results
        weights = question_weights(tokens, self.kb.bm25.idf)
        texts = [f"{chunk.metadata.get('heading_path', '')} {chunk.text}" for chunk, _ in head]
        weights = contrastive_weights(weights, [normalise_for_index(t) for t in texts])
        top = max(score for _, score in head)
        wanted = provision_asked(question)
        blended = [(chunk, (score / top + COVERAGE_WEIGHT * coverage(text, weights))
                    * (OTHER_PROVISION_PRIOR if wanted and provision_kind(chunk) not in (wanted, None) else 1.0)
                    * priors.get(chunk.id, 1.0))
                   for (chunk, score), text in zip(head, texts, strict=True)]
        return [*results[:pinned], *sorted(blended, key=lambda item: -item[1]), *tail]

    def _prior(self, record: DocumentRecord, plan: QueryPlan, asked: str) -> float:
        if record.doc_id in plan.documents or record.region in plan.regions:
            return 1.0
        if plan.plans and record.kind in PLAN_KINDS:
            return 1.0
        topical = self._topic_prior(record, asked)
        if record.region != "全国" or record.kind not in VERSIONED_KINDS:
            return LOCAL_PRIOR * topical  # local regulations, and plans and reports (local documents of unknown region)
        return (1.0 if record.kind == "法律" else NATIONAL_RULE_PRIOR) * topical

    @staticmethod
    def _national_counterpart(record: DocumentRecord, national: set[str]) -> bool:
        """Whether a local regulation has a national one of the same name (河南省工伤保险条例 → 工伤保险条例),
        which it implements and largely repeats."""
        if record.region == "全国" or record.kind in PLAN_KINDS:
            return False
        core = record.short_title.removeprefix(record.region)
        return core != record.short_title and core in national

    def _topic_prior(self, record: DocumentRecord, asked: str) -> float:
        """A sector regulation (特种设备, 煤矿, 烟花爆竹 …) whose subject the question never mentions ranks a
        little lower than the general law on the same point."""
        if record.kind not in VERSIONED_KINDS:
            return 1.0
        topic = self._topics.get(record.doc_id)
        if topic is None:
            title = record.short_title
            topic = {t for t in self.kb.tokenizer.query_tokens(title) if len(t) >= 2 and t not in GENERIC_TITLE_WORDS}
            self._topics[record.doc_id] = topic
        if not topic:
            return 1.0
        return 1.0 if any(t in asked for t in topic) else OFF_TOPIC_PRIOR

    def _doc_of(self, chunk_id: str, by_id: dict[str, StoredChunk]) -> str:
        chunk = by_id.get(chunk_id)
        return chunk.metadata.get("doc_id", "") if chunk else self.kb.bm25.doc_of(chunk_id)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [Document(page_content=chunk.text, id=chunk.id,
                         metadata={**chunk.metadata, "score": score, "citation": citation(chunk)})
                for chunk, score in self.search(query)]
