"""Where a drafted plan item's citations come from: the regulation articles it rests on (retrieved over the
index, current versions only, national law plus the requested region's local regulations, with the
articles the knowledge pack curates for it as extra candidates) and the local plan passage it is
modelled on. Every citation is verified to resolve to an article in force before it is used."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from assistant.citations import citation, resolve_citation, short_citation
from assistant.knowledge_pack import Citation, PlanRef
from assistant.plan_period import PlanRequestError
from assistant.retrieval import HybridRetriever
from assistant.retrieval.coverage import coverage, question_weights
from assistant.retrieval.provisions import PENALTY, provision_kind
from ingest.articles import parse_article
from ingest.cleaning import normalise_for_index, to_simplified
from ingest.knowledge_base import KnowledgeBase
from ingest.metadata import VERSIONED_KINDS
from ingest.store import StoredChunk

# Title words that say nothing about a regulation's subject.
GENERIC_TITLE_WORDS = frozenset(
    "安全 生产 安全生产 管理 条例 规定 办法 细则 中华人民共和国 国务院 关于 实施 若干 问题 解释 监督 监督管理 "
    "单位 经营 经营单位 生产经营 主体 责任 主体责任 特别 特别规定 最高 人民 法院 检察院 最高人民法院 最高人民检察院 "
    "办理 适用 法律 刑事 案件".split())

PLAN_KINDS = ["计划方案", "工作总结"]
NATIONAL = "全国"
RANK_BONUS = 0.15  # retrieval rank 1 adds this to the coverage score, rank n adds RANK_BONUS / n
CONTEXT_SHARE = 0.3
OFF_TOPIC = 0.6  # a sector regulation whose subject the item does not name
CURATED_BONUS = 0.3  # an article the knowledge pack lists for this focus item
SECOND_SHARE = 0.85  # a second article is cited when it scores this share of the best (and is from another law)
LOCAL_SHARE = 0.6  # the region's own article is cited when it scores this share of the best
PLAN_MIN = 0.35  # a retrieved plan passage is "modelled on" when it covers this share of the item
CURATED_PLAN_MIN = 0.15  # a curated plan passage needs less
QUOTE_CHARS = 48
MIN_QUOTE_CHARS = 14
_CLAUSE = re.compile(r"(?<=[。；;])|\n")
_LABEL = re.compile(r"^第[零〇一二三四五六七八九十百千两\d]+条(?:之[零〇一二三四五六七八九十\d]+)?\s*")
_ITEM_NUMBER = re.compile(r"^[（(][一二三四五六七八九十\d]+[)）]\s*")


@dataclass(frozen=True)
class Provision:
    """A verified source: an article of a regulation in force, or a passage of a local plan."""

    chunk: StoredChunk
    quote: str  # the key clause, verbatim (shortened with …… when long)

    @property
    def key(self) -> str:
        return self.chunk.id

    @property
    def is_article(self) -> bool:
        return self.chunk.metadata.get("unit") == "article"

    @property
    def citation(self) -> str:
        return citation(self.chunk, with_part=False)

    @property
    def short(self) -> str:
        return short_citation(self.chunk)

    @property
    def doc_id(self) -> str:
        return self.chunk.metadata.get("doc_id", "")

    @property
    def article(self) -> str | None:
        return self.chunk.metadata.get("article") if self.is_article else None


_ENFORCEMENT = re.compile(r"执法|处罚|查处|打击|罚款|追究|问责|惩处|曝光|违法")


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if len(c.strip()) >= 6]


def shorten(text: str, limit: int = QUOTE_CHARS, focus: str = "") -> str:
    """A verbatim piece of the clause, at most about `limit` characters, cut at punctuation where possible:
    its beginning, or the phrase around `focus` when that lies further in (marked with …… where cut)."""
    text = _ITEM_NUMBER.sub("", _LABEL.sub("", text.strip())).rstrip("。；;，,")
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
        self.retriever = HybridRetriever(kb=kb, k=8, kinds=sorted(VERSIONED_KINDS), regions=regions)
        self.plan_retriever = HybridRetriever(kb=kb, k=3, kinds=PLAN_KINDS)
        self._plan_chunks: dict[str, list[StoredChunk]] = {}
        self._verified: dict[str, bool] = {}
        self._resolved: dict[tuple[str, str], object] = {}
        self._topics: dict[str, set[str]] = {}

    # --- region ---------------------------------------------------------------------------------
    def _region(self, region: str) -> tuple[str, set[str]]:
        wanted = region.strip()
        regions = self.kb.pack.taxonomy.regions
        short = next((s for s, aliases in regions.items() if wanted == s or wanted in aliases), None)
        present = {r.region for r in self.records.values() if r.region != NATIONAL and r.in_force}
        if short is None:
            short = next((s for s in regions if wanted.startswith(s)), None)
        if short is None and not any(p.startswith(wanted) for p in present):
            known = "、".join(list(regions)[:12])
            raise PlanRequestError(f"地区“{region}”无法识别：请写省市简称，如 {known}")
        name = short or wanted
        names = {name, *regions.get(name, [])}
        parent = getattr(self.kb.pack.taxonomy, "region_parents", {}).get(name)  # a city's province applies too
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
        record = self.records.get(chunk.metadata.get("doc_id", ""))
        if record is not None and record.in_force and chunk.metadata.get("doc_hash") == record.hash:
            if chunk.metadata.get("unit") != "article":
                ok = record.kind in PLAN_KINDS
            else:
                label = chunk.metadata.get("article", "")
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
            found.update({t: w * CONTEXT_SHARE for t, w in extra.items() if t not in found})
        return found

    @staticmethod
    def _framing(chunk: StoredChunk) -> bool:
        """A law's purpose and scope articles and its 附则 (definitions, entry into force) state no duty a task
        rests on; they are cited only when the knowledge pack lists them."""
        return chunk.metadata.get("article_num", 99) <= 2 or "附则" in chunk.metadata.get("heading_path", "")

    def _off_topic(self, chunk: StoredChunk, asked: str) -> bool:
        """A sector regulation (煤矿, 烟花爆竹, 特种设备 …) whose subject the item never names."""
        record = self.records.get(chunk.metadata.get("doc_id", ""))
        if record is None:
            return False
        if record.doc_id not in self._topics:
            title = record.short_title
            self._topics[record.doc_id] = {t for t in self.kb.tokenizer.query_tokens(title)
                                           if len(t) >= 2 and t not in GENERIC_TITLE_WORDS}
        topic = self._topics[record.doc_id]
        return bool(topic) and not any(t in asked for t in topic)

    def resolve(self, cited: Citation):
        key = (cited.doc, cited.article)
        if key not in self._resolved:
            self._resolved[key] = resolve_citation(self.kb, cited)
        return self._resolved[key]

    def key_clause(self, chunk: StoredChunk, weights: dict[str, float]) -> str:
        found = clauses(chunk.text) or [chunk.text]
        found = [c for c in found if len(c) >= MIN_QUOTE_CHARS] or found  # not a bare 项 heading like （三）应急救援队伍
        best = max(found, key=lambda c: coverage(c, weights))
        present = [t for t in weights if t in best]
        return shorten(best, focus=max(present, key=lambda t: weights[t]) if present else "")

    def _score(self, chunk: StoredChunk, weights: dict[str, float]) -> float:
        """Half how much of the item the whole provision covers, half how much its best clause does
        (a long article touches many words; the one that fits says the item in one clause)."""
        whole = coverage(f"{chunk.metadata.get('heading_path', '')} {chunk.text}", weights)
        best = max((coverage(c, weights) for c in clauses(chunk.text)), default=0.0)
        return 0.5 * whole + 0.5 * best

    # --- articles -------------------------------------------------------------------------------
    def articles_for(self, text: str, curated: list[Citation] | None = None, context: str = "") -> list[Provision]:
        """The one or two articles an item rests on (plus the region's own article where one fits), best first."""
        weights = self.weights(text, context)
        asked = normalise_for_index(f"{text} {context}")
        query = f"{text} {self.region_name}".strip()
        enforcing = bool(_ENFORCEMENT.search(asked))  # only then may a penalty provision be what an item rests on
        scored: dict[str, tuple[float, StoredChunk]] = {}
        for rank, (chunk, _) in enumerate(self.retriever.search(query)):
            if chunk.metadata.get("unit") == "article" and not self._framing(chunk) \
                    and (enforcing or provision_kind(chunk) != PENALTY):
                score = self._score(chunk, weights) + RANK_BONUS / (rank + 1)
                scored[chunk.id] = (score * (OFF_TOPIC if self._off_topic(chunk, asked) else 1.0), chunk)
        for cited in curated or []:
            hit = self.resolve(cited)
            if hit is None:
                continue
            for chunk in hit.chunks:
                score = self._score(chunk, weights) + CURATED_BONUS
                if score > scored.get(chunk.id, (0.0, chunk))[0]:
                    scored[chunk.id] = (score, chunk)
        ranked = [(s, c) for s, c in sorted(scored.values(), key=lambda x: -x[0]) if self.verified(c)]
        if not ranked:
            return []
        best_score, best = ranked[0]
        chosen = [best]
        for score, chunk in ranked[1:]:
            if score >= SECOND_SHARE * best_score and chunk.metadata.get("doc_id") != best.metadata.get("doc_id") \
                    and self._region_of(chunk) == NATIONAL:
                chosen.append(chunk)
                break
        if self.local_regions and self._region_of(best) == NATIONAL:
            # the region's own article, judged by fit alone (the pack curates national articles only)
            fit = max(self._score(c, weights) for _, c in ranked[:3])
            local = next((c for _, c in ranked if self._region_of(c) in self.local_regions), None)
            if local is not None and self._score(local, weights) >= LOCAL_SHARE * fit:
                chosen.insert(0, local)
        return [Provision(c, self.key_clause(c, weights)) for c in self._distinct_articles(chosen)]

    def _distinct_articles(self, chunks: list[StoredChunk]) -> list[StoredChunk]:
        seen, kept = set(), []
        for chunk in chunks:
            key = (chunk.metadata.get("doc_id"), chunk.metadata.get("article"))
            if key not in seen:
                seen.add(key)
                kept.append(chunk)
        return kept

    def _region_of(self, chunk: StoredChunk) -> str:
        record = self.records.get(chunk.metadata.get("doc_id", ""))
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
        """The local plan passage an item is modelled on, when one fits well enough."""
        weights = self.weights(text)
        best: tuple[float, StoredChunk, str] | None = None
        for ref in refs or []:
            chunk = self.locate(ref)
            if chunk is None or not self.verified(chunk):
                continue
            score = max(coverage(ref.quote, weights), self._score(chunk, weights) * 0.5)
            if score >= CURATED_PLAN_MIN and (best is None or score + CURATED_BONUS > best[0]):
                best = (score + CURATED_BONUS, chunk, shorten(ref.quote))
        for chunk, _ in self.plan_retriever.search(text):
            clause = max(clauses(chunk.text) or [chunk.text], key=lambda c: coverage(c, weights))
            score = coverage(clause, weights)
            if score >= PLAN_MIN and self.verified(chunk) and (best is None or score > best[0]):
                best = (score, chunk, shorten(clause))
        return Provision(best[1], best[2]) if best else None
