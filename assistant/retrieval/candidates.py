"""Stage 1, candidates: the chunks worth ranking, each with the signals it was found by.

Lists: BM25 and the dense neighbours of the question as written, the same for the question with the legal
terms its everyday words stand for (lexicon), BM25 inside each document or region the question
names, and the articles a glossary term the question names rests on; and BM25 inside the national texts, whose
candidates join without a rank feature. Articles named directly
(安全生产法第二十四条) are pinned: they come first whatever the ranking says.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.citations import resolve_citation
from assistant.retrieval.config import RankingConfig
from assistant.retrieval.provisions import PENALTY, asks_of_term, provision_asked
from assistant.retrieval.query import ASKS_HISTORY, ASKS_VALIDITY, QueryPlan
from ingest.knowledge_base import KnowledgeBase
from ingest.metadata import NATIONAL, PLAN_KINDS
from ingest.store import DocumentRecord, StoredChunk

_REPEAL_WORDS = ("废止", "施行")
_WORKER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="question-vector")
TIE = 1e-6  # scores closer than this are equal (float noise between index builds)


@dataclass
class Candidates:
    """Every candidate chunk id with, per list, its rank in that list (0-based)."""

    ids: list[str] = field(default_factory=list)
    ranks: dict[str, dict[str, int]] = field(default_factory=dict)  # list name -> chunk id -> rank
    pinned: list[StoredChunk] = field(default_factory=list)  # articles the question names, in order
    chunks: dict[str, StoredChunk] = field(default_factory=dict)
    dense: dict[str, float] = field(default_factory=dict)  # cosine similarity of every candidate to the question
    bm25: dict[str, float] = field(default_factory=dict)  # BM25 score of every candidate (question as written)
    tokens: list[str] = field(default_factory=list)  # the question's tokens, lexicon terms included

    def add(self, name: str, ids: list[str], scores: list[float] | None = None) -> None:
        """A list, best first. With its scores, tied chunks share the better rank (identical texts — copies of
        one article — rank alike whatever order the index returned them in)."""
        ranks = self.ranks.setdefault(name, {})
        ordered = sorted(scores) if scores is not None else []
        for rank, chunk_id in enumerate(ids):
            if scores is not None:  # how many score more
                rank = len(ordered) - bisect_right(ordered, scores[rank] + TIE)
            ranks.setdefault(chunk_id, rank)
            if chunk_id not in self.ids:
                self.ids.append(chunk_id)


def gather(
    kb: KnowledgeBase,
    plan: QueryPlan,
    records: dict[str, DocumentRecord],
    allowed: set[str],
    national: frozenset[str],
    config: RankingConfig,
    meanwhile: Callable[[Candidates, list[str]], None] | None = None,
) -> Candidates:
    """Every list's candidates; the dense ones only when the stored vectors and the question's are of one fit
    of the embedder (KnowledgeBase.under_one_fit). ``national``: the national texts among the documents allowed
    (national_text), which the retriever keeps with them."""
    return kb.under_one_fit(
        lambda: _gather(kb, plan, records, allowed, config, meanwhile, national, dense=True),
        lambda: _gather(kb, plan, records, allowed, config, None, national, dense=False),
    )


def national_text(record: DocumentRecord) -> bool:
    """A text of national scope that is no plan or report: searched on its own too (its own list)."""
    return record.region == NATIONAL and record.kind not in PLAN_KINDS


# the last question's vector (being) computed, with the embedder and the fit it was computed by: a question searched
# again (a figure no text in force states, searched in the repealed texts: Assistant._before_repeal) reuses it
_last_vector: tuple[object, object, str, Future] | None = None


def _question_vector(embeddings: Any, question: str) -> Future:
    """The question's vector, computed in a worker (or the one computed for the same question last)."""
    global _last_vector
    fit = getattr(embeddings, "fit_id", None)  # the built-in embedder is refitted in place
    last = _last_vector
    failed = last is not None and last[3].done() and last[3].exception() is not None  # tried afresh
    if last is not None and last[0] is embeddings and last[1] == fit and last[2] == question and not failed:
        return last[3]
    vector = _WORKER.submit(embeddings.embed_query, question)
    _last_vector = (embeddings, fit, question, vector)
    return vector


def _gather(
    kb: KnowledgeBase,
    plan: QueryPlan,
    records: dict[str, DocumentRecord],
    allowed: set[str],
    config: RankingConfig,
    meanwhile: Callable[[Candidates, list[str]], None] | None,
    national: frozenset[str],
    dense: bool,
) -> Candidates:
    found = Candidates()
    depth = config.candidates
    # the question's vector is computed in a worker while the lexical lists are searched and their candidates read:
    # the neural engine runs outside the GIL (full scale, every vector: evals.bench --measure p50 56.4 → 52.7 ms)
    vector = None
    if dense and kb.store.has_vectors():  # none yet (imported --no-vectors): nothing to compare the question with
        # the question alone: a second list for it with its everyday words put in legal terms (dense_lexicon) cost a
        # second e5 vector a question for no recall on either dev fold or the pack's questions (round 20: evals.run
        # answer p50 75 → 46 ms); the lexicon's terms reach the candidates through bm25_lexicon
        vector = _question_vector(kb.embedder.embeddings, plan.question)
    # a zone named as where the asker is is searched by no list (QueryPlan.setting)
    setting = {t for name in plan.setting for t in kb.tokenizer.query_tokens(name)}
    written = [t for t in kb.tokenizer.query_tokens(plan.question) if t not in setting]
    expanded = [t for t in kb.tokenizer.query_tokens(plan.expanded) if t not in setting]
    found.tokens = expanded
    for name, tokens in (("bm25", written), ("bm25_lexicon", expanded)):
        hits = kb.bm25.search(tokens, depth, allowed)
        found.add(name, [i for i, _ in hits], [score for _, score in hits])
    lists = _lexical_lists(kb, plan, records, allowed, config, expanded, found, national)
    lexical = list(dict.fromkeys([*found.ids, *(i for _, ids in lists for i in ids)]))
    missing = [i for i in lexical if i not in found.chunks]
    if missing:
        found.chunks.update({c.id: c for c in kb.store.get_chunks(ids=missing)})
    for name, ids in lists:  # their ranks do not depend on the dense list
        found.add(name, ids)
    vectors: dict[str, np.ndarray] = {}
    searched: dict[str, float] = {}  # each dense neighbour's similarity, as the vector search computed it
    query_vector = None
    if vector is not None:
        vectors = kb.store.vectors(lexical)  # read while the question's vector is still being computed
        if meanwhile is not None:  # and so is what else the caller knows of these candidates
            meanwhile(found, [i for i in found.ids if _committed(found.chunks.get(i), records, allowed)])
        query_vector = np.asarray(vector.result(), dtype=np.float32)
        within = None if len(allowed) == len(records) else allowed
        nearest = kb.store.query(query_vector.tolist(), depth, within)
        found.chunks.update({chunk.id: chunk for chunk, _ in nearest})
        found.add("dense", [chunk.id for chunk, _ in nearest], [score for _, score in nearest])
        searched = {chunk.id: score for chunk, score in nearest}  # its vector is not read again
    # only chunks of committed versions of the allowed documents (an interrupted write leaves others)
    # and no text's record of adoption and amendment (its preamble: 2005年1月6日…通过, 2011年…修正), which is no
    # provision: it holds the region's and the text's names over and again, and answers only how the text the
    # question names came to be (安全生产法是哪年通过的, 最近一次修正是哪年)
    history = set(plan.documents) if ASKS_HISTORY.search(plan.question) else set()
    found.ids = [
        i
        for i in found.ids
        if (chunk := found.chunks.get(i)) is not None
        and _committed(chunk, records, allowed)
        and (chunk.unit != "preamble" or chunk.doc_id in history)
    ]
    if query_vector is not None:
        found.dense = {
            i: float(vectors[i] @ query_vector) if i in vectors else searched[i]
            for i in found.ids
            if i in vectors or i in searched
        }
    found.bm25 = dict(zip(found.ids, kb.bm25.scores_of(written, found.ids), strict=True))
    return found


def _lexical_lists(
    kb: KnowledgeBase,
    plan: QueryPlan,
    records: dict[str, DocumentRecord],
    allowed: set[str],
    config: RankingConfig,
    expanded: list[str],
    found: Candidates,
    national: frozenset[str],
) -> list[tuple[str, list[str]]]:
    """The lists searched inside what the question names, and the glossary's basis articles, in the order they join
    the candidates (after the dense list); the articles the question names and the glossary's are pinned on found."""
    # inside a named document or region its name is in every passage: rank by the rest of the question
    naming = {t for name in plan.names for t in kb.tokenizer.query_tokens(name)}
    inner = [t for t in expanded if t not in naming] or expanded
    scopes = [(inner, {doc_id} & allowed) for doc_id in plan.documents]
    scopes += [(inner, {d for d in allowed if records[d].region == region}) for region in plan.regions]
    if plan.plans:
        scopes.append((expanded, {d for d in allowed if records[d].kind in PLAN_KINDS}))
    if ASKS_VALIDITY.search(plan.question):  # whether a named document is in force: what other documents say of it
        for doc_id in plan.documents:
            scopes.append(
                ([*kb.tokenizer.query_tokens(records[doc_id].short_title), *_REPEAL_WORDS], allowed - {doc_id})
            )
    scoped: list[str] = []
    for scope_tokens, docs in scopes:
        if docs:
            in_scope = [i for i, _ in kb.bm25.search(scope_tokens, config.scope_depth, docs)]
            scoped += [i for i in in_scope if i not in scoped]
    lists: list[tuple[str, list[str]]] = [("scope", scoped)]
    if not plan.documents:
        # the national texts searched on their own too: many regions' versions of one rule (every city's fireworks
        # rules) can fill every list and leave out the national rule that binds wherever the asker is. They join
        # the candidates without a list rank of their own (no feature), to be ranked on their other signals
        if national and len(national) < len(allowed):
            lists.append(("national", [i for i, _ in kb.bm25.search(expanded, config.national_depth, set(national))]))
    # asked what a term of the knowledge pack means or what the law requires of it, the articles the pack names as
    # its basis are the answer's (四不放过是什么 -> 安全生产法第八十六条: the term is customary, no provision writes
    # it); those that bind where the question asks (national ones when it names no place) come first. The basis
    # of a penalty asked about is a penalty provision, which the ranker finds (…的处罚依据是什么: no term's basis)
    penalty = provision_asked(plan.question) == PENALTY
    for entry in plan.glossary:
        defined = not penalty and asks_of_term(plan.question, entry.names)
        for cited in entry.basis:
            hit = resolve_citation(kb, cited)
            if hit is not None and hit.document.doc_id in allowed:
                found.chunks.update({c.id: c for c in hit.chunks})
                lists.append(("glossary", [c.id for c in hit.chunks]))
                record = records[hit.document.doc_id]
                if defined and (record.region == NATIONAL or record.region in plan.regions):
                    found.pinned += [c for c in hit.chunks if c not in found.pinned]
    for doc_id, ref in plan.articles:
        hit = kb.get_article(doc_id, ref)
        if hit is not None:
            found.pinned += hit.chunks
    return lists


def _committed(chunk: StoredChunk | None, records: dict[str, DocumentRecord], allowed: set[str]) -> bool:
    if chunk is None:
        return False
    record = records.get(chunk.doc_id)
    return record is not None and record.doc_id in allowed and record.hash == chunk.doc_hash
