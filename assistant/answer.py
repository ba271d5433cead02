"""The offline answer composer: no LLM, a readable answer built only from retrieved provisions.

A one-line lead (the glossary definition when the question names a known principle, else the
decisive clause), then the decisive provisions as bullets, each quoting the clause that answers the
question with its citation [n], then the 依据 list. Each part of a multi-part question gets its own
clauses. When no retrieved clause covers the question well enough — or the question asks for a
number and no covering clause holds one — it says 知识库中未找到依据 and lists the closest articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.citations import citation, short_citation
from assistant.evidence import coverage, question_weights
from assistant.query import QueryPlan
from ingest.store import StoredChunk
from ingest.tokenizer import Tokenizer

NO_BASIS = "知识库中未找到依据"
ARTICLE_LABEL = re.compile(r"^第[零〇一二三四五六七八九十百千两\d]+条(?:之[零〇一二三四五六七八九十\d]+)?\s*")
_SPLIT_QUESTION = re.compile(r"(?<=[？?；;])|(?<=[，,])(?=还是|那么|另外|以及|同时)")
# the unit an answer quotes: a sentence, or a line (款 and 项 are lines in the corpus)
_CLAUSE = re.compile(r"(?<=[。！？])|\n")
_NUM = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两半]+)"
_TIME_UNITS = r"(?:年|个月|月|日|天|小时|分钟|周|季度)"
# What a question asks to be counted, and what a clause must hold to answer it.
_QUANTITY_ASKS = [
    (re.compile(r"多久|多长时间|几年|几天|几个月|几小时|多少天|多少年|多少小时|期限|时限|有效期"),
     re.compile(rf"{_NUM}\s*{_TIME_UNITS}|每(?:年|季度|月|半年|周|日|天)|立即|及时")),
    (re.compile(r"比例|百分之|几成|多少倍"), re.compile(rf"{_NUM}\s*(?:%|倍|成)|百分之{_NUM}")),
    (re.compile(r"多少(钱|元|万元)|罚多少|罚款.{0,4}多少|补多少|赔多少|能补|补贴"), re.compile(rf"{_NUM}\s*(?:万元|元)")),
    # counts of measurable things; 几个证、哪几次体检 are answered by an enumeration, not a number
    (re.compile(r"多少(?P<unit>[米箱吨人起家台辆]|公里)|几(?P<unit2>[起人家台辆])"), None),
]
_NORMATIVE = re.compile(r"最多|最少|至少|不得超过|可以|应当|必须|规定|允许|要求|标准")
MIN_COVERAGE = 0.3  # share of the question's weighted terms the best clause must hold
EVIDENCE_CHUNKS = 6
MAX_BULLETS = 6
CLAUSES_PER_SOURCE = 4
CLAUSE_SHARE = 0.3  # a clause of the decisive provision is quoted when it covers this share of its best clause
ARTICLE_BONUS = 1.2  # a provision of law outranks a plan passage that matches as well
KEEP_SHARE = 0.6  # a chunk is quoted when its best clause covers this share of the best clause's coverage


@dataclass
class Source:
    number: int
    chunk: StoredChunk

    @property
    def citation(self) -> str:
        return citation(self.chunk)

    @property
    def key(self) -> dict:
        return {"doc": self.chunk.metadata.get("doc_id", ""), "article": self.chunk.metadata.get("article") or None}


@dataclass
class Answer:
    question: str
    text: str
    abstained: bool
    sources: list[Source] = field(default_factory=list)  # what the answer cites, numbered
    related: list[StoredChunk] = field(default_factory=list)  # closest provisions when abstaining
    verification: object | None = None  # LLM mode: what the citation and quote check found

    @property
    def citations(self) -> list[dict]:
        return [s.key for s in self.sources]


@dataclass
class _Clause:
    text: str
    chunk_rank: int
    coverage: float


def question_parts(question: str) -> list[str]:
    parts = [p.strip(" ，,") for p in _SPLIT_QUESTION.split(question) if p and len(p.strip(" ，,？?")) >= 4]
    return parts or [question]


def _clauses(chunk: StoredChunk) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(chunk.text) if len(c.strip()) >= 6]


def answers_quantity(part: str, clauses: list[str]) -> bool:
    """When the question asks for an amount, a period or a count, some clause must state one."""
    for asks, answer in _QUANTITY_ASKS:
        match = asks.search(part)
        if not match:
            continue
        if answer is None:
            unit = match.group("unit") or match.group("unit2")
            answer = re.compile(rf"{_NUM}\s*{unit}")
        return any(answer.search(c) for c in clauses)
    return True


class OfflineComposer:
    def __init__(self, tokenizer: Tokenizer, idf: dict[str, float]):
        self.tokenizer = tokenizer
        self.idf = idf

    def _groups(self, part: str, plan: QueryPlan, chunks: list[StoredChunk]) -> list[list[_Clause]]:
        """For each chunk (in retrieval order) its clauses that best cover the part, best first."""
        weights = question_weights(self.tokenizer.query_tokens(f"{part} {' '.join(plan.legal_terms)}"), self.idf)
        groups = []
        for rank, chunk in enumerate(chunks):
            bonus = ARTICLE_BONUS if chunk.metadata.get("unit") == "article" else 1.0
            texts = _clauses(chunk)
            scored = sorted((_Clause(text, rank, bonus * coverage(text, weights)) for text in texts),
                            key=lambda c: -c.coverage)
            if scored and scored[0].coverage > 0:
                kept = [c for c in scored[:CLAUSES_PER_SOURCE] if c.coverage >= CLAUSE_SHARE * scored[0].coverage]
                order = {text: i for i, text in enumerate(texts)}
                groups.append(sorted(kept, key=lambda c: (c is not scored[0], order[c.text])))
        return groups

    def _decisive(self, groups: list[list[_Clause]], evidence: list[StoredChunk], plan: QueryPlan) -> list[list[_Clause]]:
        """The first well-covering chunk is decisive; when the question names several documents or regions,
        the first well-covering chunk of each is too."""
        best = max(g[0].coverage for g in groups)
        good = [g for g in groups if g[0].coverage >= KEEP_SHARE * best]
        picked = good[:1]
        named = [*plan.documents, *plan.regions]
        if len(named) >= 2:
            for name in named:
                for group in good:
                    meta = evidence[group[0].chunk_rank].metadata
                    if name in (meta.get("doc_id"), meta.get("region")) and group not in picked:
                        picked.append(group)
                        break
        return picked

    def compose(self, question: str, plan: QueryPlan, chunks: list[StoredChunk]) -> Answer:
        evidence = chunks[:EVIDENCE_CHUNKS]
        chosen: list[_Clause] = []
        unanswered: list[str] = []  # parts asking for an amount or a period that no clause states
        for part in question_parts(question):
            groups = self._groups(part, plan, evidence)
            if not groups or max(g[0].coverage for g in groups) < MIN_COVERAGE:
                continue
            # a norm (最多可以、至少要、应当…) is stated by a provision of law, not by a plan or a report
            stating = [g for g in groups if not _NORMATIVE.search(part)
                       or evidence[g[0].chunk_rank].metadata.get("unit") == "article"]
            if not answers_quantity(part, [c.text for g in stating for c in g]):
                unanswered.append(part)
                continue
            for group in self._decisive(groups, evidence, plan):
                chosen += [c for c in group if c.text not in {x.text for x in chosen}]
        named_articles = {(d, r.number, r.sub) for d, r in plan.articles}
        if named_articles and not chosen:  # the user asked for specific articles: show them whatever the overlap
            chosen = [_Clause((_clauses(c) or [c.text])[0], i, 1.0) for i, c in enumerate(evidence)
                      if (c.metadata.get("doc_id"), c.metadata.get("article_num"),
                          c.metadata.get("article_sub")) in named_articles]
        if not chosen:
            return self._abstain(question, chunks)
        chosen = sorted(chosen, key=lambda c: c.chunk_rank)[:MAX_BULLETS]
        sources: list[Source] = []
        number_of: dict[int, int] = {}
        for clause in chosen:
            if clause.chunk_rank not in number_of:
                number_of[clause.chunk_rank] = len(sources) + 1
                sources.append(Source(len(sources) + 1, evidence[clause.chunk_rank]))
        lines = [self._lead(plan, chosen[0], sources[0])]
        for clause in chosen:
            lines.append(f"- {clause.text}[{number_of[clause.chunk_rank]}]")
        for part in unanswered:
            lines.append(f"- 关于“{part.rstrip('？?')}”：{NO_BASIS}，已入库的条文中没有相应的数量或期限规定。")
        lines.append("")
        lines.append("依据：")
        lines += [f"[{s.number}] {s.citation}" for s in sources]
        return Answer(question, "\n".join(lines), False, sources)

    def _lead(self, plan: QueryPlan, top: _Clause, source: Source) -> str:
        if plan.glossary:
            entry = plan.glossary[0]
            return f"{entry.term}：{entry.definition}"
        clause = ARTICLE_LABEL.sub("", top.text).rstrip("。；;：:，,")
        return f"依据{short_citation(source.chunk)}，{clause}。"

    def _abstain(self, question: str, chunks: list[StoredChunk]) -> Answer:
        related = chunks[:3]
        lines = [f"{NO_BASIS}：已入库的法规和方案中没有能直接回答这个问题的条文。"]
        if related:
            lines.append("可能相关：")
            lines += [f"- {citation(c)}" for c in related]
        return Answer(question, "\n".join(lines), True, [], related)
