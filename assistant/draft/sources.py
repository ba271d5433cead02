"""Where a drafted plan item's citations come from: the regulation articles it rests on (retrieved over the
index, current versions only, national law plus the requested region's local regulations, with the
articles the knowledge pack curates for it as extra candidates) and the local plan passage cited beside
them as 参考 (a plan or report is never a basis). Every citation is verified to resolve to an article in
force before it is used, and is about the task's subject: it holds the things the task names (its objects,
places, hazards, duties), not merely the words every task shares (检查, 落实, 节前 …; see subject_weights).
A task no provision fits gets none, and says so."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from assistant.citations import citation, resolve_citation, short_citation
from assistant.draft.config import DRAFT
from assistant.draft.period import PlanRequestError
from assistant.pack import Citation, PlanRef, pack_of
from assistant.retrieval import HybridRetriever
from assistant.retrieval.coverage import coverage, question_weights, whole_terms
from assistant.retrieval.provisions import PENALTY, provision_kind
from ingest.articles import LEADING_LABEL, parse_article
from ingest.cleaning import clauses, normalise_for_index, to_simplified
from ingest.knowledge_base import KnowledgeBase
from ingest.metadata import (  # plans and reports: cited as 参考, never as 依据
    NATIONAL,
    PLAN_KINDS,
    VERSIONED_KINDS,
)
from ingest.store import StoredChunk

# Title words that say nothing about a regulation's subject.
GENERIC_TITLE_WORDS = frozenset(
    "安全 生产 安全生产 管理 条例 规定 办法 细则 中华人民共和国 国务院 关于 实施 若干 问题 解释 监督 监督管理 "
    "单位 经营 经营单位 生产经营 主体 责任 主体责任 特别 特别规定 最高 人民 法院 检察院 最高人民法院 最高人民检察院 "
    "办理 适用 法律 刑事 案件".split()
)

_PHRASE = re.compile(r"(?<=[。；;，,：:！？!?])|\n")  # a plan's long sentences, cut at every comma
_ITEM_NUMBER = re.compile(r"^[（(][一二三四五六七八九十\d]+[)）]\s*")
# an article that defines the law's words (本法下列用语的含义, 本条例所称…是指): it states no duty
_DEFINES = re.compile(
    r"^(?:第[零〇一二三四五六七八九十百千两\d]+条\s*)?本(?:法|条例|规定|办法)(?:下列用语|所称|中下列)"
)


# things listed, then 等 and the kind they are of, to the clause's end (…超层越界开采等违法行为; not 等级, 平等, 等待)
_LISTED_KIND = re.compile(
    r"(?P<listed>[\u4e00-\u9fff、]{2,})等(?![级待同于效候])(?P<kind>[\u4e00-\u9fff]{2,8})(?=$|[，。；、：,;:（(])"
)


class Subject(dict):
    """A task's words and their weights (dict), and the terms naming its subject (`terms`: the words and their parts,
    not the task words) that the minimum count of held terms is judged on."""

    def __init__(self, weights: dict[str, float], terms: frozenset[str] = frozenset()):
        super().__init__(weights)
        self.terms = terms


@dataclass(frozen=True)
class Provision:
    """A verified source: an article of a regulation in force, or a passage of a local plan."""

    chunk: StoredChunk
    quote: str  # the key clause, verbatim (shortened with …… when long)

    @property
    def key(self) -> str:
        """An article is one source whatever clause an item quotes; a plan passage is one per phrase quoted."""
        return self.chunk.id if self.is_article else f"{self.chunk.id}#{self.quote}"

    @property
    def is_article(self) -> bool:
        return self.chunk.unit == "article"

    @property
    def citation(self) -> str:
        return citation(self.chunk, with_part=False)

    @property
    def short(self) -> str:
        return short_citation(self.chunk)

    @property
    def doc_id(self) -> str:
        return self.chunk.doc_id

    @property
    def article(self) -> str | None:
        return self.chunk.article if self.is_article else None


_NOT = "非"  # before a field's word, names what is outside it (非煤矿山, 非金属)
_ENFORCEMENT = re.compile(r"执法|处罚|查处|打击|罚款|追究|问责|惩处|曝光|违法")


def phrases(text: str) -> list[str]:
    """A plan passage's phrases: plans string many matters into one sentence, a phrase names one of them."""
    return [c.strip() for c in _PHRASE.split(text) if len(c.strip()) >= 6]


_CLAUSE_MARKS = "，,；;：:"  # where a clause ends (、 parts the items of a list inside one)


def shorten(text: str, limit: int = DRAFT.quote_chars, focus: str = "") -> str:
    """A verbatim piece of the clause, at most about `limit` characters, cut at punctuation where possible:
    its beginning, or the phrase around `focus` when that lies further in (marked with …… where cut)."""
    text = _ITEM_NUMBER.sub("", LEADING_LABEL.sub("", text.strip())).rstrip("。；;，,")
    if len(text) <= limit:
        return text
    start = 0
    at = text.find(focus) if focus else -1
    if at + len(focus) > limit - 4:
        start = max(text.rfind(mark, 0, at) for mark in "，,、；;：:") + 1
        if start == 0 or at - start > limit // 2:
            start = max(at - 4, 0)
        while start > 1 and len(text) - start < limit // 2:  # a short tail: take the phrase before it too
            earlier = max(text.rfind(mark, 0, start - 1) for mark in "，,、；;：:") + 1
            if earlier <= 0 or len(text) - earlier > limit:
                break
            start = earlier
        if start and text[start - 1] == "、":
            # cut inside a list: the words qualifying whom the duty binds (规模较大、危险性较高的…运输单位) would be
            # lost, making it bind more; the clause is quoted from its start when that is not too long
            whole = max(text.rfind(mark, 0, start) for mark in _CLAUSE_MARKS) + 1
            if len(text) - whole <= DRAFT.subject_quote_chars:
                start, limit = whole, max(limit, len(text) - whole)
    piece = text[start:]
    if len(piece) > limit:
        cut = max(piece.rfind(mark, 0, limit) for mark in "，,、：:")
        piece = (piece[:cut] if cut >= limit // 2 and cut >= at - start + len(focus) else piece[:limit]) + "……"
    return ("……" if start else "") + piece


class ProvisionFinder:
    """Finds and verifies the sources of plan items; built once per draft."""

    def __init__(self, kb: KnowledgeBase, region: str | None = None):
        self.kb = kb
        self.records = kb.documents()
        kb.ensure_bm25()
        self.region_name, self.local_regions = self._region(region) if region else ("", set())
        regions = sorted({NATIONAL} | self.local_regions)
        self.retriever = HybridRetriever(kb=kb, k=DRAFT.candidates, kinds=sorted(VERSIONED_KINDS), regions=regions)
        self.plan_retriever = HybridRetriever(kb=kb, k=3, kinds=sorted(PLAN_KINDS))
        self._plan_chunks: dict[str, list[StoredChunk]] = {}
        self._verified: dict[str, bool] = {}
        self._resolved: dict[tuple[str, str], object] = {}
        self._topics: dict[str, set[str]] = {}
        plans = pack_of(kb).plan_templates
        self._task_words = sorted({normalise_for_index(w) for w in plans.task_words}, key=len, reverse=True)
        self._fields = {
            title: [normalise_for_index(w) for w in words] for title, words in plans.regulation_fields.items()
        }

    # --- region ---------------------------------------------------------------------------------
    def _region(self, region: str) -> tuple[str, set[str]]:
        wanted = region.strip()
        regions = pack_of(self.kb).taxonomy.regions
        short = next((s for s, aliases in regions.items() if wanted == s or wanted in aliases), None)
        present = {r.region for r in self.records.values() if r.region != NATIONAL and r.in_force}
        if short is None:
            short = next((s for s in regions if wanted.startswith(s)), None)
        if short is None and not any(p.startswith(wanted) for p in present):
            known = "、".join(list(regions)[:12])
            raise PlanRequestError(f"地区“{region}”无法识别：请写省市简称，如 {known}")
        name = short or wanted
        names = {name, *regions.get(name, [])}
        parent = getattr(pack_of(self.kb).taxonomy, "region_parents", {}).get(name)  # a city's province applies too
        if parent:
            names |= {parent, *regions.get(parent, [])}
        return name, {p for p in present if any(p.startswith(n) for n in names)}

    @property
    def has_local(self) -> bool:
        return bool(self.local_regions)

    # --- verification ---------------------------------------------------------------------------
    def verified(self, chunk: StoredChunk) -> bool:
        """An article of a regulation in force that the (short title, article) pair resolves back to."""
        if chunk.id in self._verified:
            return self._verified[chunk.id]
        ok = False
        record = self.records.get(chunk.doc_id)
        if record is not None and record.in_force and chunk.doc_hash == record.hash:
            if chunk.unit != "article":
                ok = record.kind in PLAN_KINDS
            else:
                label = chunk.article
                try:
                    hit = self.resolve(Citation(doc=record.short_title, article=label))
                    ok = hit is not None and hit.document.doc_id == record.doc_id
                except ValueError:  # a title the short-title form cannot carry: look the article up directly
                    ref = parse_article(label)
                    ok = ref is not None and self.kb.get_article(record.doc_id, ref) is not None
        self._verified[chunk.id] = ok
        return ok

    # --- scoring --------------------------------------------------------------------------------
    @cached_property
    def _idf(self) -> dict[str, float]:
        return self.kb.bm25.idf

    def weights(self, text: str, context: str = "") -> dict[str, float]:
        """The item's content words by rarity; words of its context (the focus item's name and hazards) count
        a third as much."""
        found = question_weights(self.kb.tokenizer.query_tokens(text), self._idf)
        if context:
            extra = question_weights(self.kb.tokenizer.query_tokens(context), self._idf)
            found.update({t: w * DRAFT.context_share for t, w in extra.items() if t not in found})
        return found

    def task_word(self, token: str) -> bool:
        """A word that says what a task does, when or how (检查, 落实, 节前), or is made of such words (安全检查)."""
        rest = token
        for word in self._task_words:
            rest = rest.replace(word, "")
        return len(rest) <= 1

    @cached_property
    def _unseen(self) -> float:
        return max(self._idf.values(), default=1.0)

    def subject_weights(self, text: str) -> Subject:
        """The task's words by rarity, those saying what every task does (task_words) kept at a small weight:
        what is left names the task's subject. A word no indexed text holds (道路交通 in a library without a
        traffic law) is the rarest of all, not nothing: no provision holds it, so none fits on it."""
        tokens = list(dict.fromkeys(self.kb.tokenizer.query_tokens(text)))
        found = question_weights(tokens, self._idf)
        known = [t for t in tokens if t in self._idf]
        for token in tokens:
            if token in self._idf or any(part != token and part in token for part in known):
                continue  # weighed above, or a compound of known words (消防检查) that its parts carry
            found.update(question_weights([token], {token: self._unseen}))
        # what a list closes with after 等 names the kind of the things listed (严查超层越界开采等违法行为, 冒顶、瓦斯、
        # 水害等事故隐患): the things listed are the subject, their kind says no more than a task word does
        lists = list(_LISTED_KIND.finditer(text))
        kinds = {t for m in lists for t in self.kb.tokenizer.query_tokens(m.group("kind"))}
        kinds = {t for t in kinds if t in found and not any(t in m.group("listed") for m in lists)}
        terms = frozenset(t for t in found if not self.task_word(t) and t not in kinds)
        # one thing named once: the parts of a compound term (人员 密集 场所 in 人员密集场所) do not add to its weight
        found = whole_terms(found, DRAFT.compound_chars)
        weak = {t for t in found if self.task_word(t) or t in kinds}
        return Subject({t: w * (DRAFT.task_word_share if t in weak else 1.0) for t, w in found.items()}, terms)

    def _text(self, chunk: StoredChunk) -> str:
        record = self.records.get(chunk.doc_id)
        title = record.short_title if record is not None else ""
        return f"{title} {chunk.heading_text} {chunk.text}"

    def fit(self, chunk: StoredChunk, subject: Subject) -> float:
        """How much of the task's subject a provision holds (its law's title and chapter count as its text)."""
        return coverage(self._text(chunk), subject)

    @staticmethod
    def names_enough(text: str, subject: Subject) -> bool:
        """The passage names at least min_terms of the things the task names (not only what every task does)."""
        held = normalise_for_index(text)
        return sum(1 for t in subject.terms if t in held) >= DRAFT.min_terms

    def on_subject(self, chunk: StoredChunk, subject: Subject) -> bool:
        """The article holds subject_min of the task's subject, in at least min_terms of the things the task names
        unless fewer carry single_term_min of it."""
        fit = self.fit(chunk, subject)
        return fit >= DRAFT.subject_min and (
            fit >= DRAFT.single_term_min or self.names_enough(self._text(chunk), subject)
        )

    @staticmethod
    def _framing(chunk: StoredChunk) -> bool:
        """A law's purpose and scope articles, its 附则 (entry into force) and its definitions state no duty a
        task rests on."""
        heading = re.sub(r"\s+", "", chunk.heading_text)
        return (
            (99 if chunk.article_num is None else chunk.article_num) <= 2
            or "附则" in heading
            or bool(_DEFINES.match(chunk.text))
        )

    def outside_field(self, chunk: StoredChunk, named: str) -> bool:
        """An article of a regulation made for one field (knowledge/plan_templates.yaml, regulation_fields) that the
        task (its text and its group's heading, normalised) never names: 非煤矿山 names no 煤矿."""
        record = self.records.get(chunk.doc_id)
        words = self._fields.get(record.short_title) if record is not None else None
        return words is not None and not any(re.search(rf"(?<!{_NOT}){re.escape(w)}", named) for w in words)

    def _off_topic(self, chunk: StoredChunk, asked: str) -> bool:
        """A regulation whose title's subject (煤矿, 烟花爆竹, 特种设备 …) the item never names."""
        record = self.records.get(chunk.doc_id)
        if record is None:
            return False
        if record.doc_id not in self._topics:
            title = record.short_title
            self._topics[record.doc_id] = {
                t for t in self.kb.tokenizer.query_tokens(title) if len(t) >= 2 and t not in GENERIC_TITLE_WORDS
            }
        topic = self._topics[record.doc_id]
        return bool(topic) and not any(t in asked for t in topic)

    def resolve(self, cited: Citation):
        key = (cited.doc, cited.article)
        if key not in self._resolved:
            self._resolved[key] = resolve_citation(self.kb, cited)
        return self._resolved[key]

    def key_clause(self, chunk: StoredChunk, weights: dict[str, float]) -> str:
        found = clauses(chunk.text) or [chunk.text]
        found = [
            c for c in found if len(c) >= DRAFT.min_quote_chars
        ] or found  # not a bare 项 heading like （三）应急救援队伍
        best = max(found, key=lambda c: coverage(c, weights))
        present = [t for t in weights if t in best]
        return shorten(best, focus=max(present, key=lambda t: weights[t]) if present else "")

    def _score(self, chunk: StoredChunk, weights: dict[str, float]) -> float:
        """Half how much of the item the whole provision covers, half how much its best clause does
        (a long article touches many words; the one that fits says the item in one clause)."""
        whole = coverage(f"{chunk.heading_text} {chunk.text}", weights)
        best = max((coverage(c, weights) for c in clauses(chunk.text)), default=0.0)
        return 0.5 * whole + 0.5 * best

    # --- articles -------------------------------------------------------------------------------
    def articles_for(
        self, text: str, curated: list[Citation] | None = None, context: str = "", heading: str = ""
    ) -> list[Provision]:
        """The one or two articles an item rests on (plus the region's own article where one fits), best first;
        only articles on the item's subject: of a regulation whose field the item (or its group's heading) names,
        holding subject_min of its subject terms. None when no article is."""
        weights = self.weights(text, context)
        subject = self.subject_weights(text)
        named = normalise_for_index(f"{text} {heading}")
        asked = normalise_for_index(f"{text} {context}")
        query = f"{text} {self.region_name}".strip()
        enforcing = bool(_ENFORCEMENT.search(asked))  # only then may a penalty provision be what an item rests on
        scored: dict[str, tuple[float, StoredChunk]] = {}
        for rank, (chunk, _) in enumerate(self.retriever.search(query)):
            if chunk.unit == "article" and not self._framing(chunk) and (enforcing or provision_kind(chunk) != PENALTY):
                score = self._score(chunk, weights) + DRAFT.rank_bonus / (rank + 1)
                scored[chunk.id] = (score * (DRAFT.off_topic if self._off_topic(chunk, asked) else 1.0), chunk)
        for cited in curated or []:
            hit = self.resolve(cited)
            if hit is None:
                continue
            for chunk in hit.chunks:
                if self._framing(chunk):
                    continue
                score = self._score(chunk, weights) + DRAFT.curated_bonus
                if score > scored.get(chunk.id, (0.0, chunk))[0]:
                    scored[chunk.id] = (score, chunk)
        ranked = [
            (s, c)
            for s, c in sorted(scored.values(), key=lambda x: -x[0])
            if not self.outside_field(c, named) and self.on_subject(c, subject) and self.verified(c)
        ]
        if not ranked:
            return []
        best_score, best = ranked[0]
        chosen = [best]
        best_fit = self.fit(best, subject)
        for score, chunk in ranked[1:]:
            if (
                score >= DRAFT.second_share * best_score
                and chunk.doc_id != best.doc_id
                and self.fit(chunk, subject) >= DRAFT.second_share * best_fit
                and self._region_of(chunk) == NATIONAL
            ):
                chosen.append(chunk)
                break
        if self.local_regions and self._region_of(best) == NATIONAL:
            # the region's own article, judged by fit alone (the pack curates national articles only)
            fit = max(self._score(c, weights) for _, c in ranked[:3])
            local = next((c for _, c in ranked if self._region_of(c) in self.local_regions), None)
            if local is not None and self._score(local, weights) >= DRAFT.local_share * fit:
                chosen.insert(0, local)
        return [Provision(c, self.key_clause(c, subject)) for c in self._distinct_articles(chosen)]

    def _distinct_articles(self, chunks: list[StoredChunk]) -> list[StoredChunk]:
        seen, kept = set(), []
        for chunk in chunks:
            key = (chunk.doc_id, chunk.article)
            if key not in seen:
                seen.add(key)
                kept.append(chunk)
        return kept

    def _region_of(self, chunk: StoredChunk) -> str:
        record = self.records.get(chunk.doc_id)
        return record.region if record else NATIONAL

    # --- plan passages --------------------------------------------------------------------------
    def _chunks_of(self, doc_id: str) -> list[StoredChunk]:
        if doc_id not in self._plan_chunks:
            record = self.records.get(doc_id)
            self._plan_chunks[doc_id] = [] if record is None else self.kb.store.document_chunks(doc_id, record.hash)
        return self._plan_chunks[doc_id]

    def locate(self, ref: PlanRef) -> StoredChunk | None:
        """The indexed passage of a curated plan reference (its quote, simplified or traditional alike)."""
        wanted = normalise_for_index(to_simplified(ref.quote))
        for chunk in self._chunks_of(ref.doc):
            if wanted in normalise_for_index(to_simplified(chunk.text)):
                return chunk
        return None

    def plan_passage_for(self, text: str, refs: list[PlanRef] | None = None) -> Provision | None:
        """The local plan or report passage cited beside the law as 参考 (never as 依据): the clause that holds
        most of the item's subject, when it holds at least plan_min of it (a curated passage is preferred)."""
        subject = self.subject_weights(text)
        best: tuple[float, StoredChunk, str] | None = None
        for ref in refs or []:
            chunk = self.locate(ref)
            if chunk is None or not self.verified(chunk):
                continue
            score = coverage(ref.quote, subject)
            if (
                score >= DRAFT.plan_min
                and self.names_enough(ref.quote, subject)
                and (best is None or score + DRAFT.curated_bonus > best[0])
            ):
                best = (score + DRAFT.curated_bonus, chunk, shorten(ref.quote))
        for chunk, _ in self.plan_retriever.search(text):
            found = phrases(chunk.text) or [chunk.text]
            at = max(range(len(found)), key=lambda i: coverage(found[i], subject))
            phrase = found[at]
            if (
                at + 1 < len(found)
                and phrase.endswith(("，", ",", "：", ":"))
                and coverage(phrase + found[at + 1], subject) > coverage(phrase, subject)
            ):
                phrase += found[at + 1]  # the sentence runs on into the next phrase
            score = coverage(phrase, subject)
            if (
                score >= DRAFT.plan_min
                and self.names_enough(phrase, subject)
                and self.verified(chunk)
                and (best is None or score > best[0])
            ):
                present = [t for t in subject if t in normalise_for_index(phrase)]
                best = (score, chunk, shorten(phrase, focus=max(present, key=lambda t: subject[t]) if present else ""))
        return Provision(best[1], best[2]) if best else None
