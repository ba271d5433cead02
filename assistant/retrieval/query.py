"""Query understanding: what a question names besides its words.

- direct article references (安全生产法第二十四条, 第24条, 安全生产法24条)
- documents named (消防法里…, 《突发事件应对法》) and regions named (在深圳, 北京和山东)
- glossary terms (四不放过 → its entry and the articles that carry it)
- everyday words mapped to the terms the regulations use (安责险 → 安全生产责任保险), from the lexicon
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property, lru_cache

from assistant.pack import GlossaryEntry, KnowledgePack, LexiconEntry
from assistant.retrieval.config import RankingConfig
from assistant.retrieval.figures import ASKS_OTHERWISE, ENDS_YES_NO, YES_NO, QuantityAsks
from assistant.retrieval.provisions import asks_basis
from ingest.articles import NUMERAL, ArticleRef
from ingest.cleaning import clauses, normalise_for_index, to_simplified
from ingest.gazetteer import default_gazetteer
from ingest.legal_forms import (
    ADMINISTRATIVE,
    DEPARTMENTAL,
    JUDICIAL,
    LAW,
    LOCAL,
    LOCAL_GOVERNMENT,
    STANDARD_CODE,
    default_forms,
)
from ingest.metadata import NATIONAL
from ingest.numerals import cn_to_int, well_formed
from ingest.store import DocumentRecord, StoredChunk
from ingest.tokenizer import Tokenizer, words_as_written

_ARTICLE = re.compile(rf"第?\s*(?P<num>{NUMERAL})\s*条(?:之(?P<sub>{NUMERAL}))?")
# before 条 without 第, a count (一条, 两条) or a numeral after a word asking or pointing (哪一条, 这一条, 每一条)
# names no article (安全生产法24条 and 二十四条 do)
_COUNTS = frozenset("一两几")
_POINTING = frozenset("哪这那每上下同某任")
_NATIONAL = "中华人民共和国"
_RULE_KINDS = (LAW, ADMINISTRATIVE, DEPARTMENTAL, LOCAL, LOCAL_GOVERNMENT, JUDICIAL)  # not a notice, plan or report
_SENTENCES = re.compile(r"(?<=[？?；;])")
# a sentence asking more than one thing: a clause opening with one of these asks anew (…多少钱，另外…要几天？);
# not in a sentence asking yes or no of what it tells before them, where they join what it asks about
# (招几个小伙子下井，另外女工也调下去，这样行吗: one question, about both)
_ASKS_ANEW = re.compile(r"(?<=[，,])(?=还是|那么|另外|以及|同时)")


def _asks_anew(sentence: str) -> list[str]:
    pieces = _ASKS_ANEW.split(sentence)
    if len(pieces) > 1 and ENDS_YES_NO.search(sentence) and not YES_NO.search(pieces[0]):
        return [sentence]
    # a piece that asks nothing tells what the next asks about (商场仓库失火，烧死3个人，另外有十几个重伤。这算哪个等级
    # 的事故？): joined to it, unless the next offers a choice (是两家都要报，还是谁的人伤了谁报)
    joined = [pieces[0]]
    for piece in pieces[1:]:
        if not piece.startswith("还是") and not _INTERROGATIVE.search(joined[-1]) and not YES_NO.search(joined[-1]):
            joined[-1] += piece
        else:
            joined.append(piece)
    return joined


# whether a document is still in force (还有效吗, 废止了吗): other documents say so (…同时废止); when it took effect
# (自哪一天起施行) it says itself, and a later text may say when it ended (not 有效期, 有效措施)
ASKS_STATUS = re.compile(r"还有效|仍有效|是否有效|有效吗|有没有效|废止|失效|作废|还能用|还适用|还管用|还在用")
ASKS_VALIDITY = re.compile(rf"{ASKS_STATUS.pattern}|施行|生效")
# how a text came to be (哪年通过的, 修订过几次, 什么时候开始实施): its record of adoption and amendment says
ASKS_HISTORY = re.compile(rf"{ASKS_VALIDITY.pattern}|实施|通过|修订|修正|修改|公布|颁布|出台|发布|制定")
_DECREE_FORMS = re.compile(r"(?:中华人民共和国)?国务院令?第\s*(\d+)\s*号令?")  # 国务院令第446号 -> 446号令
_STANDARD = re.compile(rf"{STANDARD_CODE}(?:[.-]\d+)*", re.IGNORECASE)
# 《…》 names a document when it ends as one does (《…许可证》 names a licence, which is no document)
_TITLE = re.compile(
    r"《([^》]{1,40}(?:法|条例|规定|办法|细则|标准|规范|规程|目录|决定|解释|意见|通知|方案|计划|规则|导则|指南|准则|"
    r"纲要|制度))》"
)
# an article of a document named without 《》 (消防法第十六条): the run of Chinese characters before the number,
# ending as a title does, less the words that lead into a name (请问、根据…) and never a demonstrative (这个条例)
_TITLE_ENDINGS = "法|条例|规定|办法|细则|规则"  # how a law's title ends: the kind of text it is
_NAMED_ARTICLE = re.compile(rf"([\u4e00-\u9fff]{{1,30}}?(?:{_TITLE_ENDINGS}))\s*第?\s*{NUMERAL}\s*条")
# a title's ending right before an article number (刑法第…, 消防法第…): the article is of the law it ends, not of a
# document named earlier in the question; a demonstrative (本法第…, 该条例第…) points back to that document
_TITLE_ENDS = re.compile(rf"(?<!本|该|此|其|这|那|个|部)(?:{_TITLE_ENDINGS})$")
_LEAD_INS = re.compile(
    r"^.*?(?:请问|问一下|按照|根据|依据|依照|参照|对照|违反|属于|适用|关于|对于|看看|查查|查询|查一下|的)"
)
_DEMONSTRATIVE = re.compile(r"^(?:这|那|本|该|此|其|上述|前述|所述|相关|有关)")
# a place's own rules asked about: 广东省规定…, 按江苏的要求/标准, 广州当地的规定, 杭州有没有规定 (not 我们厂在广州，…)
_SUFFIX = re.compile(r"(?:省|市|自治区|特别行政区)$")
_WHETHER_ANY = r"(?:有没有|有无|是否有)(?:具体|专门|相关)?的?"  # 杭州有没有规定…: whether its rules say so
_LOCAL = r"(?:地方|当地|本地)"
_RULES_OF = (
    rf"(?:省|市|自治区)?(?:的|{_LOCAL}的?|{_WHETHER_ANY})?(?:规定|条例|要求|标准|办法|规章|政策|地方性法规|法规)"
)
# or a text of its own named by title without marks: the place, a matter of words that ask nothing, and the kind
# of text (广东省安全生产条例, 江苏省安全生产监督管理办法, 广州本地的安全生产条例; not 广东省有没有类似办法)
_ASKING_CHARS = "的有没是什么怎哪吗呢了在对和与及或类似相关这那其按照要能会该"
_TITLE_OF = rf"(?:{_LOCAL}的?|的)?[^\W\d{_ASKING_CHARS}]{{2,20}}?(?:条例|实施细则|实施办法|管理办法|规定)"
# or its rules asked about as local ones (广州本地对这种小作坊的消防有啥特别规定: 本地, then what they say)
_LOCALLY = rf"{_LOCAL}[^，。？?；;]{{0,16}}?(?:规定|要求|政策|条例|办法)"
_OWN_RULES = rf"(?:{_RULES_OF}|{_TITLE_OF}|{_LOCALLY})"
# or a place that makes rules (a province or a city: a district or county makes no 地方性法规) acting on a matter
# (河北省对没投保的企业罚多少, 重庆市对事故报告时限有没有更严的规定): its authorities, under its own rules; not a
# district's work (北仑区对烟花爆竹零售点检查了多少家: its report tells), nor where the asker acts (我们在成都对承包商…)
_ACTING = "对"
# or its authorities' rules, the place named before (四川的企业出了事故，省里要求多长时间内报告): 省里 is the province
# the question named, as 当地 is
_ITS_OWN = re.compile(r"(?:省|市|县|区|州)(?:里|上|上面|里面)的?[^，。？?；;]{0,4}?(?:规定|要求|政策|标准)")
# or the local rules, the one place named being where (江苏这边的小作坊，地方安全生产条例有没有要求…): those of the
# place or of a division it lies in (杭州's are 浙江省's too)
_LOCAL_RULES = re.compile(_LOCALLY)
# what a plan holds, asked about: its name, or the arrangements it makes (有什么安排, 是怎么部署的), not an act of
# arranging asked (安排什么人盯着, 能不能安排女工下井)
_REFERS_TO_PLAN = re.compile(
    r"方案|计划|总结|工作安排|工作要点|述职|汇报材料|工作目标里|(有|作|做)了?(什么|哪些|啥)(安排|部署)"
    r"|(怎么|如何|怎样)(安排|部署)的"
)
# the words naming the plan a question asks about, up to where its content begins (四团…那份季度计划里, 方案中说): they
# say which text, not which of its passages answers nor what a figure in it is about
_PLAN_NAMED = re.compile(
    r"(?:^|(?<=[，,。；;？?]))[^，,。；;？?]*?(?:方案|计划|总结|工作安排|工作要点|述职报告|汇报材料)(?:里面|里|中|上)"
    r"(?:说的?|提到的?|讲的?|写的?)?"
)


def _asks_own_rules(place: str, norm: str) -> bool:
    """Whether a question (normalised) asks about the rules of this place, named in full or without its suffix."""
    # (重庆那边的安全生产条例: 那边 points at the place named)
    named = f"(?:{re.escape(place)}|{re.escape(_SUFFIX.sub('', place))})(?:这边|那边|这里|那里|这儿|那儿)?"
    return bool(
        re.search(f"{named}{_OWN_RULES}", norm)
        or (_SUFFIX.search(place) and re.search(f"(?<![在到去从]){named}{_ACTING}", norm))
    )


_COUNTED_PEOPLE = re.compile(r"(\d+|[零一二三四五六七八九十百千万两几]+)个人")


def people_counted(text: str) -> str:
    """120个人 is a count of people (120人), not 个人 "an individual"."""
    return _COUNTED_PEOPLE.sub(r"\1人", text)


# a sentence asking only for the basis of what the message asks (依据哪条？法律依据是什么？出自哪部法规？) asks no
# question of its own: every answer cites its basis
_BASIS_WORDS = re.compile(
    r"请问?|注明|给出|列出|指出|说明|具体|相关|有关|法律|法规|规定|条文|条款|法条|依据|根据|出处|出自|来自|第几条|"
    r"哪[一几]?[条部个项些里儿款]?|什么|是|有|在|的|吗|呢|[\s？?。，,！!、]"
)


def asks_basis_only(sentence: str) -> bool:
    return asks_basis(sentence) and not _BASIS_WORDS.sub("", sentence)


# who asks, said before the question (我是街道的安全干事，…; 物业这边问：…): not what is asked
_ASKER = re.compile(r"^(?:(?:我|本人)是[^，,。；;：:？?！!]{1,24}[，,。；;：:]|[^，,。；;：:？?！!\s]{1,16}问[：:])")


def without_asker(part: str) -> str:
    """A question part less the words before it telling who asks."""
    return _ASKER.sub("", part, count=1) or part


def without_plan_named(part: str) -> str:
    """A question part less the words naming the plan or report it asks about (四团安全生产监督管理办公室的季度计划里，
    事故快报有什么时间要求: 事故快报 is what the figure is about)."""
    return _PLAN_NAMED.sub("", part) or part


def plan_named(part: str) -> str:
    """The words of a question part naming the plan or report it asks about (四团那份季度安全生产计划里)."""
    return "｜".join(_PLAN_NAMED.findall(part))


def naming_members(text: str, kinds: dict[str, str] | None) -> str:
    """A text with the names of the things asked about whose class it names (QueryPlan.kinds: 锅炉 -> 特种设备): a
    provision on 在用特种设备 speaks of the 叉车 asked about as if it named it."""
    said = normalise_for_index(text)
    return text + "".join(f"｜{name}" for name, kind in (kinds or {}).items() if kind in said)


def question_parts(question: str) -> list[str]:
    """The questions a message asks (要安排哪几次体检？体检费谁出？ asks two), each answered on its own; a sentence
    asking only for the basis (…有哪些要求？依据哪条？) is no question of its own."""
    sentences = _SENTENCES.split(question)
    pieces = [p for s in sentences for p in _asks_anew(s)]
    parts = [p.strip(" ，,") for p in pieces if p and len(p.strip(" ，,？?")) >= 4]
    return [p for p in parts if not asks_basis_only(p)] or parts or [question]


_CLAUSE_ENDS = "，,。；;：:！!"
# a word pointing back at what was told before it (这两项, 那样, 其, 上述)
_BACK_REFERENCE = re.compile(r"这|那|其|该|它|上述|前述")
# a clause asking something itself (向哪一级公安机关申请，最晚提前多少天？ asks two things)
_INTERROGATIVE = re.compile(rf"{ASKS_OTHERWISE.pattern}|几")


def split_asking(part: str) -> tuple[str, str]:
    """The circumstances a question part tells, and the clauses that ask: its last, with those before it that ask
    too (向哪一级公安机关申请，最晚提前多少天？) or that it points back to (…要误工费和精神损害抚慰金，这两项最多能要
    多少？); what comes before them tells the circumstances (商场新装了两部自动扶梯，…)."""
    pieces = clauses(part.strip().rstrip("？?"), ends=_CLAUSE_ENDS, min_chars=1)  # each with its punctuation
    if not pieces:
        return "", part
    start = len(pieces) - 1
    while start > 0 and (_INTERROGATIVE.search(pieces[start - 1]) or _BACK_REFERENCE.search(pieces[start])):
        start -= 1
    return "".join(pieces[:start]).rstrip(_CLAUSE_ENDS), "".join(pieces[start:])


def named_documents(question: str) -> list[str]:
    """The documents a question names by title (《…》), by standard number (GB 30871), or as the document of an
    article it asks about (消防法第十六条)."""
    named = [*_TITLE.findall(question), *(m.group(0) for m in _STANDARD.finditer(question))]
    for run in _NAMED_ARTICLE.findall(question):
        name = _LEAD_INS.sub("", run)
        if len(name) >= 3 and not _DEMONSTRATIVE.match(name) and name not in named:
            named.append(name)
    return named


@dataclass
class QueryPlan:
    question: str
    expanded: str  # the question plus the legal terms its everyday words stand for
    legal_terms: list[str] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # doc ids the question names, in order of mention
    names: list[str] = field(default_factory=list)  # how the question names documents and regions
    regions: list[str] = field(default_factory=list)  # record regions the question names
    places: list[str] = field(default_factory=list)  # every place it names: those regions, and one it starts with
    #                                                  that no document has (苏州市的企业…)
    within: list[str] = field(default_factory=list)  # where a rule binds for it: those places, the divisions they
    #                                                  lie in (余杭区 → 杭州市, 浙江省), and their documents' regions
    plans: bool = False  # the question refers to a local plan or report (这份方案、季度工作安排里…)
    articles: list[tuple[str, ArticleRef]] = field(default_factory=list)  # (doc id, article) named directly
    translations: dict[str, str] = field(default_factory=dict)  # the question's everyday words -> the legal terms
    unnamed: str = ""  # the question (normalised) without the names of the documents it names
    unknown_documents: list[str] = field(default_factory=list)  # titles or standards named that no document holds
    # places whose own rules are asked about (广东省规定…, 按江苏的要求) and that no document is of
    unheld_places: list[str] = field(default_factory=list)
    # (matter, source) for each matter it names that a standard or another law sets (安全色 → GB 2893《安全色》)
    outside: list[tuple[str, str]] = field(default_factory=list)
    outside_held: list[str] = field(default_factory=list)  # those sources the library holds (a law imported)
    setting: list[str] = field(default_factory=list)  # zones named as where the asker is (在工业园区, 开发区里的厂)
    # the things it names (normalised) that belong to a class the law rules as a whole -> that class (锅炉, 叉车 ->
    # 特种设备): a provision on the class rules them
    kinds: dict[str, str] = field(default_factory=dict)

    def terms_in(self, text: str) -> list[str]:
        """The legal terms the question's everyday words stand for, of those the text holds (施工队 → 施工单位)."""
        said = normalise_for_index(text)
        return list(
            dict.fromkeys(term for word, term in self.translations.items() if normalise_for_index(word) in said)
        )

    def naming(self, chunk: StoredChunk) -> str:
        """What a passage of a document the question names holds besides its text: the words naming it (本法 is the
        安全生产法 asked about); "" for a passage of any other document."""
        return f"{chunk.title}｜" if chunk.doc_id in self.documents else ""


def _doc_names(record: DocumentRecord, aliases: dict[str, list[str]], matter_min: int) -> set[str]:
    core = record.short_title
    names = {core, to_simplified(record.title)}
    # an official title is its issuers, 关于 and its matter: it is also named by the matter alone
    # (《关于办理危害生产安全刑事案件适用法律若干问题的解释》 names the 两高's), a name long enough to be its own
    names |= {n[n.index("关于") :] for n in names if n.find("关于") > 0 and len(n) - n.index("关于") >= matter_min}
    names |= {n.removeprefix(_NATIONAL) for n in names}
    names |= {alias for n in list(names) for alias in aliases.get(n, [])}
    return {normalise_for_index(n) for n in names if len(n) >= 3}


class QueryAnalyzer:
    """Built once per set of documents; analyses questions against the pack and the index's documents."""

    def __init__(
        self,
        pack: KnowledgePack,
        tokenizer: Tokenizer,
        records: dict[str, DocumentRecord],
        config: RankingConfig | None = None,
        figures: QuantityAsks | None = None,
    ):
        """``figures``: the figure asks the retriever and the answer read (built from the pack when not given)."""
        self.pack = pack
        self.tokenizer = tokenizer
        self.config = config or RankingConfig()
        self.records = {d: r for d, r in records.items() if not r.superseded and not r.pending}  # held 待确认: no name
        self._given_figures = figures

    @cached_property
    def _lexicon(self) -> dict[str, LexiconEntry]:
        return {normalise_for_index(word): entry for entry in self.pack.lexicon.entries for word in entry.everyday}

    @cached_property
    def _glossary_keys(self) -> list[tuple[str, GlossaryEntry]]:
        """(normalised name, entry) for every glossary name of two characters or more."""
        keys = [(normalise_for_index(name), entry) for entry in self.pack.glossary for name in entry.names]
        return [(key, entry) for key, entry in keys if len(key) >= 2]

    @cached_property
    def _outside_matters(self) -> list[tuple[str, str, str, bool]]:
        """(normalised matter, matter, source, figures only) for each matter a standard or another law sets
        (knowledge/outside_sources.yaml)."""
        return [
            (normalise_for_index(matter), matter, entry.source, entry.figures_only)
            for entry in self.pack.outside_sources
            for matter in entry.matters
        ]

    @cached_property
    def _figures(self) -> QuantityAsks:
        return self._given_figures or QuantityAsks(self.pack.quantities)

    @cached_property
    def national_titles(self) -> set[str]:
        """The names of the national regulations in force (工伤保险条例), to recognise local ones implementing them."""
        return {r.short_title for r in self.records.values() if r.region == "全国"}

    @cached_property
    def _names_of(self) -> dict[str, set[str]]:
        """Each document's names: its title, its name without 中华人民共和国, its customary short names."""
        aliases, matter_min = self.pack.document_aliases, self.config.title_matter_min
        return {doc_id: _doc_names(record, aliases, matter_min) for doc_id, record in self.records.items()}

    @cached_property
    def _names(self) -> list[tuple[str, str]]:
        """(normalised name, doc id), longest names first so 北京市安全生产条例 wins over 安全生产条例."""
        pairs = {(name, doc_id) for doc_id, names in self._names_of.items() for name in names}
        return sorted(pairs, key=lambda p: (-len(p[0]), p[1]))

    @cached_property
    def _title_bigrams(self) -> dict[str, list[tuple[str, str, str]]]:
        """Character bigram -> (title, doc id, the title's own name) of the titles long enough to be named loosely;
        a title of issuers, 关于 and a matter long enough to name it (title_matter_min) is also named by its matter
        loosely, as it is exactly (预防煤矿事故的特别规定 names 国务院关于预防煤矿生产安全事故的特别规定)."""
        index: dict[str, list[tuple[str, str, str]]] = {}
        for doc_id, record in self.records.items():
            title = normalise_for_index(record.short_title).removeprefix(normalise_for_index(_NATIONAL))
            forms = {title}
            # a rule's matter (关于预防煤矿生产安全事故的特别规定); a notice's (关于加强安全生产工作的通知) is a
            # kind of text
            if (
                record.kind in _RULE_KINDS
                and title.find("关于") > 0
                and len(title) - title.index("关于") >= self.config.title_matter_min
            ):
                forms.add(title[title.index("关于") + len("关于") :])
            for form in forms:
                if len(form) >= self.config.loose_title_min:
                    for bigram in {form[i : i + 2] for i in range(len(form) - 1)}:
                        index.setdefault(bigram, []).append((form, doc_id, title))
        return index

    @cached_property
    def _title_forms(self) -> set[str]:
        return {form for entries in self._title_bigrams.values() for form, _, _ in entries}

    def _loosely_named(self, text: str) -> list[str]:
        """The documents a question names by the words of their title in order, a few left out or added
        (国务院预防煤矿事故的那个特别规定 names 国务院关于预防煤矿生产安全事故的特别规定): runs of two characters or
        more that the title and the question share, in order, cover config.loose_title_share of the title and end
        with its ending (or hold all of it but that ending), within a stretch of the question at most half as long
        again as the title; and they fit that one title only."""
        share = self.config.loose_title_share
        hits = Counter(pair for i in range(len(text) - 1) for pair in self._title_bigrams.get(text[i : i + 2], []))
        found: dict[str, set[str]] = {}  # title -> doc ids (the versions of one title)
        for (title, doc_id, name), count in hits.items():
            if count < share * (len(title) - 1) / 2:  # too few of its bigrams to hold enough of its characters
                continue
            blocks = [
                b for b in SequenceMatcher(None, title, text, autojunk=False).get_matching_blocks() if b.size >= 2
            ]
            if not blocks:
                continue
            span = blocks[-1].b + blocks[-1].size - blocks[0].b
            # a title is named with its ending, the kind of text it is (那个条例, 那个特别规定), or whole but for
            # that kind (生产安全事故报告和调查处理有什么规定): a few of its words without it are what the question
            # is about (负责特种设备安全监督管理的部门 names no 特种设备安全监察条例)
            held = sum(b.size for b in blocks)
            named = blocks[-1].a + blocks[-1].size == len(title) or held >= len(title) - self.config.loose_title_kind
            # the words every title of a kind shares (安全生产条例 of 煤矿安全生产条例 and each region's 安全生产条例,
            # as in 广州本地的安全生产条例) name none of them
            words = "".join(text[b.b : b.b + b.size] for b in blocks)
            shared = sum(words in form for form in self._title_forms) >= 2
            if named and not shared and held >= share * len(title) and span <= 1.5 * len(title):
                found.setdefault(name, set()).add(doc_id)
        # words that fit several titles (我们市安全生产条例 fits every city's) name none of them
        return sorted(next(iter(found.values()))) if len(found) == 1 else []

    @cached_property
    def _kinds(self) -> list[tuple[str, str]]:
        """(member, class), normalised: each special-equipment category and its aliases, and the class they make up."""
        taxonomy = self.pack.taxonomy
        kind = normalise_for_index(taxonomy.equipment_class)
        names = {normalise_for_index(n) for category, more in taxonomy.equipment.items() for n in (category, *more)}
        return sorted((name, kind) for name in names if name != kind)

    @cached_property
    def _regions(self) -> list[tuple[str, str]]:
        """(name as people write it, record region) for every region that has documents. A name stands for the
        region it is or one of its full names (深圳 → 深圳市, 深圳经济特区), never for the divisions within it
        (上海 is not 上海市浦东新区, 宁波 not 宁波杭州湾新区: their rules bind there only, and a question about the
        city at large asks about the city's); a division the question names itself is found as a place
        (places_named)."""
        present = {r.region for r in self.records.values() if r.region != "全国"}
        pairs = []
        for short, aliases in self.pack.taxonomy.regions.items():
            names = {short, *aliases}
            pairs += [(name, region) for region in present & names for name in names]
        return sorted(pairs, key=lambda p: (-len(p[0]), p))

    @cached_property
    def _region_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self._regions)

    @cached_property
    def _library_regions(self) -> frozenset[str]:
        """The regions of the library's documents."""
        return frozenset(r.region for r in self.records.values())

    def analyse(self, question: str) -> QueryPlan:
        norm = _DECREE_FORMS.sub(r"\1号令", normalise_for_index(question))
        plan = QueryPlan(question=question, expanded=question)
        remaining = norm
        for name, doc_id in self._names:
            if name in remaining:
                plan.documents.append(doc_id)
                plan.names.append(name)
                remaining = remaining.replace(name, "　")
        plan.documents = sorted(
            set(plan.documents), key=lambda d: (norm.find(next(n for n, i in self._names if i == d and n in norm)), d)
        )  # ties by id: not by a set's order
        # a title the knowledge base lacks (《煤矿安全监察条例》) names no other document sharing its words
        unknown = [name for name in named_documents(question) if not self._holds(name)]
        unheld = remaining
        for name in unknown:
            unheld = unheld.replace(normalise_for_index(name), "　")
        loose = [d for d in self._loosely_named(unheld) if d not in plan.documents]
        plan.documents += loose
        plan.names += [self.records[d].short_title for d in loose]
        plan.unnamed = remaining
        # 山东路, 浙江大学, 深圳大学: no place asked about
        remaining = default_forms().without_other_names(remaining, self._region_names)
        for name, region in self._regions:
            if name in remaining and region not in plan.regions:
                plan.regions.append(region)
                plan.names.append(name)
        # the places it names, with documents or not (我们厂在宁波市…, 浙江的企业…)
        plan.places = list(dict.fromkeys([*plan.regions, *default_forms().places_named(question, self._region_names)]))
        # the places named and the divisions they lie in (a zone named after its city, 济南高新区, in that city)
        seats = [seat for place in plan.places if (seat := default_forms().seat(place))]
        within = [*plan.places, *seats]
        within += [w for place in within for w in default_gazetteer().enclosing(place)]
        within += [region for name, region in self._regions if name in within]  # 深圳市 → 深圳经济特区
        plan.within = list(dict.fromkeys(within))
        # the regions of the library it names, however written (在沪 → 上海市); not those a place lies in, which
        # bind there but are not what it asks about (北仑区…工作目标 asks about 北仑区's report, not 浙江省's rules);
        # not the 山东省 of 山东省安全生产条例, a document named (the library's names as above: one pattern compiled)
        named = default_forms().places_named(remaining, self._region_names)
        plan.regions += [p for p in named if p in self._library_regions and p not in plan.regions]
        plan.articles = self._articles(norm, plan.documents)
        # a zone named as where the asker is (我们厂在工业园区里, 开发区内的企业) says where, like a place, not what is
        # asked about: no provision answers for holding its name (安全生产法第九条's 工业园区 for a staffing question)
        plan.setting = list(dict.fromkeys(_setting().findall(norm)))
        plan.unknown_documents = unknown
        # a place's own rules asked about that the library holds no text of: nothing in it says what they are (the
        # national rules bind there too, but they are not what is asked)
        plan.unheld_places = [
            place
            for place in plan.places
            if place not in self._library_regions
            and place not in self._region_names  # 深圳市: 深圳经济特区's
            and (
                _asks_own_rules(place, norm)
                or (len(plan.places) == 1 and _ITS_OWN.search(norm))
                or (
                    len(plan.places) == 1
                    and _LOCAL_RULES.search(norm)
                    and not any(w in self._library_regions for w in default_gazetteer().enclosing(place))
                )
            )
        ]
        # a matter another source sets, named (安全色); of another law's, a figure asked of it (产假多少天)
        outside = [
            (key, matter, source, figures)
            for key, matter, source, figures in self._outside_matters
            if key in norm and _at_word_start(key, norm)
        ]
        if any(figures for *_, figures in outside) and not any(map(self._figures.asked, question_parts(question))):
            outside = [entry for entry in outside if not entry[3]]
        plan.outside = [(matter, source) for _, matter, source, _ in outside]
        plan.outside_held = [
            source
            for source in dict.fromkeys(s for _, s in plan.outside)
            if (title := _TITLE.search(source)) and self._holds(title.group(1))
        ]
        plan.plans = bool(_REFERS_TO_PLAN.search(norm))
        plan.glossary = self._glossary(
            remaining
        )  # not the words of a title (生产安全事故 in 生产安全事故报告和调查处理条例)
        words = self.tokenizer.words(question)
        canonical = [entry.term for entry in plan.glossary]  # a term named by an alias: search its own name too
        translated = {w: self._lexicon[w].legal for w in words if w in self._lexicon and self._lexicon[w].applies(norm)}
        plan.legal_terms = list(dict.fromkeys([*translated.values(), *canonical]))
        plan.translations = translated
        plan.translations |= {
            key: entry.term for key, entry in self._glossary_names(remaining) if key != normalise_for_index(entry.term)
        }
        # the things it names of a class, in its words or the law's (叉车: 场（厂）内专用机动车辆)
        wording = "｜".join([norm, *(normalise_for_index(t) for t in plan.legal_terms)])
        plan.kinds = {name: kind for name, kind in self._kinds if name in wording}
        extra = [t for t in plan.legal_terms if normalise_for_index(t) not in norm]
        plan.expanded = question + (" " + " ".join(extra) if extra else "")
        return plan

    def _holds(self, name: str) -> bool:
        """Whether a document the question names by title is in the knowledge base (under any of its names)."""
        wanted = normalise_for_index(name).removeprefix(normalise_for_index(_NATIONAL))
        return any(wanted in known or known in wanted for known, _ in self._names)

    def _articles(self, norm: str, documents: list[str]) -> list[tuple[str, ArticleRef]]:
        if not documents:
            return []
        found = []
        for match in _ARTICLE.finditer(norm):
            if not all(well_formed(n) for n in match.group("num", "sub") if n):
                continue  # 第二十四二十四条 (pasted twice) names no article, not 第四十四条
            if not match.group(0).startswith("第") and (
                match.group("num") in _COUNTS or norm[max(0, match.start() - 1) : match.start()] in _POINTING
            ):
                continue  # 哪一条规定的, 这一条, 有两条: which one, this one, how many; not article 1 or 2
            try:
                ref = ArticleRef(
                    cn_to_int(match.group("num")), cn_to_int(match.group("sub")) if match.group("sub") else 0
                )
            except ValueError:
                continue
            head = norm[: match.start()]
            # an article of a law written right before it that the library lacks (…规定，刑法第一百三十四条之一)
            if _TITLE_ENDS.search(head) and not any(head.endswith(n) for d in documents for n in self._names_of[d]):
                continue
            # the document named closest before the article number
            before = [d for d in documents if any(n in head for n in self._names_of[d])]
            found.append((before[-1] if before else documents[0], ref))
        return found

    def _glossary_names(self, norm: str) -> list[tuple[str, GlossaryEntry]]:
        """(name as found, entry) for the glossary names in a question, starting or ending where a word does (事故
        报告时限 in 安全事故|报告|时限), not across two words (the 漏报 of 泄漏|报警), a name inside a longer one left
        out."""
        matched = [(key, entry) for key, entry in self._glossary_keys if key in norm and _at_word_edge(key, norm)]
        keys = [k for k, _ in matched]
        return [(key, entry) for key, entry in matched if not any(key != other and key in other for other in keys)]

    def _glossary(self, norm: str) -> list[GlossaryEntry]:
        kept: dict[str, GlossaryEntry] = {}
        for _, entry in self._glossary_names(norm):
            kept.setdefault(entry.id, entry)
        return list(kept.values())


def _word_edges(norm: str) -> set[int]:
    """Where the words of a text start and end."""
    edges, at = {0}, 0
    for word in words_as_written(norm):
        at += len(word)
        edges.add(at)
    return edges


def _at_word_start(key: str, norm: str) -> bool:
    """Whether a term occurs in a text where one of its words starts (产假 in 多少天产假, 听证 in 听证会; not the 产假
    of 生产假冒伪劣)."""
    edges = _word_edges(norm)
    return any(m.start() in edges for m in re.finditer(re.escape(key), norm))


def _at_word_edge(key: str, norm: str) -> bool:
    """Whether a term occurs in a text starting or ending where one of its words does (隐患 in 事故隐患, 事故 in 事故
    报告), not across two words while matching the edge of neither (the 漏报 of 泄漏报警)."""
    edges = _word_edges(norm)
    return any(m.start() in edges or m.end() in edges for m in re.finditer(re.escape(key), norm))


@lru_cache(maxsize=1)
def _setting() -> re.Pattern[str]:
    zones = "|".join(sorted(map(normalise_for_index, default_forms().regions["zones"]), key=len, reverse=True))
    return re.compile(rf"(?<=[在于])(?:{zones})|(?:{zones})(?=[里内中])")


def binds(region: str, within: list[str]) -> bool:
    """Whether a text of a region binds where the question asks about (QueryPlan.within: the places it names and
    the divisions they lie in): a national text everywhere, a local one in its own place and the places within it
    (浙江省's rules in 杭州市 and 余杭区, 青山市's in 青山市青山区), a district's where its city is asked about, and a
    district's recorded without its city (青山区) where the place is written with it (青山市青山区)."""
    return region == NATIONAL or any(p.startswith(region) or region.startswith(p) or p.endswith(region) for p in within)
