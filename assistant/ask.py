"""Ask: one question (with the conversation so far) -> retrieved provisions -> a cited answer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant import followup
from assistant.answer import ANSWER, Answer, OfflineComposer
from assistant.llm import LlmComposer, llm_label
from assistant.reranker import load_reranker
from assistant.retrieval import HybridRetriever
from ingest.articles import ArticleRef
from ingest.knowledge_base import KnowledgeBase
from ingest.store import StoredChunk


@dataclass
class AskResult:
    answer: Answer
    retrieved: list[tuple[StoredChunk, float]] = field(default_factory=list)
    query: str = ""  # the question as searched (follow-ups carry the previous question's subject)

    def to_format(self) -> dict:
        """The results schema of shared/evals/FORMAT.md."""
        return {
            "retrieved": [{"doc": c.metadata.get("doc_id", ""), "article": c.metadata.get("article") or None,
                           "text": c.text, "score": round(score, 4)} for c, score in self.retrieved],
            "answer": self.answer.text,
            "abstained": self.answer.abstained,
            "citations": self.answer.citations,
        }


class Assistant:
    """Offline composer by default; the LLM composer when an endpoint is configured (or given)."""

    def __init__(self, kb: KnowledgeBase, k: int = 10, include_superseded: bool = False, llm=None,
                 kinds: list[str] | None = None, regions: list[str] | None = None):
        self.kb = kb
        reranker = load_reranker(kb.settings.reranker_model, kb.settings.st_device) if kb.settings.reranker_model else None
        self.retriever = HybridRetriever(kb=kb, k=k, include_superseded=include_superseded, reranker=reranker,
                                         kinds=kinds or None, regions=regions or None)
        if llm is None and kb.settings.llm_base_url:
            llm = LlmComposer(kb.settings)
        self.llm: LlmComposer | None = llm

    @property
    def mode(self) -> str:
        return llm_label(self.kb.settings) if self.llm else "离线（抽取式回答）"

    def whole_articles(self, chunks: list[StoredChunk]) -> list[StoredChunk]:
        """An over-long article is indexed in parts; an answer quotes from the whole article, so that an item
        found in one part is read with the clause introducing it (and the penalty it carries) in another."""
        whole: list[StoredChunk] = []
        seen: set[tuple] = set()
        for chunk in chunks[:ANSWER.evidence_chunks]:
            meta = chunk.metadata
            if meta.get("unit") != "article" or meta.get("parts", 1) <= 1:
                whole.append(chunk)
                continue
            key = (meta.get("doc_id"), meta.get("article_num"), meta.get("article_sub"))
            if key in seen:
                continue
            seen.add(key)
            hit = self.kb.get_article(key[0], ArticleRef(key[1], key[2] or 0))
            if hit is None:
                whole.append(chunk)
                continue
            whole.append(StoredChunk(chunk.id, hit.text, {**hit.chunks[0].metadata, "part": 1, "parts": 1}))
        return whole

    def retrieve(self, question: str, history: list[str] | None = None):
        """The question as searched (follow-ups resolved), its query plan, and the retrieved chunks."""
        history = history or []
        if self.llm is not None and history:
            query = self.llm.rewrite(question, history)
        else:
            query = followup.resolve(question, history, self.kb.pack.follow_up, self.kb.tokenizer)
        plan = self.retriever.plan(query)
        return query, plan, self.retriever.search(query, plan)

    def ask_stream(self, question: str, history: list[str] | None = None) -> Iterator[str | AskResult]:
        """As ask; in LLM mode the reply's text is yielded as it is generated (before verification) first.
        The last item is the AskResult."""
        if self.llm is None:
            yield self.ask(question, history)
            return
        query, _, retrieved = self.retrieve(question, history)
        for item in self.llm.compose_stream(query, [c for c, _ in retrieved]):
            if isinstance(item, Answer):
                item.question = question
                yield AskResult(item, retrieved, query)
            else:
                yield item

    def ask(self, question: str, history: list[str] | None = None) -> AskResult:
        query, plan, retrieved = self.retrieve(question, history)
        chunks = [c for c, _ in retrieved]
        if self.llm is not None:
            answer = self.llm.compose(query, chunks)
        else:
            answer = OfflineComposer(self.kb.tokenizer, self.kb.bm25.idf, self.retriever.figures).compose(query, plan, self.whole_articles(chunks))
        answer.question = question
        return AskResult(answer, retrieved, query)
