"""Hybrid retrieval in named stages: candidates (BM25, BM25 with the lexicon, dense, named scopes, glossary) ->
features (match signals and the law's own order) -> a fitted linear ranker -> copies set aside -> an optional
CrossEncoder rerank. Articles the question names come first. As a langchain retriever through as_langchain() or
invoke() (assistant.retrieval.langchain_retriever): langchain is imported only there, not for every question.

Superseded and repealed texts are excluded unless asked for; kind and region filters narrow the search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.pack import pack_of
from assistant.retrieval.candidates import Candidates, gather, national_text
from assistant.retrieval.config import RankingConfig
from assistant.retrieval.features import (
    FEATURES,
    candidate_values,
    featurize,
    general_collection,
    of_field,
    subject_of,
)
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import DUTY, PENALTY, provision_asked, provision_kind, punishes
from assistant.retrieval.query import QueryAnalyzer, QueryPlan
from assistant.retrieval.rank import linear_scores, other_regions_capped, set_copies_aside
from ingest.knowledge_base import KnowledgeBase
from ingest.metadata import authority
from ingest.store import DocumentRecord, StoredChunk

if TYPE_CHECKING:
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

COPY_DEPTH = 30  # candidates compared for copies (the ones an answer or a user reads)


@dataclass
class HybridRetriever:
    kb: KnowledgeBase
    k: int = 10
    include_superseded: bool = False
    # the repealed texts alone (what a figure the law in force does not state was set as before it was repealed)
    repealed_only: bool = False
    kinds: list[str] | None = None
    regions: list[str] | None = None
    reranker: Any = None  # a sentence_transformers.CrossEncoder, when configured
    config: RankingConfig | None = None  # None: the weights fitted for the knowledge base's embedder

    _analyzer: QueryAnalyzer | None = field(default=None, init=False, repr=False)
    _analyzer_key: str = field(default="", init=False, repr=False)
    _figures: QuantityAsks | None = field(default=None, init=False, repr=False)
    # (key, the documents searched, the national texts among them), computed again only when the key changes
    _allowed: tuple[tuple, frozenset[str], frozenset[str]] | None = field(default=None, init=False, repr=False)
    _langchain: Any = field(default=None, init=False, repr=False)
    # each document version's penalty provisions, read when a duty of it heads a question asking a penalty
    _penalties: dict[tuple[str, str], list[StoredChunk]] = field(default_factory=dict, init=False, repr=False)

    def as_langchain(self) -> BaseRetriever:
        """This retriever behind langchain's BaseRetriever interface (Documents with a score and a citation)."""
        if self._langchain is None:
            from assistant.retrieval.langchain_retriever import LangchainRetriever

            self._langchain = LangchainRetriever(hybrid=self)
        return self._langchain

    def invoke(self, query: str) -> list[Document]:
        """langchain's retriever call: the top k as Documents."""
        return self.as_langchain().invoke(query)

    def allowed_docs(self, records: dict[str, DocumentRecord]) -> set[str]:
        return {
            r.doc_id
            for r in records.values()
            if (r.repealed and not r.superseded if self.repealed_only else self.include_superseded or r.in_force)
            and (not self.kinds or r.kind in self.kinds)
            and (not self.regions or r.region in self.regions)
        }

    def _allowed_in(self, records: dict[str, DocumentRecord], generation: int) -> tuple[frozenset[str], frozenset[str]]:
        """allowed_docs(records), in a general collection those of the field (of_field), and the national texts among
        them (national_text), computed again only when the
        document table was read or written anew (generation read before the table), the day changed (a repeal from a
        date still ahead) or the filters changed."""
        key = (
            generation,
            date.today().isoformat(),
            self.include_superseded,
            self.repealed_only,
            tuple(self.kinds or ()),
            tuple(self.regions or ()),
        )
        if self._allowed is None or self._allowed[0] != key:
            allowed = frozenset(self.allowed_docs(records))
            if general_collection((records[d] for d in allowed), self.ranking.general_collection):
                # a general collection (a national one) is searched in the field: a safety question is answered
                # from the field's law, not from 资源税法 or 物业管理条例 sharing its words; a text of another field
                # the question names is searched too (candidates)
                allowed = frozenset(d for d in allowed if of_field(records[d]))
            national = frozenset(d for d in allowed if national_text(records[d]))
            self._allowed = (key, allowed, national)
        return self._allowed[1], self._allowed[2]

    def analyzer(self, records: dict[str, DocumentRecord]) -> QueryAnalyzer:
        # the documents and which are in force (a confirmation changes no content, only the status)
        key = f"{self.kb.documents_fingerprint()}|{self.kb.store.status_signature}"
        if self._analyzer is None or key != self._analyzer_key:
            analyzer = QueryAnalyzer(pack_of(self.kb), self.kb.tokenizer, records, self.ranking, self.figures)
            self._analyzer, self._analyzer_key = analyzer, key
        return self._analyzer

    @property
    def figures(self) -> QuantityAsks:
        """What figure a question asks for (knowledge/quantities.yaml), read once; the answer uses it too."""
        if self._figures is None:
            self._figures = QuantityAsks(pack_of(self.kb).quantities)
        return self._figures

    @property
    def ranking(self) -> RankingConfig:
        """The config in use (the weights fitted for the knowledge base's embedder unless one was given)."""
        if self.config is None:
            self.config = RankingConfig.load(self.kb.embedder.name)
        return self.config

    def plan(self, question: str) -> QueryPlan:
        return self.analyzer(self.kb.documents()).analyse(question)

    def candidates(self, query: str, plan: QueryPlan | None = None) -> tuple[Candidates, Any]:
        """The candidates and their feature rows (what evals.fit_ranker fits on)."""
        config = self.ranking
        generation = self.kb.store.generation  # before the table: a newer one only recomputes
        records = self.kb.documents()
        self.kb.ensure_bm25()
        plan = plan or self.analyzer(records).analyse(query)
        # a repealed text the question names on purpose is searched too (it is flagged wherever shown)
        searched, national = self._allowed_in(records, generation)
        allowed = set(searched) | {
            d
            for d in plan.documents
            if d in records and not records[d].superseded and not records[d].pending and not self.repealed_only
        }
        idf = self.kb.bm25.idf
        known: dict[str, dict[str, float]] = {}

        def meanwhile(lexical: Candidates, ids: list[str]) -> None:  # while the question's vector is computed
            known.update(candidate_values(lexical, plan, records, idf, self.figures, ids))

        found = gather(self.kb, plan, records, allowed, national, config, meanwhile)
        return found, featurize(found, plan, records, idf, config, self.figures, known)

    def _ranked(
        self, query: str, plan: QueryPlan | None
    ) -> tuple[list[tuple[StoredChunk, float]], list[StoredChunk], dict[str, float]]:
        """Candidates ranked by the fitted ranker, copies set aside; the articles the question names; and each
        candidate's cosine to the question (none without vectors)."""
        found, rows = self.candidates(query, plan)
        assert self.config is not None  # set by candidates()
        scores = linear_scores(rows, self.config)
        order = sorted(range(len(found.ids)), key=lambda i: (-round(float(scores[i]), 6), found.ids[i]))  # ties: by id
        ranked = [(found.chunks[found.ids[i]], float(scores[i])) for i in order]
        head = ranked[:COPY_DEPTH]
        # among texts saying the same, a national text on the subject asked about is the specific one (authority)
        asked_subject = dict(zip(found.ids, rows[:, FEATURES.index("unasked_subject")] == 0, strict=True))
        ranks = [
            authority(c.kind, c.region, bool(asked_subject[c.id]) and bool(subject_of(c.title, c.kind)))
            for c, _ in head
        ]
        kept = set_copies_aside([c.text for c, _ in head], self.config.copy_similarity, ranks)
        ranked = [head[i] for i in kept] + ranked[COPY_DEPTH:]
        other = dict(zip(found.ids, rows[:, FEATURES.index("other_region")], strict=True))
        regions = [chunk.region if other[chunk.id] else None for chunk, _ in ranked]
        capped = other_regions_capped(regions, self.config.other_region_cap)
        ranked = [ranked[i] for i in capped]
        if provision_asked(query) == PENALTY:
            ranked = self._punishing_after(ranked)
        return ranked, found.pinned, found.dense

    def _punishing_after(self, ranked: list[tuple[StoredChunk, float]]) -> list[tuple[StoredChunk, float]]:
        """The ranking with the penalty provisions naming each of the first duties (RankingConfig.punished_depth) right
        after it, for a question asking how a breach is punished: the text itself says which sanction that duty's
        breach carries (违反本条例第三十条第一款规定的，…处三万元以上十万元以下的罚款), whatever words the question
        shares with the sanction; a penalty decision cites both."""
        assert self.config is not None
        out = list(ranked)
        for duty, score in [(c, s) for c, s in ranked[: self.config.punished_depth] if provision_kind(c) == DUTY]:
            key = (duty.doc_id, duty.doc_hash)
            if key not in self._penalties:  # a document version's penalty provisions, read once
                chunks = self.kb.store.document_chunks(*key)
                self._penalties[key] = [c for c in chunks if provision_kind(c) == PENALTY]
            at = next(i for i, (c, _) in enumerate(out) if c.id == duty.id)
            for penalty in [c for c in self._penalties[key] if punishes(c, duty)]:
                place = next((i for i, (c, _) in enumerate(out) if c.id == penalty.id), None)
                if place is None or place > at + 1:
                    if place is not None:
                        out.pop(place)
                    out.insert(at + 1, (penalty, score))
        return out

    def search(self, query: str, plan: QueryPlan | None = None) -> list[tuple[StoredChunk, float]]:
        ranked, pinned_chunks, dense = self._ranked(query, plan)
        if self.reranker is not None and ranked:
            head = ranked[: max(self.k * 3, 20)]
            predicted = self.reranker.predict([(query, chunk.text) for chunk, _ in head])
            head = sorted(zip([c for c, _ in head], map(float, predicted), strict=True), key=lambda x: -x[1])
            ranked = [*head, *ranked[len(head) :]]
        pinned_ids = {c.id for c in pinned_chunks}
        top = max((s for _, s in ranked), default=0.0)
        pinned = [(chunk, top + 1.0) for chunk in pinned_chunks]
        found = [*pinned, *[(c, s) for c, s in ranked if c.id not in pinned_ids]][: max(self.k, len(pinned))]
        # how close each is to the question in meaning, for the answer to judge whether it speaks to it (a copy: the
        # chunk objects may be shared)
        return [
            (StoredChunk(c.id, c.text, {**c.metadata, "similarity": dense[c.id]}) if c.id in dense else c, s)
            for c, s in found
        ]
