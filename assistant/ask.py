"""Ask: one question (with the conversation so far) -> retrieved provisions -> a cited answer.
In LLM mode any fault of the endpoint (refused, timed out, HTTP error, unreadable reply) gives the offline
answer, opened by a note saying why (大模型服务暂不可用（…），以下为离线摘录答案)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import ValidationError

from assistant.answer import ANSWER, Answer, OfflineComposer, continues_list, open_lists
from assistant.answer.compose import declined, library_lacks, scope_notes, stated_before_repeal
from assistant.answer.levels import Accident, stated
from assistant.answer.untrusted import instruction_guard
from assistant.citations import resolve_citation
from assistant.llm import (
    LlmComposer,
    LlmUnavailable,
    StreamCut,
    composer_backend,
    llm_backend,
    llm_label,
    resolve_composer,
)
from assistant.pack import Citation, pack_of
from assistant.retrieval import HybridRetriever, followup
from assistant.retrieval.reranker import reranker_backend, resolve_reranker
from ingest.articles import ARTICLE_BELOW_ONE, ARTICLE_LABEL, ArticleRef, missing_part, parse_article, parts_named
from ingest.cleaning import clauses, to_simplified
from ingest.encoding import han_count
from ingest.knowledge_base import KnowledgeBase
from ingest.metadata import KINDS
from ingest.repeal import describe_repeal
from ingest.settings import Settings
from ingest.store import StoredChunk, chunk_id


def _with_notes(answer: Answer, notes: list[str]) -> Answer:
    """The answer with notes added above its 依据."""
    if notes and "\n\n依据：" in answer.text:
        answer.text = answer.text.replace("\n\n依据：", "\n" + "\n".join(notes) + "\n\n依据：", 1)
    return answer


def _with_scope_notes(answer: Answer, plan) -> Answer:
    """An LLM answer with the notes saying where a local rule it cites binds (as offline)."""
    return _with_notes(answer, scope_notes(answer.sources, plan))


# an article a quoted passage cites by its document's title: 依据《中华人民共和国安全生产法》第一百二十八条
_NAMED_ARTICLE = re.compile(
    r"《([^《》]{2,60})》\s*(第[零〇一二三四五六七八九十百千\d]{1,10}条(?:之[一二三四五六七八九十\d]{1,3})?)"
)

# a question's clauses, each read for whether it instructs the assistant rather than asks
_CLAUSE_ENDS = "，,。；;：:！!？?"
_ASKED_MIN = 4  # Chinese characters left after the instructions, fewer of which ask nothing (回答：)
_ONLY_INSTRUCTIONS = "这句话是对助手的指令（如“忽略以上规则”），没有要查询的内容：请直接写出要问的安全生产问题"


def backends(kb: KnowledgeBase) -> dict[str, str]:
    """The backend each family resolved to, by name (what evaluation results record): embedder, store, reranker,
    composer, LLM, and the models behind them."""
    settings = kb.settings
    reranker, llm = reranker_backend(settings), llm_backend(settings)
    return {
        "embedder": kb.embedder.name,
        "store": kb.store.backend,
        "reranker": reranker,
        "reranker_model": (settings.reranker_model or "") if reranker != "none" else "",
        "composer": composer_backend(settings),
        "llm": llm,
        "llm_model": (settings.llm_model or "") if llm != "none" else "",
    }


def question_too_long(question: str, settings: Settings) -> str | None:
    """The Chinese refusal of a question over settings.question_max_chars, else None."""
    limit = settings.question_max_chars
    if len(question) <= limit:
        return None
    return (
        f"问题太长（{len(question):,} 个字符），最多 {limit:,} 个字符：请只写要问的内容，"
        f"需要引用的文件请导入知识库后再提问。"
    )


def unknown_filters(
    kb: KnowledgeBase, kinds: list[str] | None, regions: list[str] | None
) -> list[tuple[str, list[str], list[str]]]:
    """For a kind or region filter naming none of the knowledge base's documents' (a typo: 法规 for 行政法规, 北京 for
    北京市): (类别 or 地区, the unknown values, the known ones). A filter matching nothing was answered
    知识库中未找到依据, with no word of why, though the knowledge base held the answer."""
    records = kb.documents().values()
    present = {r.kind for r in records}  # listed in the law's order (法律 first), as the web's choices are
    found = []
    for label, wanted, known in (
        ("类别", kinds, [k for k in KINDS if k in present] + sorted(present - set(KINDS))),
        ("地区", regions, sorted({r.region for r in records})),
    ):
        unknown = [w for w in wanted or [] if w not in known]
        if unknown:
            found.append((label, list(dict.fromkeys(unknown)), known))
    return found


@dataclass
class AskResult:
    answer: Answer
    retrieved: list[tuple[StoredChunk, float]] = field(default_factory=list)
    query: str = ""  # the question as searched (follow-ups carry the previous question's subject)

    def to_format(self) -> dict:
        """The results schema of shared/evals/FORMAT.md."""
        return {
            "retrieved": [
                {"doc": c.doc_id, "article": c.article or None, "text": c.text, "score": round(score, 4)}
                for c, score in self.retrieved
            ],
            "answer": self.answer.text,
            "abstained": self.answer.abstained,
            "citations": self.answer.citations,
        }


class Assistant:
    """The composer and the reranker as configured (assistant.llm.resolve_composer, resolve_reranker): offline by
    default, the LLM composer when an endpoint is configured (or one is given)."""

    def __init__(
        self,
        kb: KnowledgeBase,
        k: int = 10,
        include_superseded: bool = False,
        llm=None,
        kinds: list[str] | None = None,
        regions: list[str] | None = None,
    ):
        self.kb = kb
        reranker = resolve_reranker(kb.settings)
        self.retriever = HybridRetriever(
            kb=kb,
            k=k,
            include_superseded=include_superseded,
            reranker=reranker,
            kinds=kinds or None,
            regions=regions or None,
        )
        # the repealed texts alone, searched for a figure the texts in force do not state (made when first needed)
        self._repealed: HybridRetriever | None = None
        if llm is None:
            llm = resolve_composer(kb.settings)
        self.llm: LlmComposer | None = llm

    @property
    def mode(self) -> str:
        return llm_label(self.kb.settings) if self.llm else "离线（抽取式回答）"

    def whole_articles(self, chunks: list[StoredChunk]) -> list[StoredChunk]:
        """An over-long article is indexed in parts; an answer quotes from the whole article, so that an item
        found in one part is read with the clause introducing it (and the penalty it carries) in another. A plan
        passage is read with the passages before and after it that go on with a list the index cut in two."""
        whole: list[StoredChunk] = []
        seen: set[tuple] = set()
        for chunk in chunks[: ANSWER.evidence_chunks]:
            if chunk.unit == "section":
                whole.append(self._with_cut_list(chunk))
                continue
            if chunk.unit != "article" or chunk.parts <= 1:
                whole.append(chunk)
                continue
            key = (chunk.doc_id, chunk.article_num or 0, chunk.article_sub)
            if key in seen:
                continue
            seen.add(key)
            hit = self.kb.get_article(key[0], ArticleRef(key[1], key[2]))
            if hit is None:
                whole.append(chunk)
                continue
            closeness = {} if chunk.similarity is None else {"similarity": chunk.similarity}  # what retrieval found
            metadata = {**hit.chunks[0].metadata, "part": 1, "parts": 1, **closeness}
            whole.append(StoredChunk(chunk.id, hit.text, metadata))
        return whole

    def _not_in_library(self, question: str, plan, chunks: list[StoredChunk]) -> Answer | None:
        """An abstention, in either mode, when the question asks about what the library does not hold: a document
        or a place's rules (answer.compose.library_lacks), or an article its document does not have
        (安全生产法第九十九条, or a follow-up 那第九十九条呢？ after a question about 第五条): the search found other
        articles of the document, and 第九条 (or the earlier 第五条) was quoted as the basis of what 第九十九条 says.
        None when every article the question itself names exists (or it names none)."""
        if why := library_lacks(question, plan, chunks):  # the LLM is not asked what the library does not hold
            return declined(question, chunks, why)
        if unnumbered := ARTICLE_BELOW_ONE.search(to_simplified(question)):  # as `anquan show` refuses it
            return declined(
                question,
                [],
                f"条号从 1 开始：“{unnumbered.group()}”不是条文编号，请核对条号（可用 anquan show 查看全文的条文）",
            )
        if not plan.articles:
            return None
        own = {ref for m in ARTICLE_LABEL.finditer(to_simplified(question)) if (ref := parse_article(m.group(0)))}
        missing = [(doc, ref) for doc, ref in plan.articles if self.kb.get_article(doc, ref) is None]
        asked = [(doc, ref) for doc, ref in missing if ref in own] or (
            missing if len(missing) == len(plan.articles) else []
        )
        if not asked:
            return None
        records = self.kb.documents()
        names = "、".join(
            dict.fromkeys(f"《{records[doc].title if doc in records else doc}》{ref.label}" for doc, ref in asked)
        )
        of_asked = [c for c in chunks if c.doc_id in {doc for doc, _ in asked}]
        return declined(question, of_asked, f"已入库的文本中没有{names}，请核对条号（可用 anquan show 查看全文的条文）")

    def _part_notes(self, question: str, plan) -> list[str]:
        """A note for each article the question names with a paragraph or item (第二十四条第三款) that the article,
        held, does not have: the whole article was quoted as if it did. A note, not a refusal: the count of an
        article's paragraphs is an upper bound (ingest.articles.holds_part), and the article is the basis either way."""
        named = parts_named(to_simplified(question))
        notes = []
        for doc, ref in plan.articles:
            paragraph, item = named.get(ref, (None, None))
            if (paragraph is None and item is None) or (hit := self.kb.get_article(doc, ref)) is None:
                continue
            if lacking := missing_part(hit.text, paragraph, item):
                notes.append(f"- 注意：《{hit.document.title}》{ref.label}{lacking}，以上依据的是全条；请核对款项")
        return list(dict.fromkeys(notes))

    def _missing_articles(self, quoted: str) -> list[str]:
        """A note for each article the quoted text cites (a notice's 依据《…》第X条) whose document the library
        holds without that article: a citation that does not resolve is not passed on as if it did."""
        notes = []
        for title, label in dict.fromkeys(_NAMED_ARTICLE.findall(quoted)):
            ref, short = parse_article(label), to_simplified(title).removeprefix("中华人民共和国")
            if ref is None or not self.kb.versions_of(short):
                continue  # a document the library does not hold is not checked
            try:
                cited = Citation(doc=short, article=ref.label)
            except ValidationError:
                continue  # a title with its version in it (…（2021年修正）) names no short title
            if resolve_citation(self.kb, cited) is None:
                notes.append(f"- 注意：所引原文提到的《{title}》{label}在已入库的文本中不存在，请核实。")
        return notes

    def _with_cut_list(self, chunk: StoredChunk) -> StoredChunk:
        """A plan passage joined with its neighbours under the same heading while they go on with its list."""
        text = chunk.text

        def neighbour(ordinal: int) -> StoredChunk | None:
            found = self.kb.store.get_chunks([chunk_id(chunk.doc_id, chunk.doc_hash, ordinal)]) if ordinal >= 0 else []
            return found[0] if found and found[0].heading_text == chunk.heading_text else None

        from_before, into_next = open_lists(text)  # no neighbour is read for a passage holding no open list
        first = last = chunk.ordinal
        for _ in range(ANSWER.list_passages if from_before else 0):
            before = neighbour(first - 1)
            if before is None or not continues_list(before.text, text):
                break
            text, first = f"{before.text}\n{text}", first - 1
        for _ in range(ANSWER.list_passages if into_next else 0):
            after = neighbour(last + 1)
            if after is None or not continues_list(text, after.text):
                break
            text, last = f"{text}\n{after.text}", last + 1
        return chunk if text == chunk.text else StoredChunk(chunk.id, text, chunk.metadata)

    def retrieve(self, question: str, history: list[str] | None = None):
        """The question as searched (follow-ups resolved), its query plan, and the retrieved chunks."""
        query, plan, retrieved, _ = self._search(question, history)
        return query, plan, retrieved

    def _search(self, question: str, history: list[str] | None):
        """As retrieve, with the endpoint's fault when rewriting a follow-up failed (resolved offline then)."""
        history = followup.recent(history or [], self.kb.settings.question_max_chars)
        fault = None
        query = None
        if self.llm is not None and history:
            try:
                query = self.llm.rewrite(question, history)
            except LlmUnavailable as exc:
                fault = exc
        if query is None:
            query = followup.resolve(question, history, pack_of(self.kb).follow_up, self.kb.tokenizer)
        plan = self.retriever.plan(query)
        guard = instruction_guard(self.kb.settings.knowledge_dir)  # no citation names a heading that instructs
        retrieved = [(guard.with_plain_headings(chunk), score) for chunk, score in self.retriever.search(query, plan)]
        return query, plan, retrieved, fault

    @staticmethod
    def _said(question: str, query: str, history: list[str] | None) -> str | None:
        """What the user wrote, when the question searched is not it (a follow-up rewritten): the question and the
        questions before it as they were searched (history); the figures the model's rewrite adds are the model's,
        checked as its reply's are (LlmComposer.finish)."""
        return None if query == question else "\n".join([*(history or []), question])

    def offline_composer(self) -> OfflineComposer:
        """The offline composer over this knowledge base, with the thresholds of the embedder it was retrieved with
        (the calibrated similarity floor, how far its ranker is trusted)."""
        return OfflineComposer(
            self.kb.tokenizer,
            self.kb.bm25.idf,
            self.retriever.figures,
            self.kb.settings.knowledge_dir,
            ANSWER.min_similarity.get(self.kb.embedder.name),
            ANSWER.ranked_first_share.get(self.kb.embedder.name),
        )

    def _before_repeal(self, query: str, plan, answer: Answer) -> Answer:
        """An answer declined for a figure no text in force states (安全生产举报查实了奖励多少), answered from a
        repealed text that stated it (国务院关于预防煤矿生产安全事故的特别规定第二十三条: 1000元至1万元), told as
        repealed (what applied before, and what many still cite); the answer as it was when none does."""
        if not answer.unstated:
            return answer
        if self._repealed is None:
            searched = self.retriever
            self._repealed = HybridRetriever(
                kb=self.kb,
                k=searched.k,
                repealed_only=True,
                reranker=searched.reranker,
                kinds=searched.kinds,
                regions=searched.regions,
            )
        records = self.kb.documents()
        if not self._repealed.allowed_docs(records):  # no repealed text (of the kinds and regions searched)
            return answer
        chunks = [c for c, _ in self._repealed.search(query, plan)]
        if not chunks:
            return answer
        earlier = self.offline_composer().compose(query, plan, self.whole_articles(chunks))
        if earlier.abstained:
            return answer
        repeals = {d: describe_repeal(r, records) for d, r in records.items() if r.repealed}
        return stated_before_repeal(answer, earlier, repeals)

    def _offline(self, query: str, plan, chunks: list[StoredChunk], fault: LlmUnavailable | None) -> Answer:
        answer = self.offline_composer().compose(query, plan, self.whole_articles(chunks), self._accident(query))
        answer = self._before_repeal(query, plan, answer)
        answer = _with_notes(answer, self._missing_articles(answer.text.split("\n\n依据：")[0]))
        if fault is not None:
            answer.text = f"{fault.note}\n\n{answer.text}"
            answer.fault = fault.reason
        return answer

    def _accident(self, query: str) -> Accident | None:
        """The level of the accident a question describes (死了一个人 → 一般事故) and the article defining it."""
        levels = pack_of(self.kb).accident_levels
        found = stated(query, levels)
        hit = resolve_citation(self.kb, levels.basis[0]) if found else None
        return Accident(found, hit.chunks[0], levels.names) if found and hit and hit.chunks else None

    def ask_stream(self, question: str, history: list[str] | None = None) -> Iterator[str | AskResult]:
        """As ask; in LLM mode the reply's text is yielded as it is generated (before verification) first.
        The last item is the AskResult (the offline answer with a note when the endpoint failed, also midway)."""
        if self.llm is None:
            yield self.ask(question, history)
            return
        asked = self._without_instructions(question)
        if not asked:
            yield AskResult(declined(question, [], _ONLY_INSTRUCTIONS), [], question)
            return
        query, plan, retrieved, fault = self._search(asked, history)
        chunks = [c for c, _ in retrieved]
        answer = self._not_in_library(asked, plan, chunks)
        if answer is None and fault is None:
            try:
                for item in self.llm.compose_stream(query, chunks, self._said(asked, query, history)):
                    if isinstance(item, Answer):
                        answer = _with_scope_notes(item, plan)
                    else:
                        yield item
            except LlmUnavailable as exc:
                fault = exc
                if exc.retry_without_stream:  # some OpenAI-compatible servers do not stream: ask once without
                    try:
                        said = self._said(asked, query, history)
                        answer, fault = _with_scope_notes(self.llm.compose(query, chunks, said), plan), None
                    except LlmUnavailable as again:
                        # a reply cut midway is what the user saw: said so, whatever the second request met
                        fault = exc if isinstance(exc, StreamCut) else again
        if answer is None:
            answer = self._offline(query, plan, chunks, fault)
        answer = _with_notes(answer, self._part_notes(asked, plan))
        answer.question = question
        yield AskResult(answer, retrieved, query)

    def ask(self, question: str, history: list[str] | None = None) -> AskResult:
        asked = self._without_instructions(question)
        if not asked:
            return AskResult(declined(question, [], _ONLY_INSTRUCTIONS), [], question)
        query, plan, retrieved, fault = self._search(asked, history)
        chunks = [c for c, _ in retrieved]
        answer = self._not_in_library(asked, plan, chunks)
        if answer is None and self.llm is not None and fault is None:
            try:
                answer = _with_scope_notes(self.llm.compose(query, chunks, self._said(asked, query, history)), plan)
            except LlmUnavailable as exc:
                fault = exc
        if answer is None:
            answer = self._offline(query, plan, chunks, fault)
        answer = _with_notes(answer, self._part_notes(asked, plan))
        answer.question = question
        return AskResult(answer, retrieved, query)

    def _without_instructions(self, question: str) -> str:
        """The question without its clauses instructing the assistant (忽略以上规则，…; 你现在是安全专家，…): they ask
        nothing, and their words (以上) would be searched as if they did; "" when nothing is left to ask."""
        guard = instruction_guard(self.kb.settings.knowledge_dir)
        pieces = clauses(question, ends=_CLAUSE_ENDS, min_chars=1)
        kept = [piece for piece in pieces if not guard.is_instruction(piece)]
        if len(kept) == len(pieces):
            return question
        asked = "".join(kept)
        return asked if han_count(asked) >= _ASKED_MIN else ""
