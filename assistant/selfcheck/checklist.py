"""Self-check: the legal obligations that apply to an enterprise, as a checklist with quoted articles,
answered 是/否/不确定 into a gap report.

    pack = pack_of(kb)
    profile = read_profile(pack, "一般工贸（机械制造）", 101, special_equipment=["叉车"], description="…")
    checklist = build_checklist(kb, pack, profile)
    report = checklist.gap_report(load_answers(Path("answers.yaml"), checklist))

The register (knowledge/obligations/*.yaml) decides what applies; the index supplies the article texts,
so every quoted text is the text of the article in force. Nothing here is written per industry.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import stat
import weakref
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from assistant.citations import citation, resolve_citation
from assistant.pack import Citation, KnowledgePack, Obligation, Profile, Remediation
from assistant.selfcheck.profile import ProfileError, read_profile
from ingest.cleaning import to_simplified
from ingest.encoding import decode_bytes
from ingest.errors import IngestError, OverLimit, os_reason
from ingest.knowledge_base import KnowledgeBase
from ingest.loaders.limits import LoadLimits, check_zip
from ingest.numerals import count
from ingest.settings import Settings

__all__ = [
    "AnswerError",
    "AnswerLimits",
    "Checklist",
    "ChecklistItem",
    "MergedDuty",
    "SameDuty",
    "GapItem",
    "GapReport",
    "ProfileError",
    "QuotedArticle",
    "build_checklist",
    "load_answers",
    "parse_answers",
    "read_profile",
]

Answer = Literal["是", "否", "不确定"]
ANSWERS: tuple[str, ...] = ("是", "否", "不确定")
_ANSWER_ALIASES = {
    "是": "是",
    "y": "是",
    "yes": "是",
    "true": "是",
    "√": "是",
    "已落实": "是",
    "有": "是",
    "否": "否",
    "n": "否",
    "no": "否",
    "false": "否",
    "×": "否",
    "未落实": "否",
    "没有": "否",
    "不确定": "不确定",
    "?": "不确定",
    "？": "不确定",
    "待核实": "不确定",
    "不清楚": "不确定",
}


class AnswerError(ValueError):
    """An answers file cannot be read; the message (Chinese) names the file, the line and the value."""


class _UnknownItem(AnswerError):
    """An item id the checklist does not have (where it stands, the id as written)."""

    def __init__(self, message: str, where: str, item_id: str):
        super().__init__(message)
        self.where, self.item_id = where, item_id


def _default(name: str):
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class AnswerLimits:
    """How much an answers file may hold (Settings.answers_*): a tiny hostile file (a YAML alias bomb, a zip
    bomb as .xlsx, one enormous CSV cell) is refused with a reason instead of exhausting memory."""

    max_kb: float = _default("answers_max_kb")
    max_unpacked_mb: float = _default("answers_max_unpacked_mb")
    max_rows: int = _default("answers_max_rows")
    max_field_chars: int = _default("answers_max_field_chars")

    @classmethod
    def from_settings(cls, settings: Settings) -> AnswerLimits:
        return cls(
            settings.answers_max_kb,
            settings.answers_max_unpacked_mb,
            settings.answers_max_rows,
            settings.answers_max_field_chars,
        )


def _shown(value, limit: int = 40) -> str:
    """A value quoted back in a message, cut short, control characters shown as �."""
    text = "".join(c if c.isprintable() else "�" for c in str(value)[: limit + 1])
    full = len(str(value))
    return text if full <= limit else f"{text[:limit]}…（共 {full:,} 字）"


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader without anchors and aliases (&a / *a / <<): an answers file never needs them, and a few
    hundred bytes of nested aliases expand to billions of nodes."""

    max_nodes = 0  # set per file: nodes (keys, values, lists) composed at most; 0 for no limit
    max_depth = 16  # nesting: an answers file has two or three levels ([[[[… made the scanner quadratic)
    _nodes = 0
    _depth = 0

    def __init__(self, stream) -> None:
        super().__init__(stream)
        # a key written more than once in a mapping -> (line, value) of each time: YAML keeps only the last, and
        # an item answered 是 then 否 must be told, not decided silently by the order of the lines
        self.repeated: dict[str, list[tuple[int, object]]] = {}

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        uses: dict[str, list[tuple[int, object]]] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                uses.setdefault(str(self.construct_object(key_node)), []).append(
                    (key_node.start_mark.line + 1, self.construct_object(value_node, deep=True))
                )
        self.repeated.update({key: given for key, given in uses.items() if len(given) > 1})
        return mapping

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise AnswerError(
                    f"第 {self.peek_event().start_mark.line + 1} 行：嵌套层数过多，不像是自查回答文件；"
                    f"请写成“条目编号: 是”每行一条"
                )
            return self._compose_counted(parent, index)
        finally:
            self._depth -= 1

    def _compose_counted(self, parent, index):
        self._nodes += 1
        if self.max_nodes and self._nodes > self.max_nodes:
            raise AnswerError(
                f"第 {self.peek_event().start_mark.line + 1} 行：条目过多，不像是自查回答文件；"
                f"请只填写清单中的条目（“条目编号: 是”每行一条）"
            )
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise AnswerError(
                f"第 {mark.line + 1} 行：回答文件中不能使用 YAML 别名（*{_shown(self.peek_event().anchor, 20)}）；"
                f"请直接写“条目编号: 是”每行一条"
            )
        return super().compose_node(parent, index)


# Numbers and dates are read as written: an item id or an answer is text (1.10 stays 1.10, 010 stays 010,
# 2021-02-30 stays 2021-02-30), a number of thousands of digits is no error (Python refuses to convert one of over
# 4,300), and a timestamp that is no date (2021-13-01 25:61:61) no crash in PyYAML's timestamp constructor.
# Booleans (yes/no/true/false) keep their meaning as 是/否 and null an empty answer.
def _as_written(loader: _NoAliasLoader, node: yaml.Node) -> str:
    return str(node.value)


for _tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"):
    _NoAliasLoader.add_constructor(_tag, _as_written)


class QuotedArticle(BaseModel):
    """A cited article and, when the index holds it, its text in the version in force."""

    cited: str  # 《安全生产法》第二十四条 (the register's short form)
    doc: str
    article: str
    title: str = ""  # the indexed document's full title
    doc_id: str = ""  # the indexed document, e.g. 安全生产法(2021-06-10)
    citation: str = ""  # 《中华人民共和国安全生产法》第二十四条（第二章 …）
    text: str = ""  # the article text from the index; empty when the index does not hold it
    found: bool = False
    in_force: bool = True  # False when the index holds only a repealed or superseded text of it


class MergedDuty(BaseModel):
    """An obligation that states the same duty as the item it is merged into (a local or sector regulation
    restating it, or a second wording of the same article), kept with its own wording and basis."""

    id: str
    title: str
    basis: list[str]  # its citations, e.g. 《北京市安全生产条例》第三十八条


class ChecklistItem(BaseModel):
    id: str
    theme: str
    title: str  # the duty, one sentence
    basis: list[QuotedArticle]  # every source of the duty, merged ones included
    question: str
    evidence: list[str]
    penalty: list[QuotedArticle] = Field(default_factory=list)
    merged: list[MergedDuty] = Field(default_factory=list)  # the same duty as other obligations state it
    remedy: list[str] = Field(default_factory=list)  # what to do when it is not met (the 建议's steps)

    @property
    def citations(self) -> list[str]:
        return [q.citation or q.cited for q in self.basis]

    @property
    def ids(self) -> list[str]:
        """Its own id and the ids of the obligations merged into it (an answers file may use either)."""
        return [self.id, *(m.id for m in self.merged)]

    def also_lines(self) -> list[str]:
        """The merged duties as the user reads them: 《北京市安全生产条例》第三十八条：从事特种作业的人员……"""
        return [f"{'、'.join(m.basis)}：{m.title}" for m in self.merged]


class GapItem(BaseModel):
    id: str
    theme: str
    title: str
    answer: str  # 否 or 不确定
    status: str  # 未落实 / 待核实
    basis: list[str]
    penalty: list[str]
    penalty_text: str
    action: str


class GapReport(BaseModel):
    answered: int
    total: int
    met: int
    gaps: list[GapItem]
    unanswered: list[str]  # item ids without an answer

    @property
    def unmet(self) -> list[GapItem]:
        return [g for g in self.gaps if g.answer == "否"]

    @property
    def to_verify(self) -> list[GapItem]:
        return [g for g in self.gaps if g.answer == "不确定"]


class Checklist(BaseModel):
    profile: Profile
    items: list[ChecklistItem]
    condition_names: dict[str, str] = Field(default_factory=dict)  # condition key -> 中文名称
    remediation: Remediation | None = None  # how the gap report words its 建议 (knowledge/remediation.yaml)
    # duties whose every basis the index holds only in a repealed or superseded text: not listed as applicable
    lapsed: list[str] = Field(default_factory=list)

    def profile_rows(self) -> list[tuple[str, str]]:
        """The profile as the user reads it: (field, value) rows."""
        profile = self.profile
        flags = "、".join(self.condition_names.get(f, f) for f in sorted(profile.flags)) or "无"
        return [
            ("行业", "、".join(sorted(profile.industries)) or "未识别"),
            ("从业人员", "未填写" if profile.employees is None else f"{profile.employees} 人"),
            ("特种设备", "、".join(sorted(profile.equipment)) or "无"),
            ("地区", "、".join(sorted(profile.regions)) or "未填写（只列全国性义务）"),
            ("其他情形", flags),
            ("识别说明", "；".join(profile.notes) or "—"),
            *(
                [
                    (
                        "依据已废止",
                        f"{len(self.lapsed)} 项义务只有已废止或已被取代的依据，未列入，请按现行规定核对："
                        + "；".join(self.lapsed),
                    )
                ]
                if self.lapsed
                else []
            ),
        ]

    @property
    def themes(self) -> dict[str, list[ChecklistItem]]:
        grouped: dict[str, list[ChecklistItem]] = {}
        for item in self.items:
            grouped.setdefault(item.theme, []).append(item)
        return grouped

    def cited_pairs(self) -> set[tuple[str, str]]:
        """(short title, article) of every legal basis the checklist cites."""
        return {(q.doc, q.article) for item in self.items for q in item.basis}

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if item_id in i.ids), None)

    def answer_ids(self) -> dict[str, str]:
        """Every id an answer may carry -> the item it answers (a merged obligation's id answers its item)."""
        return {alias: item.id for item in self.items for alias in item.ids}

    def advice(self, item: ChecklistItem, answer: str) -> str:
        """The 建议 for an item answered 否 (what to do, what evidence to keep) or 不确定 (how to verify)."""
        evidence = "、".join(item.evidence)
        steps = "；".join(item.remedy) or f"补齐{evidence}"
        penalty = _cited_together(item.penalty)
        rules = self.remediation
        if rules is None:
            text = (
                f"整改：{steps}。完成后留存证据：{evidence}。"
                if answer == "否"
                else f"核实：查阅{evidence}是否齐全有效；缺少的，{steps}。"
            )
            return text
        text = (rules.unmet if answer == "否" else rules.to_verify).format(actions=steps, evidence=evidence)
        if penalty and rules.penalty_note:
            text += rules.penalty_note.format(penalty=penalty)
        return text

    def gap_report(self, answers: dict[str, str]) -> GapReport:
        """Each duty answered 否 (未落实) or 不确定 (待核实), with its penalty basis and a suggested action."""
        aliases = self.answer_ids()
        normalized: dict[str, str | None] = {}
        for key, value in answers.items():  # an item's own answer wins over one given under a merged id
            item_id = aliases.get(key, key)
            if item_id == key or not normalized.get(item_id):
                normalized[item_id] = _normalize_answer(value)
        gaps: list[GapItem] = []
        for item in self.items:
            answer = normalized.get(item.id)
            if answer not in ("否", "不确定"):
                continue
            penalty = [q.citation or q.cited for q in item.penalty]
            penalty_text = "\n".join(q.text for q in item.penalty if q.text)
            action = self.advice(item, answer)
            gaps.append(
                GapItem(
                    id=item.id,
                    theme=item.theme,
                    title=item.title,
                    answer=answer,
                    status="未落实" if answer == "否" else "待核实",
                    basis=item.citations,
                    penalty=penalty,
                    penalty_text=penalty_text,
                    action=action,
                )
            )
        ids = {i.id for i in self.items}
        answered = [k for k, v in normalized.items() if k in ids and v]
        return GapReport(
            answered=len(answered),
            total=len(self.items),
            met=sum(1 for k in answered if normalized[k] == "是"),
            gaps=gaps,
            unanswered=[i.id for i in self.items if not normalized.get(i.id)],
        )


def _cited_together(quoted: list[QuotedArticle]) -> str:
    """《安全生产法》第九十四条、第九十五条: the articles of one document named once."""
    by_doc: dict[str, list[str]] = {}
    for q in quoted:
        by_doc.setdefault(q.title or q.doc, []).append(q.article)
    return "、".join(f"《{doc}》{'、'.join(articles)}" for doc, articles in by_doc.items())


def _quote(kb: KnowledgeBase | None, cited: Citation) -> QuotedArticle:
    quoted = QuotedArticle(cited=str(cited), doc=cited.doc, article=cited.article)
    hit = resolve_citation(kb, cited) if kb is not None else None
    if hit is None:
        # the text is indexed but holds no such article in force (an amendment dropped it): no basis now, as a
        # repealed text's article is none; a text not indexed at all is to be imported
        dropped = kb is not None and bool(kb.versions_of(to_simplified(cited.doc)))
        return quoted.model_copy(update={"in_force": False}) if dropped else quoted
    return quoted.model_copy(
        update={
            "title": hit.document.title,
            "doc_id": hit.document.doc_id,
            "citation": citation(hit.chunks[0], with_part=False),
            "text": hit.text,
            "found": True,
            "in_force": hit.document.in_force,
        }
    )


# --- one duty, stated more than once ----------------------------------------------------------


@dataclass(frozen=True)
class SameDuty:
    """When two obligations that apply to one enterprise state one duty (a local regulation restating the
    national law, two wordings of one article): the checklist lists it once, with every source."""

    min_similarity: float = 0.5  # IDF-weighted cosine of the wording (duty, question, evidence) of two different bases
    min_similarity_shared_basis: float = 0.45  # the same, when the two cite a common (doc, article)


# what bounds a duty: numbers with what they count and which way (超过一百人, 不足一百人, 3日内), periods (每半年)
# and named documents (《民用爆炸物品生产许可证》); duties bounded differently are different duties
_QUANTITY = re.compile(
    r"(超过|不足|不少于|不超过|不低于|低于|高于)?(\d+|[零〇一二两三四五六七八九十百千万]+)\s*"
    r"(人|名|日|天|年|小时|个月|月|周|次|万元|元|米|%)(以上|以下|以内|内)?"
)
_PERIOD = re.compile(r"每(半年|季度|年|月|周|日|天|班)")
_NAMED = re.compile(r"《([^》]+)》")
_VECTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # pack -> obligation id -> unit wording vector
_FACTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # pack -> obligation id -> (plain duty, scope, basis)


def _plain(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


def _scope(text: str) -> frozenset[str]:
    quantities = {
        f"{before}{count(n) if count(n) is not None else n}{unit}{after}"
        for before, n, unit, after in _QUANTITY.findall(text)
    }
    return frozenset(quantities | {f"每{p}" for p in _PERIOD.findall(text)} | set(_NAMED.findall(text)))


def _wording_vectors(pack: KnowledgePack) -> dict[str, dict[str, float]]:
    """Each obligation's wording (duty, question, evidence) as character bigrams weighted by how rare they are in
    the register (安全, 生产 weigh nothing; 特种, 工伤 a lot), normalised to unit length."""
    cached = _VECTORS.get(pack)
    if cached is not None:
        return cached
    counts: dict[str, Counter] = {}
    for ob in pack.obligations:
        counts[ob.id] = Counter(
            g
            for text in (ob.duty, ob.check, *ob.evidence)
            for plain in [_plain(text)]
            for g in (plain[i : i + 2] for i in range(len(plain) - 1))
        )
    frequency = Counter(g for grams in counts.values() for g in grams)
    total = len(counts)
    vectors: dict[str, dict[str, float]] = {}
    for key, grams in counts.items():
        weights = {g: n * math.log(total / frequency[g]) for g, n in grams.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        vectors[key] = {g: w / norm for g, w in weights.items() if w} if norm else {}
    _VECTORS[pack] = vectors
    return vectors


def wording_similarity(pack: KnowledgePack, first: Obligation, second: Obligation) -> float:
    vectors = _wording_vectors(pack)
    a, b = vectors.get(first.id, {}), vectors.get(second.id, {})
    if len(b) < len(a):
        a, b = b, a
    return sum(w * b.get(g, 0.0) for g, w in a.items())


def _facts(pack: KnowledgePack, ob: Obligation) -> tuple[str, frozenset[str], frozenset[tuple[str, str]]]:
    cached = _FACTS.setdefault(pack, {})
    if ob.id not in cached:
        cached[ob.id] = (_plain(ob.duty), _scope(ob.duty), frozenset((c.doc, c.article) for c in ob.basis))
    return cached[ob.id]


def same_duty(pack: KnowledgePack, first: Obligation, second: Obligation, rule: SameDuty = SameDuty()) -> bool:
    """The same duty: the same words, or wording alike enough for the bases they rest on (the same article
    needs less); never when the two name different thresholds or periods (一百人 and 三百人)."""
    (text_a, scope_a, basis_a), (text_b, scope_b, basis_b) = _facts(pack, first), _facts(pack, second)
    if text_a == text_b:
        return True
    similarity = wording_similarity(pack, first, second)
    if similarity < min(rule.min_similarity, rule.min_similarity_shared_basis):
        return False
    if scope_a and scope_b and scope_a != scope_b:
        return False
    needed = rule.min_similarity_shared_basis if basis_a & basis_b else rule.min_similarity
    return similarity >= needed


def _one_per_duty(pack: KnowledgePack, obligations: list[Obligation], rule: SameDuty | None) -> list[list[Obligation]]:
    """Groups of obligations stating one duty, in order. Each obligation joins the group whose first obligation
    (the item's own duty) states its duty most alike; compared with that one only, so a chain of near-matches
    (风险分级管控 ~ 双重预防 ~ 隐患排查) never folds two duties into one."""
    groups: list[list[Obligation]] = []
    for ob in obligations:
        matches = [g for g in groups if rule is not None and same_duty(pack, g[0], ob, rule)]
        if matches:
            max(matches, key=lambda g: wording_similarity(pack, g[0], ob)).append(ob)
        else:
            groups.append([ob])
    return groups


def duplicate_pairs(pack: KnowledgePack, checklist: Checklist, rule: SameDuty = SameDuty()) -> list[tuple[str, str]]:
    """Pairs of checklist items whose own duties (their first obligations) are one duty: none once merged.
    How the evaluation counts duplicated duties (`python -m evals.selfcheck --no-merge` shows them)."""
    by_id = {ob.id: ob for ob in pack.obligations}
    return [
        (first.id, second.id)
        for first, second in itertools.combinations(checklist.items, 2)
        if first.id in by_id and second.id in by_id and same_duty(pack, by_id[first.id], by_id[second.id], rule)
    ]


# --- building the checklist ----------------------------------------------------------------------


def remedies(evidence: list[str], rules: Remediation) -> list[str]:
    """What to do to produce each evidence (knowledge/remediation.yaml): the longest matching ending decides."""
    endings = sorted(
        ((ending, action.does) for action in rules.actions for ending in action.endings),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    steps: list[str] = []
    for text in evidence:
        core = re.sub(r"（[^）]*）$", "", text).strip()
        does = next(((ending, d) for ending, d in endings if core.endswith(ending)), None)
        if does is None:
            step = rules.fallback.format(evidence=text)
        else:
            stem = core[: len(core) - len(does[0])].rstrip("和及与或、的") or core
            step = does[1].format(evidence=text, stem=stem)
        if step not in steps:
            steps.append(step)
    return steps


def _distinct(texts: list[str]) -> list[str]:
    """The texts without repeats: one equal to, or contained in, a text already kept is dropped."""
    kept: list[str] = []
    for text in texts:
        plain = _plain(text)
        if any(plain in _plain(k) for k in kept):
            continue
        kept = [k for k in kept if _plain(k) not in plain] + [text]
    return kept


def _item(
    kb: KnowledgeBase | None, group: list[Obligation], cache: dict[str, QuotedArticle], rules: Remediation | None
) -> ChecklistItem:
    def quote(cited: Citation) -> QuotedArticle:
        key = str(cited)
        if key not in cache:
            cache[key] = _quote(kb, cited)
        return cache[key]

    def unique(citations: list[Citation]) -> list[Citation]:
        return list(dict.fromkeys(citations))

    first = group[0]
    evidence = _distinct([e for ob in group for e in ob.evidence])
    actions = [ob.action for ob in group if ob.action]
    remedy = actions[:1] + (remedies(evidence, rules) if rules is not None else [])
    return ChecklistItem(
        id=first.id,
        theme=first.theme,
        title=first.duty,
        basis=[quote(c) for c in unique([c for ob in group for c in ob.basis])],
        question=first.check,
        evidence=evidence,
        penalty=[quote(c) for c in unique([c for ob in group for c in ob.penalty])],
        merged=[MergedDuty(id=ob.id, title=ob.duty, basis=[str(c) for c in ob.basis]) for ob in group[1:]],
        remedy=remedy,
    )


def applicable(pack: KnowledgePack, profile: Profile) -> list[Obligation]:
    return [o for o in pack.obligations if o.applies_to(profile)]


def build_checklist(
    kb: KnowledgeBase | None, pack: KnowledgePack, profile: Profile, merge: SameDuty | None = SameDuty()
) -> Checklist:
    """The applicable obligations, grouped by theme (in the register's order), each with quoted articles;
    obligations that state one duty are one item listing every source (merge=None keeps them apart).

    kb may be None (no index): items then carry the citations without article texts."""
    cache: dict[str, QuotedArticle] = {}
    obligations = applicable(pack, profile)
    order: dict[str, int] = {}
    for ob in obligations:
        order.setdefault(ob.theme, len(order))
    obligations.sort(key=lambda o: order[o.theme])
    rules = pack.remediation
    items = [_item(kb, g, cache, rules) for g in _one_per_duty(pack, obligations, merge)]
    # a duty of a repealed text (国务院关于预防煤矿生产安全事故的特别规定) is no duty now, and its fines no penalty: an
    # item resting on such texts alone is left out and named, and a repealed text's article is dropped where another
    # basis stands
    lapsed = [i for i in items if i.basis and not any(q.in_force for q in i.basis)]
    gone = {i.id for i in lapsed}
    kept = [
        i.model_copy(
            update={"basis": [q for q in i.basis if q.in_force], "penalty": [q for q in i.penalty if q.in_force]}
        )
        for i in items
        if i.id not in gone
    ]
    return Checklist(
        profile=profile,
        items=kept,
        condition_names={c.key: c.name for c in pack.taxonomy.conditions},
        remediation=rules,
        lapsed=[f"{i.title}（{_cited_together(i.basis)}）" for i in lapsed],
    )


# --- answers ------------------------------------------------------------------------------------


def _normalize_answer(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value).strip()
    if not text:
        return None
    return _ANSWER_ALIASES.get(text.lower(), _ANSWER_ALIASES.get(text))


def _check_answer(
    path: Path, where: str, item_id: str, value, known: set[str] | None, limits: AnswerLimits | None = None
) -> tuple[str, str] | None:
    limits = limits or AnswerLimits()
    for label, field_value in (("条目编号", item_id), ("回答", value)):
        if field_value is not None and len(str(field_value)) > limits.max_field_chars:
            raise AnswerError(
                f"{path} {where}：{label}过长（{len(str(field_value)):,} 字，上限 {limits.max_field_chars} 字）；"
                f"编号照抄清单，回答只填 是、否 或 不确定"
            )
    item_id = str(item_id).strip()
    if not item_id:
        raise AnswerError(f"{path} {where}：缺少条目编号（id）")
    if known is not None and item_id not in known:
        raise _UnknownItem(
            f"{path} {where}：条目编号“{_shown(item_id)}”不在本次自查清单中；请使用清单中的编号", where, item_id
        )
    if value is None or str(value).strip() == "":
        return None
    answer = _normalize_answer(value)
    if answer is None:
        raise AnswerError(
            f"{path} {where}：条目“{_shown(item_id)}”的回答“{_shown(value)}”无法识别；只能填 是、否 或 不确定"
        )
    return item_id, answer


_HEADER_SEARCH_ROWS = 10  # rows searched for the table header (the exported workbook's is row 3)
_ID_HEADERS = ("编号", "id", "条目编号")
_ANSWER_HEADERS = ("回答", "answer", "是否落实", "自查结果")


class _Answers:
    """The answers read from a file and where each was given. An item answered twice with different values (是
    on one line, 否 on another) is a contradiction: the file is refused naming the items, as a safety manager
    must decide which holds; the same answer given twice is no contradiction."""

    _SHOWN = 5  # contradictions listed in the message

    def __init__(self, path: Path, made_for: Callable[[], str] | None = None):
        self.path = path
        self.answers: dict[str, str] = {}
        self.where: dict[str, str] = {}
        self.contradictions: dict[str, str] = {}  # item id -> where and what it was answered
        self.unknown: list[_UnknownItem] = []  # items the checklist does not have
        self.made_for = made_for  # the enterprise profile the file says it was made for ("" when it says none)

    def check(self, where: str, item_id, value, known: set[str] | None, limits: AnswerLimits) -> None:
        """Check one answer (_check_answer) and add it; an item the checklist lacks is counted, and told at the end
        with the others (a file filled in for another checklist holds dozens)."""
        try:
            self.add(_check_answer(self.path, where, item_id, value, known, limits), where)
        except _UnknownItem as unknown:
            self.unknown.append(unknown)

    def add(self, pair: tuple[str, str] | None, where: str) -> None:
        if pair is None:
            return
        item_id, answer = pair
        before = self.answers.get(item_id)
        if before is None:
            self.answers[item_id], self.where[item_id] = answer, where
        elif before != answer and item_id not in self.contradictions:
            self.contradictions[item_id] = f"“{_shown(item_id)}”（{self.where[item_id]}“{before}”，{where}“{answer}”）"

    def result(self) -> dict[str, str]:
        if len(self.unknown) == 1:
            raise self.unknown[0]
        if self.unknown:
            examples = "、".join(f"{u.where}“{_shown(u.item_id)}”" for u in self.unknown[:3])
            profile = self.made_for() if self.made_for is not None else ""
            raise AnswerError(
                f"{self.path}：有 {len(self.unknown)} 个条目不在本次自查清单中（如{examples}），"
                "这份表应是按另一种企业情况（行业、人数、地区、重大危险源等）生成的"
                + (f"（表中“企业情况”一页写的是：{profile}）" if profile else "")
                + "。请按填表时的企业情况重新生成自查清单后再上传；或下载本次清单的空白自查表重新填写"
            )
        if self.contradictions:
            listed = list(self.contradictions.values())
            more = f"等 {len(listed)} 个条目" if len(listed) > self._SHOWN else ""
            raise AnswerError(
                f"{self.path}：同一条目填了两个不同的回答，无法判断以哪个为准："
                f"{'；'.join(listed[: self._SHOWN])}{more}；请每个条目只保留一个回答（是、否 或 不确定）后重新提交"
            )
        return self.answers


def _answers_from_rows(
    path: Path,
    rows: Sequence[Sequence[object]],
    known: set[str] | None,
    limits: AnswerLimits | None = None,
    made_for: Callable[[], str] | None = None,
) -> dict[str, str]:
    """A table whose header names an id column (编号) and an answer column (回答): CSV or a workbook sheet."""
    limits = limits or AnswerLimits()
    if len(rows) > limits.max_rows + 1:
        raise AnswerError(f"{path}：超过 {limits.max_rows:,} 行，不像是自查回答表；请只保留“编号、回答”两列的清单条目")
    if not rows:
        raise AnswerError(f"{path}：文件是空的；请按“编号,回答”两列填写")
    # the header is the first row naming both columns: row 1 of a CSV, row 3 of the exported workbook (below
    # its title and the 单位名称 / 填表人 / 日期 fields)
    headers = [[str(h or "").strip().lower() for h in row] for row in rows[:_HEADER_SEARCH_ROWS]]
    start = next(
        (
            n
            for n, header in enumerate(headers)
            if any(h in _ID_HEADERS for h in header) and any(h in _ANSWER_HEADERS for h in header)
        ),
        0,
    )
    header = headers[start]
    id_col = next((n for n, h in enumerate(header) if h in _ID_HEADERS), None)
    answer_col = next((n for n, h in enumerate(header) if h in _ANSWER_HEADERS), None)
    if id_col is None or answer_col is None:
        raise AnswerError(
            f"{path} 第 1 行：表头须包含“编号”和“回答”两列，"
            f"这里是：{_shown('、'.join(str(h or '') for h in rows[0]).rstrip('、'), 80)}"
        )
    _refuse_uncomputed(path, rows[start + 1 :], start + 2, (id_col, answer_col))
    answers = _Answers(path, made_for)
    for line, row in enumerate(rows[start + 1 :], start=start + 2):
        cells = ["" if c is None else str(c) for c in row]
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) <= id_col or not cells[id_col].strip():
            raise AnswerError(f"{path} 第 {line} 行：缺少条目编号（“编号”一列）")
        if cells[id_col].strip().lower() in _ID_HEADERS:
            continue  # the header again: repeated on each printed page, or the lower row of a two-row header
        value = cells[answer_col] if len(cells) > answer_col else ""
        answers.check(f"第 {line} 行", cells[id_col], value, known, limits)
    return answers.result()


class Uncomputed(str):
    """A workbook cell holding a formula whose result the file does not carry (a sheet written by a program and
    never opened and saved in Excel or WPS): its formula, as text."""


def _refuse_uncomputed(path: Path, rows: Sequence[Sequence[object]], first_line: int, columns: tuple[int, ...]) -> None:
    """AnswerError naming the rows whose 编号 or 回答 is a formula without a result: such a cell reads as empty, and
    the items it answers were silently counted as unanswered."""
    lines = [
        (line, cell)
        for line, row in enumerate(rows, start=first_line)
        for cell in [next((row[c] for c in columns if c < len(row) and isinstance(row[c], Uncomputed)), None)]
        if cell is not None
    ]
    if not lines:
        return
    shown = "、".join(str(line) for line, _ in lines[:10]) + (f" 等 {len(lines)} 行" if len(lines) > 10 else " 行")
    raise AnswerError(
        f"{path} 第 {shown}：“编号”或“回答”是公式（如 ={_shown(lines[0][1], 60)}），文件里没有公式的计算结果"
        "（由程序生成、没有在 Excel 或 WPS 中打开保存过的表格就是这样），无法知道回答是什么；"
        "请在 Excel 或 WPS 中打开这个文件并保存后重新上传，或把这些格直接填写为 是、否 或 不确定"
    )


def _csv_rows(path: Path, text: str, limits: AnswerLimits) -> list[list[str]]:
    rows: list[list[str]] = []
    text = text.lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    # Excel's “Unicode text” (UTF-16) separates the columns with tabs
    reader = csv.reader(io.StringIO(text), delimiter="\t" if "\t" in first and "," not in first else ",")
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > limits.max_rows + 1:
                break
    except csv.Error:  # a cell over csv's field limit (128 KB), a NUL byte, an unterminated quote
        raise AnswerError(
            f"{path} 第 {reader.line_num} 行：无法读取（某一格内容过长，或含有不可见的控制字符）；"
            f"请按“编号,回答”两列填写，回答只填 是、否 或 不确定"
        ) from None
    return rows


_FULL_WIDTH_COLON = re.compile(r"^([ \t]*-?[ \t]*[\w\-]+)[ \t]*：[ \t]*", re.M)


def parse_answers(
    path: Path, text: str, known: set[str] | None = None, limits: AnswerLimits | None = None
) -> dict[str, str]:
    """Answers from YAML (id: 是 / a list of {id, answer}) or CSV (columns 编号/id and 回答/answer), within limits."""
    limits = limits or AnswerLimits()
    answers: dict[str, str] = {}
    if len(text) > limits.max_kb * 1024:
        raise AnswerError(
            f"{path}：回答文件过大（{len(text) / 1024:,.0f} KB，上限 {limits.max_kb:g} KB）；请只填写“编号、回答”两列"
        )
    if path.suffix.lower() == ".csv":
        return _answers_from_rows(path, _csv_rows(path, text, limits), known, limits)
    # a full-width colon typed with a Chinese input method: 编号：是 (within its line: a pattern whose spaces may be
    # line breaks backtracks over every blank line before a word, cubic in their number)
    text = _FULL_WIDTH_COLON.sub(r"\1: ", text)
    loader = _NoAliasLoader(text)
    loader.max_nodes = 4 * limits.max_rows + 16  # an entry is a key and a value (a {id, answer} item: five)
    try:
        data = loader.get_single_data()
    except AnswerError as exc:
        raise AnswerError(f"{path} {exc}") from None
    except RecursionError:
        raise AnswerError(f"{path}：YAML 嵌套层数过多，不像是自查回答文件；请写成“条目编号: 是”每行一条") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" 第 {mark.line + 1} 行" if mark is not None else ""
        raise AnswerError(f"{path}{where}：YAML 格式错误，请写成“条目编号: 是”每行一条") from None
    except (ValueError, TypeError, OverflowError):  # a constructor refusing a value (none is left that should)
        raise AnswerError(f"{path}：YAML 中有无法识别的值，请写成“条目编号: 是”每行一条") from None
    if data is None:
        return answers
    if isinstance(data, dict) and isinstance(data.get("answers"), (dict, list)):
        data = data["answers"]
    if isinstance(data, (dict, list)) and len(data) > limits.max_rows:
        raise AnswerError(f"{path}：超过 {limits.max_rows:,} 项，不像是自查回答文件；请只填写清单中的条目")
    lines = {
        str(key): n
        for n, line in enumerate(text.splitlines(), start=1)
        for key in [line.split(":", 1)[0].strip().lstrip("- ").strip("'\"")]
        if key
    }
    collected = _Answers(path)
    if isinstance(data, dict):
        for key, value in data.items():
            # a key written twice: each time it was written, not only the last that YAML kept
            written: list[tuple[int | str, object]] = [*loader.repeated.get(str(key), [])]
            for line, given in written or [(lines.get(str(key), 0), value)]:
                # a key YAML read as another type (a date, a number) is not found as written: no line is named
                where = f"第 {line} 行" if line else "其中一项"
                collected.check(where, key, given, known, limits)
    elif isinstance(data, list):
        for n, entry in enumerate(data, start=1):
            if not isinstance(entry, dict) or "id" not in entry:
                raise AnswerError(f"{path} 第 {n} 项：每项须写成 {{id: 条目编号, answer: 是}}")
            collected.check(f"第 {n} 项", entry["id"], entry.get("answer", entry.get("回答")), known, limits)
    else:
        raise AnswerError(f"{path}：回答文件应是“条目编号: 是/否/不确定”的映射")
    return collected.result()


_XML_HEAD = 65536  # bytes of each part read for a DOCTYPE before its first element


def _declares_entities(path: Path) -> bool:
    """Whether an XML part of the workbook declares a DOCTYPE or entities (a billion-laughs bomb: a few KB
    whose entities expand to gigabytes), or has no element within its first _XML_HEAD bytes."""
    try:
        with zipfile.ZipFile(path) as package:
            for part in package.infolist():
                if not part.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with package.open(part) as handle:
                    head = handle.read(_XML_HEAD)
                if (
                    b"<!DOCTYPE" in head
                    or b"<!ENTITY" in head
                    or (len(head) == _XML_HEAD and not re.search(rb"<[A-Za-z]", head))
                ):
                    return True
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError):
        return False  # not a zip: openpyxl says it cannot open it
    return False


_XLSX_MAX_COLUMNS = 64  # the exported sheet has 11; a forged dimension (XFD1048576) must not pad every row


def _workbook_rows(path: Path, limits: AnswerLimits | None = None) -> Sequence[Sequence[object]]:
    """The 自查清单 sheet of an exported workbook (or its first sheet), as rows of cell values. The package is
    checked first (parts, unpacked size, compression ratio), and at most limits.max_rows rows are read."""
    from openpyxl import load_workbook

    limits = limits or AnswerLimits()
    try:
        check_zip(
            path, LoadLimits(zip_max_unpacked_mb=limits.max_unpacked_mb), kind="Excel 自查表（.xlsx）", workbook=True
        )
    except OverLimit as exc:
        raise AnswerError(
            f"{path}：{exc.reason.split('；')[0]}；请用 anquan check --out 导出的 .xlsx 重新填写"
        ) from None
    except IngestError as exc:  # a damaged package (a part whose checksum fails): told as an unexpected error before
        raise AnswerError(
            f"{path}：{exc.reason.split('；')[0]}；请在 Excel 或 WPS 中打开，如能打开请另存为 .xlsx 后重新提交，"
            "或用 anquan check --out 导出的 .xlsx 重新填写"
        ) from None
    if _declares_entities(path):
        raise AnswerError(
            f"{path}：工作簿中含有 XML 实体声明（正常的 Excel 文件没有，可能是“实体炸弹”），已拒绝；"
            f"请用 anquan check --out 导出的 .xlsx 重新填写"
        )
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = _answers_sheet(book)
        # the rows there are, not the size the sheet declares: a writer that declares A1 (or a stale size) had every
        # row after it dropped without a word
        sheet.reset_dimensions()
        rows = [
            list(row)
            for row in itertools.islice(
                sheet.iter_rows(values_only=True, max_col=_XLSX_MAX_COLUMNS), limits.max_rows + 2
            )
        ]
        part = getattr(sheet, "_worksheet_path", None)  # the sheet's XML in the package (openpyxl's reader)
        book.close()
        if isinstance(part, str):
            _as_shown(path, part.lstrip("/"), rows)
    except AnswerError:
        raise
    except Exception:  # openpyxl raises several types for a file that is not a workbook
        raise AnswerError(f"{path}：无法作为 Excel 工作簿打开；请用 anquan check --out 导出的 .xlsx 填写") from None
    return rows


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _as_shown(path: Path, part: str, rows: list[list[object]]) -> None:
    """The rows read by openpyxl (values only) made what the sheet shows, in place:
    - every cell of a merged range holds the range's value (openpyxl gives it to the first cell only: a 是 merged
      over three rows answered one item, and the other two were counted as unanswered);
    - a formula without a stored result (openpyxl reads it as empty) becomes Uncomputed(its formula), told by row
      (_refuse_uncomputed). A formula whose result is an empty text (t="str", empty <v>) is an empty cell.
    Read from the sheet's XML in one streaming pass (the package passed check_zip and _declares_entities first);
    merged ranges are cut to the rows and columns read, and ranges that overlap (Excel never writes them) refused."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries

    height, width = len(rows), _XLSX_MAX_COLUMNS
    merged: list[tuple[int, int, int, int]] = []
    with zipfile.ZipFile(path) as package, package.open(part) as source:
        for _, element in iterparse(source, events=("end",)):
            tag = element.tag
            if tag == f"{_SHEET_NS}c":
                formula = element.find(f"{_SHEET_NS}f")
                stored = element.find(f"{_SHEET_NS}v")
                if formula is not None and not (stored is not None and (stored.text or element.get("t") == "str")):
                    try:
                        letters, number = coordinate_from_string(element.get("r") or "")
                        column = column_index_from_string(letters)
                    except ValueError:
                        column = number = 0
                    if 1 <= number <= height and 1 <= column <= width:
                        row = rows[number - 1]
                        row.extend([None] * (column - len(row)))
                        row[column - 1] = Uncomputed(formula.text or "（共享公式）")
                element.clear()
            elif tag == f"{_SHEET_NS}row":
                element.clear()
            elif tag == f"{_SHEET_NS}mergeCell":
                try:
                    left, top, right, bottom = range_boundaries(element.get("ref") or "")
                except (ValueError, TypeError):
                    continue  # a range that names no cells merges none
                if left is not None and top is not None and top <= height and left <= width:
                    merged.append((left, top, min(right or left, width), min(bottom or top, height)))
    filled = 0
    for left, top, right, bottom in merged:
        value = rows[top - 1][left - 1] if left <= len(rows[top - 1]) else None
        for number in range(top, bottom + 1):
            row = rows[number - 1]
            row.extend([None] * (right - len(row)))
            for column in range(left, right + 1):
                if (number, column) != (top, left):
                    row[column - 1] = value
            filled += right - left + 1
        if filled > height * width:
            raise AnswerError(
                f"{path}：合并单元格互相重叠（Excel 和 WPS 保存的文件不会这样），无法判断每一格的内容；"
                "请用 anquan check --out 导出的 .xlsx 重新填写"
            )


def _names_answer_columns(header: Sequence[object]) -> bool:
    cells = [str(h or "").strip().lower() for h in header]
    return any(h in _ID_HEADERS for h in cells) and any(h in _ANSWER_HEADERS for h in cells)


def _answers_sheet(book):
    """The sheet holding the answers: 自查清单, else the first whose top rows name the 编号 and 回答 columns (a user
    renamed the sheet and moved 企业情况 before it: the answers were looked for in 企业情况, and the file refused),
    else the first sheet (its refusal names what its header holds)."""
    named = [book["自查清单"]] if "自查清单" in book.sheetnames else []
    for sheet in [*named, *(s for s in book.worksheets if s.title != "自查清单")]:
        top = sheet.iter_rows(values_only=True, max_col=_XLSX_MAX_COLUMNS, max_row=_HEADER_SEARCH_ROWS)
        if any(_names_answer_columns(row) for row in top):
            return sheet
    return book.worksheets[0]


_PROFILE_SHOWN = ("行业", "从业人员", "特种设备", "地区", "其他情形")


def _workbook_profile(path: Path) -> str:
    """What the 企业情况 sheet of an exported workbook says it was made for (行业 …；从业人员 … 人；…), "" when it has
    no such sheet. Read only after the workbook passed _workbook_rows' checks, and only its first rows."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            if "企业情况" not in book.sheetnames:
                return ""
            rows = book["企业情况"].iter_rows(values_only=True, max_col=2, max_row=20)
            found = {str(row[0]).strip(): str(row[1]).strip() for row in rows if len(row) == 2 and row[0] and row[1]}
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - only a hint in a message: a sheet that cannot be read gives none
        return ""
    return "；".join(f"{name} {_shown(found[name], 60)}" for name in _PROFILE_SHOWN if name in found)


def load_answers(path: Path, checklist: Checklist | None = None, limits: AnswerLimits | None = None) -> dict[str, str]:
    """Read an answers file (.yaml/.yml/.csv, or the exported .xlsx filled in); ids are checked against the
    checklist when given. The file is refused (AnswerError) beyond the limits, before it is parsed."""
    limits = limits or AnswerLimits()
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv", ".xlsx"):
        raise AnswerError(f"{path}：回答文件须为 .yaml、.yml、.csv 或填好的 .xlsx 自查表")
    try:
        status = path.stat()
    except FileNotFoundError:
        raise AnswerError(f"{path}：回答文件不存在") from None
    except OSError as exc:  # a name too long, a symbolic link loop: it failed as an unexpected error
        raise AnswerError(f"{path}：无法读取回答文件（{os_reason(exc)}）") from None
    if stat.S_ISDIR(status.st_mode):  # these were told 回答文件不存在
        raise AnswerError(f"{path}：这是一个文件夹，不是回答文件；请写出其中回答文件的路径")
    if not stat.S_ISREG(status.st_mode):  # reading a named pipe waits for a writer, a device never ends
        raise AnswerError(
            f"{path}：不是普通文件（是命名管道、设备文件等特殊文件），不能作为回答文件读取；请指定保存在磁盘上的回答文件"
        )
    known = set(checklist.answer_ids()) if checklist is not None else None
    size = status.st_size
    if size > limits.max_kb * 1024:
        raise AnswerError(
            f"{path}：回答文件过大（{size / 1024:,.0f} KB，上限 {limits.max_kb:g} KB）；"
            f"请用本程序导出的自查表或“编号、回答”两列的文件"
        )
    if suffix == ".xlsx":
        return _answers_from_rows(path, _workbook_rows(path, limits), known, limits, lambda: _workbook_profile(path))
    raw = path.read_bytes()
    try:  # the one decoder of text files: UTF-8/16/32 with or without BOM, GBK, Big5; never mojibake
        text = decode_bytes(raw, path) if raw.strip(b" \t\r\n") else ""  # all NUL: told so, not empty
    except IngestError as exc:
        raise AnswerError(f"{path}：文件内容无法识别——{exc.reason}") from None
    return parse_answers(path, text, known, limits)
