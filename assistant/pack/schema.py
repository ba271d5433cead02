"""The knowledge pack's typed schemas: one strict model per kind of authored entry in knowledge/ (citations,
applicability rules, taxonomy, obligations, glossary, lexicon, plan templates, quantities, …). An unknown field
or a malformed value is an error that names the file and the field (assistant.pack.loader).

The pack is authored data (YAML, no code, no regulation text). It points at regulation articles as
(document, article) pairs — the document by its short title, e.g. 安全生产法 — and the runtime quotes
the article from the index. Applicability rules are data a program evaluates against an enterprise
profile (industry, headcount, conditions, special equipment, region).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ingest.articles import ArticleRef, parse_article
from ingest.vocabulary import FOLDED_SPACE


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _unfold(cls, data):
        """YAML folds a long line into the next with a space; between Chinese characters it is noise."""
        if isinstance(data, dict):
            return {k: FOLDED_SPACE.sub("", v) if isinstance(v, str) else v for k, v in data.items()}
        return data


class Citation(_Strict):
    """A regulation article: doc is the document's short title (安全生产法, 北京市安全生产条例)."""

    doc: str
    article: str

    @field_validator("doc")
    @classmethod
    def _short_title(cls, value: str) -> str:
        if value.startswith("中华人民共和国") or "《" in value or "(" in value or "（20" in value:
            raise ValueError(f"文档请写简称（如 安全生产法），不要写全称、书名号或日期：{value}")
        return value

    @field_validator("article")
    @classmethod
    def _article(cls, value: str) -> str:
        ref = parse_article(value)
        if ref is None or ref.label != value:
            raise ValueError(f"条号须写成法规原文的形式，如 第二十四条：{value}")
        return value

    @property
    def ref(self) -> ArticleRef:
        ref = parse_article(self.article)
        assert ref is not None
        return ref

    def __str__(self) -> str:
        return f"《{self.doc}》{self.article}"


class PlanRef(_Strict):
    """A passage of a local plan: the plan's document id, a heading on the way to it, and a phrase in it."""

    doc: str
    heading: str
    quote: str


class Range(_Strict):
    gt: int | None = None
    gte: int | None = None
    lt: int | None = None
    lte: int | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> Range:
        if all(v is None for v in (self.gt, self.gte, self.lt, self.lte)):
            raise ValueError("范围至少要有 gt/gte/lt/lte 之一")
        return self

    def contains(self, value: int | float) -> bool:
        return (
            (self.gt is None or value > self.gt)
            and (self.gte is None or value >= self.gte)
            and (self.lt is None or value < self.lt)
            and (self.lte is None or value <= self.lte)
        )


class Profile(BaseModel):
    """An enterprise as the rules see it (built by the self-check from a form or a description)."""

    industries: set[str] = Field(default_factory=set)  # industry keys
    groups: set[str] = Field(default_factory=set)  # industry groups the industries belong to
    employees: int | None = None  # None: headcount unknown, no headcount rule holds
    flags: set[str] = Field(default_factory=set)  # condition keys that hold
    equipment: set[str] = Field(default_factory=set)  # special-equipment categories in use
    regions: set[str] = Field(default_factory=set)  # 北京, 山东, 浙江 + 宁波, 广东 + 深圳 …
    notes: list[str] = Field(default_factory=list)  # how the form and the description were read (for the user)


class Rule(_Strict):
    """Exactly one of: all / any / not (combinators), industry / employees / flag / equipment / region."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    all_: list[Rule] | None = Field(None, alias="all")
    any_: list[Rule] | None = Field(None, alias="any")
    not_: Rule | None = Field(None, alias="not")
    industry: list[str] | None = None  # industry keys or group names
    employees: Range | None = None
    flag: str | None = None
    equipment: list[str] | None = None  # any of these categories in use; [任意] means any special equipment
    region: list[str] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Rule:
        set_fields = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(set_fields) != 1:
            raise ValueError(
                f"一条适用规则必须恰好有一个键（all/any/not/industry/employees/flag/equipment/region），"
                f"这里有 {len(set_fields)} 个"
            )
        return self

    def evaluate(self, profile: Profile) -> bool:
        if self.all_ is not None:
            return all(rule.evaluate(profile) for rule in self.all_)
        if self.any_ is not None:
            return any(rule.evaluate(profile) for rule in self.any_)
        if self.not_ is not None:
            return not self.not_.evaluate(profile)
        if self.industry is not None:
            wanted = set(self.industry)
            return bool(wanted & profile.industries or wanted & profile.groups)
        if self.employees is not None:
            return profile.employees is not None and self.employees.contains(profile.employees)
        if self.flag is not None:
            return self.flag in profile.flags
        if self.equipment is not None:
            return (
                bool(profile.equipment) if "任意" in self.equipment else bool(set(self.equipment) & profile.equipment)
            )
        assert self.region is not None
        return bool(set(self.region) & profile.regions)

    def names(self, key: str) -> set[str]:
        """Every value used under a leaf key in this rule tree (for cross-file validation)."""
        found: set[str] = set()
        for child in (self.all_ or []) + (self.any_ or []) + ([self.not_] if self.not_ else []):
            found |= child.names(key)
        value = getattr(self, key)
        if key in ("industry", "equipment", "region") and value:
            found |= set(value)
        if key == "flag" and value:
            found.add(value)
        return found


# --- taxonomy -----------------------------------------------------------------------------------


class Industry(_Strict):
    key: str
    aliases: list[str] = Field(default_factory=list)  # words in a user's industry field or description
    groups: list[str] = Field(default_factory=list)
    # condition key -> industry key: when the condition holds the enterprise is that industry instead
    # (危险化学品经营 with its own 仓库 is 危险化学品经营（带储存）)
    becomes: dict[str, str] = Field(default_factory=dict)
    fallback: bool = False  # a catch-all (其他): the description may name the industry instead


class Condition(_Strict):
    key: str
    name: str
    keywords: list[str] = Field(default_factory=list)  # phrases in a description that suggest it
    question: str  # how the self-check asks for it
    # industries (keys or groups) whose own business words would be misread as this condition: a tanker
    # carrier's 液氨 is cargo, not use; for them the description's keywords do not set it
    not_from_words_for: list[str] = Field(default_factory=list)
    names_another_party: bool = False  # keywords name another party (驻厂单位): "外包给…" does not rule them out


class Negation(_Strict):
    """How a description says something does not hold: cue words before the fact, inside one clause."""

    cues: list[str] = Field(default_factory=list)  # 没有, 不用, 未构成 …
    not_cues: list[str] = Field(default_factory=list)  # words that contain a cue but do not negate (非煤, 不得)
    clause_breaks: list[str] = Field(default_factory=list)  # words that end a negation's scope (但, 而)
    no_equipment: list[str] = Field(default_factory=list)  # generic words: 没有特种设备 means none at all
    other_party: list[str] = Field(default_factory=list)  # 外包给…, 交由…: what follows is another party's role
    own_party: list[str] = Field(default_factory=list)  # 由我们, 由本单位: contain a cue but name the enterprise
    not_facts: list[str] = Field(default_factory=list)  # words that contain a fact's word but mean else (自行车)


class Activity(_Strict):
    """Industries of one sector that differ by what the enterprise does: produce, use or sell hazardous chemicals;
    mine coal or not. The industry field or the description names the activity; the activity decides."""

    sector: str  # the sector (a group name, or a name for the family): 危险化学品, 矿山
    # what the activity words must govern, before it in the same clause (使用…液氯); empty: the words say it alone
    objects: list[str] = Field(default_factory=list)
    roles: dict[str, list[str]]  # industry key -> the words that name its activity (生产, 制造 / 使用, 作原料)


class Taxonomy(_Strict):
    groups: dict[str, str]  # group name -> what it means
    industries: list[Industry]
    conditions: list[Condition]
    equipment: dict[str, list[str]]  # special-equipment category -> aliases
    # what the law calls the class those categories make up: a provision on it rules each of them (特种设备 for 锅炉)
    equipment_class: str = "特种设备"
    regions: dict[str, list[str]]  # region short name (北京, 宁波, 深圳) -> aliases
    region_parents: dict[str, str] = Field(default_factory=dict)  # a city implies its province (宁波 -> 浙江)
    negation: Negation = Field(default_factory=Negation)
    activities: list[Activity] = Field(default_factory=list)
    # words that, right after an industry's name, name goods or services for that industry (煤矿设备销售, 建筑设计,
    # 化工设备制造): an enterprise trading in them, making or providing them is not in that industry
    trade_words: list[str] = Field(default_factory=list)


# --- register, glossary, lexicon, templates -----------------------------------------------------


class Obligation(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    theme: str
    duty: str
    applies: Rule | None = None  # None: every 生产经营单位
    basis: list[Citation] = Field(min_length=1)
    check: str
    evidence: list[str] = Field(min_length=1)
    penalty: list[Citation] = Field(default_factory=list)
    # what to do when the duty is not met, when the evidence alone does not say it (remediation.yaml derives the rest)
    action: str = ""

    @field_validator("check")
    @classmethod
    def _question(cls, value: str) -> str:
        if not value.endswith(("？", "?")):
            raise ValueError(f"自查问题应是一个是/否问句，以问号结尾：{value}")
        return value

    def applies_to(self, profile: Profile) -> bool:
        return self.applies is None or self.applies.evaluate(profile)


class GlossaryEntry(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    term: str
    aliases: list[str] = Field(default_factory=list)
    definition: str
    basis: list[Citation] = Field(default_factory=list)
    customary: bool = False  # a principle of practice rather than a statutory term
    note: str = ""
    plan_refs: list[PlanRef] = Field(default_factory=list)

    @field_validator("definition")
    @classmethod
    def _short(cls, value: str) -> str:
        sentences = [s for s in re.split(r"[。！？]", value) if s.strip()]
        if not 1 <= len(sentences) <= 3:
            raise ValueError(f"释义应为一到三句话，这里有 {len(sentences)} 句")
        return value

    @model_validator(mode="after")
    def _grounded(self) -> GlossaryEntry:
        if not self.basis and not self.customary:
            raise ValueError(f"{self.term}：没有法律依据的词条须标 customary: true 并在 note 中说明")
        if self.customary and not self.note:
            raise ValueError(f"{self.term}：惯用原则须在 note 中说明其实质由哪些条文承载")
        return self

    @property
    def names(self) -> list[str]:
        return [self.term, *self.aliases]


class LexiconEntry(_Strict):
    legal: str  # the term the regulations use
    everyday: list[str] = Field(min_length=1)  # what people say instead (colloquial, abbreviations, regional)
    # words of general use (哪一级, 几级) stand for the term only in a question holding one of these (事故): 哪一级
    # asks an accident's level of an accident, and the level of an authority of a licence (向哪一级公安机关申请)
    within: list[str] = Field(default_factory=list)

    def applies(self, question: str) -> bool:
        """Whether its everyday words stand for the term in this (normalised) question."""
        return not self.within or any(word in question for word in self.within)


class Lexicon(_Strict):
    themes: dict[str, list[LexiconEntry]]

    @property
    def entries(self) -> list[LexiconEntry]:
        return [entry for entries in self.themes.values() for entry in entries]

    @property
    def pair_count(self) -> int:
        return sum(len(entry.everyday) for entry in self.entries)


class AccidentLevel(_Strict):
    level: Literal["特别重大事故", "重大事故", "较大事故", "一般事故"]
    deaths: Range
    serious_injuries: Range  # including acute industrial poisoning
    direct_loss_wan: Range  # direct economic loss, in 万元


class MeasureWords(_Strict):
    deaths: list[str] = Field(min_length=1)
    serious_injuries: list[str] = Field(min_length=1)
    direct_loss_wan: list[str] = Field(min_length=1)
    not_accidents: list[str] = Field(default_factory=list)


class AccidentLevels(_Strict):
    basis: list[Citation] = Field(min_length=1)
    note: str = ""
    words: MeasureWords  # how a question states each measure
    levels: list[AccidentLevel] = Field(min_length=4, max_length=4)

    @property
    def names(self) -> tuple[str, ...]:
        """The levels' names, most serious first (特别重大事故 … 一般事故)."""
        return tuple(level.level for level in self.levels)

    def classify(self, deaths: int = 0, serious_injuries: int = 0, direct_loss_wan: float = 0) -> str:
        """The highest level any of the three measures reaches (the regulation's 或者)."""
        for level in self.levels:  # ordered from 特别重大 down
            if (
                (deaths and level.deaths.contains(deaths))
                or (serious_injuries and level.serious_injuries.contains(serious_injuries))
                or (direct_loss_wan and level.direct_loss_wan.contains(direct_loss_wan))
            ):
                return level.level
        return "一般事故"


class TemplateSection(_Strict):
    title: str  # 指导思想, 工作目标 …
    guidance: str  # what the section holds, in one or two sentences
    holds_tasks: bool = False  # the section where the period's focus items go
    schedule: bool = False  # the section that holds the dated phases (进度安排, 工作步骤, 时间安排)
    text: str = ""  # the offline paragraph; placeholders {unit} {org} {period} {focus} {topic} {holiday}
    items: list[str] = Field(default_factory=list)  # the offline numbered points, same placeholders
    query: str = ""  # what retrieval searches for the article the section rests on


class Phase(_Strict):
    """A stage of the plan: it ends when `until` of the period has elapsed, or spans before/during/after
    a holiday."""

    name: str
    task: str
    until: float | None = Field(None, gt=0, le=1)
    span: Literal["before", "during", "after"] | None = None

    @model_validator(mode="after")
    def _one_anchor(self) -> Phase:
        if (self.until is None) == (self.span is None):
            raise ValueError(f"阶段“{self.name}”须恰好写 until（期间已过的比例）或 span（before/during/after）之一")
        return self


class PlanTemplate(_Strict):
    kind: Literal["quarterly", "annual", "campaign", "holiday"]
    name: str
    title_pattern: str  # e.g. {year}年第{quarter}季度安全生产工作计划
    sections: list[TemplateSection] = Field(min_length=4)
    topics: list[str] = Field(default_factory=list)  # ids under topics: the plan's general tasks
    phases: list[Phase] = Field(default_factory=list)
    plan_refs: list[PlanRef] = Field(default_factory=list)


class SeasonalFocus(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str  # 春节, 安全生产月 …
    months: list[int] = Field(min_length=1)
    hazards: list[str] = Field(min_length=1)
    sectors: list[str] = Field(min_length=1)
    tasks: list[str] = Field(min_length=1)  # the focus items a plan for that period carries
    basis: list[Citation] = Field(min_length=1)
    plan_refs: list[PlanRef] = Field(default_factory=list)
    headline: str = ""  # how a plan's 指导思想 names it when it is one of the period's main focus items

    @field_validator("months")
    @classmethod
    def _months(cls, value: list[int]) -> list[int]:
        if any(not 1 <= m <= 12 for m in value):
            raise ValueError(f"月份须在 1–12 之间：{value}")
        return value


class Topic(_Strict):
    """A general task or a sector a plan can focus on (--focus 危险化学品) or draft alone (--section)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    aliases: list[str] = Field(default_factory=list)
    tasks: list[str] = Field(min_length=1)  # worded for a government plan
    enterprise_tasks: list[str] = Field(default_factory=list)  # worded for an enterprise's own plan
    basis: list[Citation] = Field(min_length=1)
    plan_refs: list[PlanRef] = Field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class Level(_Strict):
    title: str  # how the unit heads the title when only the level is given: XX区
    area: str  # how the text names its territory: 全区
    org: str  # the body that leads the work: 区安委会
    enterprise: bool = False


class Holiday(_Strict):
    name: str
    aliases: list[str] = Field(default_factory=list)
    date: str = Field(pattern=r"^(\d{2}-\d{2}|qingming|lunar)$")  # MM-DD, qingming, or lunar (see `lunar`)
    lunar: str | None = None  # the lunar_dates row when date is lunar
    also_lunar: str | None = None  # a second festival the period spans too (元旦春节)
    eve: bool = False  # the public holiday begins the day before (除夕)
    days: int = Field(1, ge=1)
    before: int = Field(0, ge=0)
    after: int = Field(0, ge=0)
    focus: list[str] = Field(min_length=1)  # calendar ids

    @model_validator(mode="after")
    def _lunar_named(self) -> Holiday:
        if (self.date == "lunar") != (self.lunar is not None):
            raise ValueError(f"节日“{self.name}”：date 为 lunar 时须写 lunar（农历节日名），否则不写")
        return self

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class PlanTemplates(_Strict):
    templates: list[PlanTemplate]
    calendar: list[SeasonalFocus]
    topics: list[Topic] = Field(default_factory=list)
    levels: dict[str, Level] = Field(default_factory=dict)
    holidays: list[Holiday] = Field(default_factory=list)
    lunar_dates: dict[str, list[date]] = Field(default_factory=dict)  # 春节 -> the dates of 正月初一 by year
    task_words: list[str] = Field(
        default_factory=list
    )  # what a task does, when or how (检查, 落实, 节前), not its subject
    seasons: dict[str, list[int]] = Field(default_factory=dict)  # a season's word (秋收, 冬季) -> the months it names
    regulation_fields: dict[str, list[str]] = Field(
        default_factory=dict
    )  # a special regulation -> words naming its field

    def template(self, kind: str) -> PlanTemplate | None:
        return next((t for t in self.templates if t.kind == kind), None)

    def focus(self, focus_id: str) -> SeasonalFocus | None:
        return next((f for f in self.calendar if f.id == focus_id), None)

    def topic(self, name_or_id: str) -> Topic | None:
        wanted = name_or_id.strip()
        return next((t for t in self.topics if wanted == t.id or wanted in t.names), None)


class Terms(_Strict):
    terms: list[str]


class Quantities(_Strict):
    """knowledge/quantities.yaml: what a question asks to be counted and what states it."""

    units: dict[str, list[str]]  # kind -> measure words
    words_for: dict[str, list[str]]  # kind -> everyday words naming it (钱 -> money)
    standard_words: list[str] = Field(default_factory=list)  # 罚款标准: a sum asked for by its rule's name
    # kinds of sum (fines; pay; compensation and benefits…): a sum of one kind is stated by a text naming that kind
    money_kinds: list[list[str]] = Field(default_factory=list)
    question_words: list[str]
    # how big a sum is asked (多大金额, 罚款多高): the question words a sum takes besides 多少 and 几
    sum_question_words: list[str] = Field(default_factory=list)
    time_asks: list[str]
    time_nouns: list[str]
    deadline_words: list[str]
    frequency_asks: list[str]
    frequency_words: list[str]
    # words inside a frequency ask that say nothing of the act (多久必须搞一次, 多久要进行一次): what is left (修订,
    # 检测) is the act a clause stating the frequency must be about
    frequency_light_words: list[str] = Field(default_factory=list)
    ratio_asks: list[str]
    ratio_nouns: list[str]
    # sums the law states as a share or a multiple of a base (年收入百分之四十的罚款, 违法所得一倍以上五倍以下的罚款)
    relative_sums: list[str] = Field(default_factory=list)
    # a limit asked without its unit (氧含量低于多少, 不得超过多少): answered by a clause stating a number
    limit_words: list[str] = Field(default_factory=list)
    # a measure asked by its noun (接触限值是多少, 氧含量多少合格): answered by a clause stating a number
    measure_nouns: list[str] = Field(default_factory=list)
    # a day of the calendar asked (几月, 哪一天): answered by a clause stating a date, not a duration (3个月)
    date_asks: list[str] = Field(default_factory=list)
    # a telephone number asked (投诉电话是多少): answered by a clause stating one
    phone_nouns: list[str] = Field(default_factory=list)
    # the words asking one (多少, 什么, 哪个); never one asking when (什么时候, 多少时间)
    phone_question_words: list[str] = Field(default_factory=list)
    # a form asked for itself (有没有统一的表格模板, 申请表去哪儿下载, 怎么填写): answered only by a text that gives
    # or prescribes one (form_words), never by the duty to report or apply
    form_nouns: list[str] = Field(default_factory=list)
    form_question_words: list[str] = Field(default_factory=list)
    form_words: list[str] = Field(default_factory=list)
    # periods a figure is asked per (每天几小时, 每年多少学时), each by its names: answered by a clause stating a
    # figure per that period
    rate_periods: dict[str, list[str]] = Field(default_factory=dict)
    # measure words counting kinds of a thing (几个等级, 分几类, 有几项): a list of them states the count by its items
    listed_counts: list[str] = Field(default_factory=list)


class FollowUp(_Strict):
    refer: list[str]  # words at the start of a question that point back (那, 这个, 它)
    refer_anywhere: list[str]  # pointing phrases unambiguous anywhere (上述, 刚才说的)
    aspects: list[str]  # what a follow-up asks about a subject already named (罚款, 期限, 谁负责)


class EvidenceAction(_Strict):
    endings: list[str] = Field(min_length=1)  # how an evidence's name ends: 记录, 台账, 许可证
    does: str  # what produces it: {evidence} the evidence, {stem} the evidence without the ending


class Remediation(_Strict):
    """knowledge/remediation.yaml: how a self-check gap is closed, read from the kind of evidence the duty leaves
    (a 制度 is drawn up and issued, a 记录 is kept, a 许可证 is obtained): the 建议 of the gap report."""

    actions: list[EvidenceAction] = Field(min_length=1)  # the longest matching ending wins
    fallback: str  # for an evidence no ending matches: {evidence}
    unmet: str  # 建议 for 否: {actions} what to do, {evidence} what to keep
    to_verify: str  # 建议 for 不确定: {evidence}, {actions}
    penalty_note: str = ""  # appended when the duty has a penalty article: {penalty}


class DocumentAliases(_Strict):
    aliases: dict[str, list[str]]  # document name (no 中华人民共和国, no date) -> what people call it


class CitedVersions(_Strict):
    """knowledge/cited_versions.yaml: the version of each text the pack's article numbers are written against."""

    versions: dict[str, date]  # document name (as document_aliases.yaml keys it) -> the version's date


class OutsideSource(_Strict):
    source: str  # how the answer names it: GB 2893《安全色》, 《女职工劳动保护特别规定》
    matters: list[str]  # the words naming a matter it sets (安全色, 产假)
    # another law's matter, which questions name as a circumstance as often as they ask it (休了产假回来要培训吗):
    # only a figure asked of it (产假多少天) is that law's
    figures_only: bool = False


class OutsideSources(_Strict):
    """knowledge/outside_sources.yaml: matters a standard or another law sets, not the regulations."""

    sources: list[OutsideSource]


class InstructionWords(_Strict):
    """knowledge/instructions.yaml: how a sentence inside a document that speaks to the assistant is recognised."""

    role_names: list[str]  # system, 助手 … followed by ：/: at the start of a sentence (and an instruction after)
    role_markers: list[str]  # chat-template markers: <|im_start|>, [INST]
    override_verbs: list[str]  # 忽略, 无视 …
    override_objects: list[str]  # 指令, 规则 …
    override_referents: list[str]  # 以上, 所有, 你的 …
    sovereign_objects: list[str] = []  # 法律, 提示词 …: set aside with no referent (先把法律放一边)
    voided_objects: list[str] = []  # 指令, 设定 …: instructions said to be void after a referent (前述指令一概作废)
    voiding: list[str] = []  # 作废, 失效 …: what they are said to be
    fillers: list[str]  # what may come before an imperative verb: 请, 现在, 立即
    addressees: list[str]  # 你, 助手, 大模型 …
    model_names: list[str] = []  # DeepSeek, 通义千问, 智能体 …: a model or agent named by its product or kind
    notices: list[str] = []  # 注意, 须知 …: what a model named at the start of a clause is told, besides directives
    not_addressees: list[str]  # 你单位, 你公司: official notices address units, not the assistant
    directives: list[str]  # 回答, 扮演, 现在是 … close after an addressee
    identity_claims: list[str]  # 你的身份是 … starting a clause
    identity_phrases: list[str]  # 作为AI … as a whole clause
    answer_directives: list[str]  # 直接回答 … followed by ：/“
    precedence_claims: list[str] = []  # 优先于法律 … anywhere: a text claiming to override the law
    dismissals: list[str] = []  # 法律仅供参考, 请勿引用 …: the law dismissed, where a law is named and not deferred to
    self_references: list[str]  # 本通知, 本文件 …: the document speaking of itself
    outranking: list[str]  # 效力高于, 优先于 … after a self-reference
    supremacy: list[str] = []  # 效力最高 …: after a self-reference, a claim to outrank everything
    law_references: list[str]  # 《, 法律, 法规 … what it claims to outrank
    higher_law: list[str] = []  # 法律, 宪法 …: what no document prevails over (以本文件为准 beside one)
    asked_words: list[str]  # 询问, 咨询 …: someone asking
    answer_verbs: list[str]  # 答复, 告知 … after an asked word
    answer_objects: list[str]  # 其, 对方 … between the answer verb and what to answer
    answer_content: list[str]  # 不需要, 不必 … what to answer, after the answer verb
    scripted_answers: list[str] = []  # 标准答案, 话术 …: a script, an instruction when it waives a rule
    answer_labels: list[str] = []  # 答复, 回应 … in a sentence's label: a script too (建议答复：…)
    machine_words: list[str] = []  # ai, 助手, 机器 … in a sentence's label: a role tag (智能助手请注意：…)
    staff: list[str] = []  # 工作人员, 窗口 …: who is told what to tell the public in a rule about people
    consequences: list[str] = []  # 导致, 的，由 …: what follows conduct a clause describes (no override)
    conflicts: list[str] = []  # 不一致, 替代 …: how a document claiming to prevail departs from the law
