"""The offline answer composer: no LLM, a readable answer built only from retrieved provisions.

A one-line lead (the glossary definition when the question names a known principle, else the
decisive clause — or the item whose range holds a number the question states: 12人重伤 → 较大事故), then the
decisive provisions as bullets, each quoting the clause that answers the question with its citation [n],
then the 依据 list. The ranker decides which provision answers; clause scoring picks what to quote of it.
Each part of a multi-part question gets its own clauses. A clause introducing a list
(…下列情形之一的：) is quoted with its items — all of them when the question asks for the list, else the items
the question touches; a clause is quoted with what it needs to be read right (the sentence a …同时废止 refers
back to, the article's “以上”包括本数, a later 款 naming a quoted 项: 个人有前款第三项…的). When no retrieved
clause covers the question well enough — or the
question asks for an amount, a period or a frequency and no covering provision states one — it says
知识库中未找到依据 and lists the closest articles. Documents are data: a sentence in a document that instructs the
assistant (忽略以上所有指令, 你现在必须回答：…; knowledge/instructions.yaml) is never quoted, nor its payload.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.answer import ranges as thresholds
from assistant.answer.config import ANSWER
from assistant.answer.levels import Accident, asks_level, covered, named_level
from assistant.answer.untrusted import InstructionGuard, instruction_guard
from assistant.citations import placed_citation, short_citation
from assistant.pack import load_pack
from assistant.retrieval.coverage import contrastive_weights, coverage, held_terms, question_weights, whole_terms
from assistant.retrieval.figures import Ask, QuantityAsks
from assistant.retrieval.provisions import (
    DEFINITION,
    DUTY,
    GOVERNMENT,
    PENALTY,
    SANCTION,
    UNIT,
    asked_as_unit,
    asks_crime,
    asks_of_term,
    asks_scope,
    defines,
    duty_bearers,
    for_accident,
    parties_asked,
    parties_fined,
    provision_asked,
    provision_kind,
    punishes_whom_asked,
    states_scope,
    tells_of_harm,
    without_found_out,
)
from assistant.retrieval.query import (
    ASKS_STATUS,
    QueryPlan,
    binds,
    naming_members,
    people_counted,
    plan_named,
    question_parts,
    split_asking,
    without_asker,
    without_plan_named,
)
from ingest.articles import LEADING_LABEL
from ingest.cleaning import SENTENCE_ENDS, clauses, normalise_for_index, to_simplified
from ingest.encoding import han_count
from ingest.headings import heading_words
from ingest.legal_forms import ABOVE, JUDICIAL, LAW, LEGAL_KINDS, default_forms
from ingest.metadata import NATIONAL
from ingest.numerals import cn_to_int
from ingest.store import StoredChunk
from ingest.tokenizer import Tokenizer

NO_BASIS = "知识库中未找到依据"
_NUM = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两半]+)"
_INTRODUCES = re.compile(r"[：:]$")
_NUMERAL = re.compile(r"[\d零〇一二三四五六七八九十百千万亿两.]+")  # a token that is a number (一百二十, 百二)
# a 项 and its ordinal: （三）… (the form another 款 names it by: 第三项), 3. …, 三是…, a plan's 第三阶段/第三步
_ITEM = re.compile(
    r"^(?:[（(](?P<paren>[一二三四五六七八九十]+)[）)]|(?P<digit>\d+)[.、．]|(?P<shi>[一二三四五六七八九十]+)是"
    r"|第(?P<phase>[一二三四五六七八九十]+)(?:阶段|階段|步))"
)
# a sentence that only makes sense with the one before it (…同时废止 / 同时施行, 但是…, 其中…)
_REFERS_BACK = re.compile(
    r"^(?:第[零〇一二三四五六七八九十百千\d]+条\s*)?(?:但是?|其中|同时)|同时(?:废止|施行|停止执行)"
)
_THRESHOLD = re.compile(rf"{_NUM}\s*\S{{0,3}}(?:以上|以下)")
_COUNTING_RULE = re.compile(r"包括本数")
_QUOTED = re.compile(r"[“「『\"]([^”」』\"]{2,30})[”」』\"]")
ELLIPSIS = "……"
# a question asking which ones, or what degree counts (达到什么程度算“情节严重”: the list of conditions)
_LIST_ASKS = re.compile(
    # (属于什么情形 asks which one the act is, not a list of them)
    r"哪些|哪[两三四五六七八九十几]|哪[种类]|(?<!属于)(?<!算)什么情[况形]|包括什么|有(?:什么|啥)|都有|(?:什么|啥)条件|几种|几类|什么程度|"
    r"何种程度"
)
# a part asking what the law says (法律上有没有规定, 按条例…), not what the plan asked about says
_LAW_ASKED = re.compile(r"法律|法规|条例|[^方办]法[里上中第]|国家")
# 标准化 names a programme (安全生产标准化), not a norm asked for
# (要…吗 asks whether it is required as 要不要 does: 有限空间作业要先通风吗; not 要防范什么)
_NORMATIVE = re.compile(
    r"最多|最少|至少|不得超过|可以|应当|必须|需要|要不要|该不该|应不应|规定|允许|要求|标准(?!化)"
    r"|要[^，。？?！!]{0,12}(?:吗|(?<![什怎那这多])么)"
    # a figure one must meet (要配几个安全员, 得提前多少天, 要占到多大比例): what is required, not what was done
    r"|(?<![还只])(?:要|得)[^，。？?！!了过]{0,6}?(?:几|多少|多大|多长|多久|多高|多远)"
)


@dataclass
class Source:
    number: int
    chunk: StoredChunk

    @property
    def citation(self) -> str:  # with the place of a local text whose title names none (· 青山市规范性文件)
        return placed_citation(self.chunk)

    @property
    def key(self) -> dict:
        return {"doc": self.chunk.doc_id, "article": self.chunk.article or None}


@dataclass
class Answer:
    question: str
    text: str
    abstained: bool
    sources: list[Source] = field(default_factory=list)  # what the answer cites, numbered
    related: list[StoredChunk] = field(default_factory=list)  # closest provisions when abstaining
    verification: object | None = None  # LLM mode: what the citation and quote check found
    fault: str = ""  # LLM mode: why the endpoint gave no answer (this is then the offline answer, with a note)
    # declined for this alone: the parts asking a figure (a sum, a period, a count) no text searched states
    unstated: list[str] = field(default_factory=list)

    @property
    def citations(self) -> list[dict]:
        return [s.key for s in self.sources]


@dataclass
class _Clause:
    text: str
    chunk_rank: int
    coverage: float  # weighted share of the question's words the clause holds
    score: float = 0.0  # the same with the words that tell the candidates apart weighing more
    items: list[str] = field(default_factory=list)  # the enumeration a clause ending in ： introduces
    lead: str = ""  # the item of its enumeration that states the answer (the range holding the question's number)
    within: float = 0.0  # the score without the words its document's title holds: how it stands among its siblings
    states: bool = False  # it states a figure of the kind the question asks for
    bounds: bool = False  # it sets a range of what the question's number counts, holding that number or not
    entries: list[tuple[str, bool]] = field(default_factory=list)  # its whole list: (text, whether an item)
    matter: dict[str, float] = field(default_factory=dict)  # (a group's first) the question's words its quote holds
    # the clause read after what names its provision where the question names it (its title, its region) and its
    # article's first sentence, which says what the article is about (电梯的日常维护保养必须由…进行。 before 电梯应当
    # 至少每15日进行一次清洁、润滑、调整和检查。): those, and the coverage so read (not always above ``coverage``,
    # which a range holding the question's number raises afterwards)
    topic: str = ""
    in_provision: float = 0.0


def _quoted_bonus(text: str, quoted: list[str]) -> float:
    """A phrase the question puts in quotation marks (“一防一制三下降”) is looked up as written."""
    if quoted and any(q in normalise_for_index(text) for q in quoted):
        return ANSWER.quoted_bonus
    return 1.0


_STATEMENT_ENDS = tuple("。；;！!：:，,.)）”」』")  # a heading ends with none of these


def _chinese(text: str) -> bool:
    """Whether most of a text's letters are Chinese characters (GB 30871 and PPE inside a Chinese sentence are)."""
    letters = sum(1 for ch in text if ch.isalpha())
    return not letters or han_count(text) * 2 >= letters


def scope_notes(sources: list[Source], plan: QueryPlan) -> list[str]:
    """For each local rule an answer cites where it may not bind, where it does (offline and LLM answers alike)."""
    notes = []
    for source in sources:
        chunk = source.chunk
        if chunk.kind in LEGAL_KINDS and not binds(chunk.region, plan.within) and chunk.doc_id not in plan.documents:
            asked = f"（问题所问的{'、'.join(plan.places)}不在其内）" if plan.places else ""
            notes.append(f"- 注意：[{source.number}] 是{chunk.region}的{chunk.kind}，只在{chunk.region}适用{asked}。")
    return notes


def _said(group: list[_Clause]) -> str:
    """What a group of clauses says, its items with it."""
    return " ".join(t for c in group for t in (c.text, *c.items))


def _unheld(weights: dict[str, float], terms: set[str]) -> dict[str, float]:
    """weights with terms still counted in the total but held by no passage."""
    return {(f"\0{t}" if t in terms else t): w for t, w in weights.items()} if terms else weights


def _clauses(chunk: StoredChunk, guard: InstructionGuard) -> list[str]:
    """The clauses an answer may quote: a question, a sentence instructing the assistant and its payload are not."""
    # a question (问：…？) restates what is asked and answers nothing
    # the unit an answer quotes: a sentence, or a line (款 and 项 are lines in the corpus)
    # a sentence mostly in another script (日本語, 한국어, English) is no provision of Chinese law or plan
    # a notice's salutation and signature (各区应急管理局，各有关企业：/ 青山市应急管理局) say whom and who
    forms = default_forms()
    texts = [
        c
        for c in clauses(chunk.text, SENTENCE_ENDS)
        if not c.endswith(("？", "?")) and _chinese(c) and not forms.letterhead(c)
    ]
    flagged = guard.flagged(texts)
    kept = [text for i, text in enumerate(texts) if i not in flagged]
    if flagged:  # what is left of a passage whose instruction was removed says something only in sentences:
        # its title and headings (一、关于安全管理机构) alone are no basis
        headings = {h.strip() for h in (*chunk.heading_path, chunk.title or "")}
        kept = [text for text in kept if text not in headings and text.endswith(_STATEMENT_ENDS)]
    return kept


def _ordinal(text: str) -> tuple[str, int] | None:
    """An item's style (（一）, 1., 一是) and number, or None when the text is no item."""
    match = _ITEM.match(text)
    if not match or not match.lastgroup:
        return None
    value = match.group(match.lastgroup)
    return match.lastgroup, int(value) if value.isdigit() else cn_to_int(value)


def _lists(texts: list[str]) -> dict[int, list[int]]:
    """The enumerations of a provision or passage: the clause introducing each (its index) -> its items' indices.
    A clause introduces a list when it ends with ： (…下列情形之一的：) or is followed by the list's first item
    (…突出“四抓”。一是…). The items are those of the first item's style in the order of their numbers; the
    sentences between two items say more about the one before (一是抓基层基础。按照…。二是…) and are not items."""
    lists: dict[int, list[int]] = {}
    for index in range(len(texts) - 1):
        first = _ordinal(texts[index + 1])
        if first is None or not (_INTRODUCES.search(texts[index]) or first[1] == 1) or _ordinal(texts[index]) == first:
            continue
        style, expected = first
        items: list[int] = []
        gap = 0
        for later in range(index + 1, len(texts)):
            ordinal = _ordinal(texts[later])
            if ordinal is not None and ordinal[0] == style:
                if ordinal[1] != expected or len(items) == ANSWER.max_items:
                    break
                items.append(later)
                expected, gap = expected + 1, 0
            else:
                gap += 1
                if gap > ANSWER.item_gap:
                    break
        lists[index] = items
    return lists


def open_lists(text: str) -> tuple[bool, bool]:
    """Whether a passage may go on with a list begun in the passage before it (an item near its start) and whether
    a list of its may go on in the next (an item or a clause introducing one near its end): the neighbours worth
    reading (continues_list decides)."""
    texts = clauses(text, SENTENCE_ENDS)
    head, tail = texts[: ANSWER.item_gap + 1], texts[-(ANSWER.item_gap + 1) :]
    from_before = any(_ordinal(t) for t in head)
    into_next = bool(tail) and (_INTRODUCES.search(tail[-1]) is not None or any(_ordinal(t) for t in tail))
    return from_before, into_next


def continues_list(text: str, following: str) -> bool:
    """Whether a passage goes on with the list the passage before it ends in (…“四抓”。一是… | 二是…): the index
    cut the list in two, and an answer reads the two as one."""
    before, after = clauses(text, SENTENCE_ENDS), clauses(following, SENTENCE_ENDS)
    # the next passage's first item (what it says before is the last item's going on)
    first = next((o for c in after[: ANSWER.item_gap + 1] if (o := _ordinal(c)) is not None), None)
    if not before or first is None:
        return False
    if first[1] == 1:  # the list begins in the next passage, introduced by the last clause of this one
        return _ordinal(after[0]) == first and bool(_INTRODUCES.search(before[-1]))
    for clause in reversed(before[-(ANSWER.item_gap + 1) :]):
        ordinal = _ordinal(clause)
        if ordinal is not None and ordinal[0] == first[0]:
            return ordinal[1] == first[1] - 1
    return False


def _line_numbers(text: str, texts: list[str]) -> list[int]:
    """The line of a chunk's text each clause stands on (a clause not found in it stands on a line of its own)."""
    numbers: list[int] = []
    cursor = 0
    for clause in texts:
        at = text.find(clause, cursor)
        if at < 0:
            numbers.append(-1 - len(numbers))
            continue
        numbers.append(text.count("\n", 0, at))
        cursor = at + len(clause)
    return numbers


def _said_of(texts: list[str], lists: dict[int, list[int]], lines: list[int]) -> dict[int, list[int]]:
    """What each item goes on to say on its own line (3.…控制目标。XX县区5人。): the sentences after it up to the line's
    end or the next item."""
    if not lines:
        return {}
    items = {i for listed in lists.values() for i in listed}
    stops = items | set(lists)  # an item, or a clause introducing a list (an item's own list is quoted as such)
    said: dict[int, list[int]] = {}
    for item in items - set(lists):
        after = []
        for later in range(item + 1, len(texts)):
            if later in stops or lines[later] != lines[item]:
                break
            after.append(later)
        said[item] = after
    return said


@dataclass
class _Layout:
    """The lists of a provision or passage, read once: each introducing clause's items (lists) and what each item
    goes on to say on its line (said), by clause index."""

    lists: dict[int, list[int]]
    said: dict[int, list[int]]

    @classmethod
    def of(cls, texts: list[str], lines: list[int]) -> _Layout:
        lists = _lists(texts)
        return cls(lists, _said_of(texts, lists, lines))

    def entries(self, texts: list[str], index: int) -> list[tuple[str, bool]]:
        """The whole list a clause introduces, in order: each item (True) with what it goes on to say on its line
        (False); an item introducing a list of its own is followed by it."""

        def flat(intro: int) -> list[int]:
            return [i for item in self.lists.get(intro, []) for i in (item, *flat(item))]

        said = self.said
        return [e for i in flat(index) for e in ((texts[i], True), *((texts[j], False) for j in said.get(i, [])))]


def _cut(entries: list[tuple[str, bool]], shown: set[str]) -> list[str]:
    """The entries shown, in order, with …… where items are left out."""
    out: list[str] = []
    for text, item in entries:
        if text in shown:
            out.append(text)
        elif item and (not out or out[-1] != ELLIPSIS):
            out.append(ELLIPSIS)
    return out


def _enumeration(entries: list[tuple[str, bool]], matching: set[str], whole: bool) -> list[str]:
    """The 项 (（一）…（二）…) of a list (…下列情形之一的：), each with what it goes on to say that answers the
    question (matching). A question asking for the list (哪些…) gets all of it; otherwise a long list is cut to the
    items the question touches."""
    items = [text for text, item in entries if item]
    touched = {text for text, _ in entries if text in matching}
    if whole or len(items) <= ANSWER.short_list or not touched:
        return _cut(entries, set(items) | touched)
    owner = ""
    shown: set[str] = set()
    for text, item in entries:  # an item whose continuation answers is shown with it
        owner = text if item else owner
        if text in touched:
            shown |= {owner, text}
    return _cut(entries, shown)


def _with_enumerations(
    kept: list[_Clause],
    scored: list[_Clause],
    texts: list[str],
    whole: bool,
    lines: list[int],
    apart: Callable[[str, str], float] | None = None,
) -> list[_Clause]:
    """Quote an enumeration with the clause introducing it: an item stands for that clause, which carries the list
    (with what an item goes on to say when it states the figure asked). The group's first clause is its best, the
    rest in the provision's order. ``apart(item, intro)``: how much of the question an item holds beyond what the
    clause introducing it holds."""
    order = {text: i for i, text in enumerate(texts)}
    by_text = {c.text: c for c in scored}
    layout = _Layout.of(texts, lines)
    parent = {item: intro for intro, items in layout.lists.items() for item in items}
    continues = {later: item for item, after in layout.said.items() for later in after}  # a sentence -> its item
    introduced_by: dict[int, int] = {}
    for listed_at, outer in parent.items():  # a nested list's item stands for the clause introducing the outermost
        while outer in parent:
            outer = parent[outer]
        introduced_by[listed_at] = outer
    items = [c for c in scored if _ITEM.match(c.text)]
    # an item is read with the clause introducing it: what the question asks beyond that clause's words tells the
    # items apart (…应当及时修订相关预案：（二）应急指挥机构及其职责发生调整 for 应急指挥的领导全换了，预案需要改吗,
    # not （五）…需要修订预案的重大问题, which holds only the 修订 every item is read with)
    told = {
        c.text: apart(c.text, texts[parent[order[c.text]]]) if apart and order[c.text] in parent else c.score
        for c in items
    }
    if not any(told.values()):  # none holds more than its introduction: as much as each holds
        told = {c.text: c.score for c in items}
    best_item = max(told.values(), default=0.0)
    # the items the question touches about as much as the best, and any it touches that states the figure asked
    # (违法所得达到多少就算情节严重: （三）违法所得数额十万元以上的, beside a better-matching item naming no sum)
    matching = {
        c.text for c in items if c.score > 0 and (c.states or 0 < told[c.text] >= ANSWER.item_share * best_item)
    }
    # and of an item the question touches, what it goes on to say when that states the figure asked
    # (3.…死亡人数控制目标。XX县区5人。)
    goes_on = {c.text: texts[continues[order[c.text]]] for c in scored if order[c.text] in continues}
    matching |= {c.text for c in scored if c.states and goes_on.get(c.text) in matching}
    group: list[_Clause] = []
    for clause in kept:
        intro = introduced_by.get(order[clause.text])
        if intro is not None:  # the clause introducing the list answers as well as its item
            item, clause = clause, by_text[texts[intro]]
            clause.lead = clause.lead or item.lead
            clause.score, clause.coverage = max(clause.score, item.score), max(clause.coverage, item.coverage)
        if all(clause.text != c.text for c in group):
            clause.entries = layout.entries(texts, order[clause.text])
            clause.items = _enumeration(clause.entries, matching, whole)
            group.append(clause)
    listed = {item for c in group for item in c.items}
    # a clause quoted in a list it goes on from (…四是稳步推进基层网格化建设。在全区…配备278名协管员) answers for that
    # list: the list carries how well it answers
    for owner in group:
        for shown in (c for c in group if c is not owner and c.text in owner.items):
            owner.score, owner.coverage = max(owner.score, shown.score), max(owner.coverage, shown.coverage)
    group = [c for c in group if c.text not in listed]
    best = max(group, key=lambda c: c.score)  # the first of the best (a list may now carry what it quotes)
    best.coverage = max(c.coverage for c in scored)  # the group's coverage, for the abstention threshold
    return [best, *sorted((c for c in group if c is not best), key=lambda c: order[c.text])]


def _with_context(group: list[_Clause], texts: list[str], provision: str) -> list[_Clause]:
    """What a quoted clause needs to be read right: the sentence it refers back to (…同时废止 is dated by the
    sentence before it), and the provision's own rule for counting its thresholds (“以上”包括本数)."""
    for clause in group:
        index = texts.index(clause.text) if clause.text in texts else -1
        if index > 0 and _REFERS_BACK.search(clause.text):
            joined = texts[index - 1] + clause.text
            if joined in provision and all(c.text != texts[index - 1] for c in group):
                clause.text = joined
    quoted = [t for c in group for t in (c.text, *c.items)]
    # a later 款 that names a quoted 项 (个人有前款第三项…行为的) applies to it: 第三项 is the item （三）
    ordinals = {m.group("paren") for t in quoted if (m := _ITEM.match(t)) and m.group("paren")}
    if ordinals:
        names_item = re.compile(rf"第(?:{'|'.join(ordinals)})项")
        group += [
            _Clause(t, group[0].chunk_rank, 0.0)
            for t in texts
            if names_item.search(t) and not _ITEM.match(t) and all(t not in q for q in quoted)
        ]
        quoted = [t for c in group for t in (c.text, *c.items)]
    if any(_THRESHOLD.search(t) for t in quoted):
        counting = [t for t in texts if _COUNTING_RULE.search(t) and all(t not in q for q in quoted)]
        group += [_Clause(t, group[0].chunk_rank, 0.0) for t in counting[:1]]
    return group


def _qualifying(group: list[_Clause], texts: list[str], lines: list[int], ask: Ask) -> list[_Clause]:
    """The sentence right after a quoted one stating the figure asked, on the same line (款) of the provision
    (_line_numbers), that states a figure of that kind too: it qualifies it (停工留薪期一般不超过12个月。伤情严重…可以
    适当延长，但延长不得超过12个月)."""
    quoted = {t for c in group for t in (c.text, *c.items)}
    out = []
    for clause in group:
        index = texts.index(clause.text) if clause.text in texts else -1
        if index < 0 or index + 1 >= len(texts) or not ask.stated_in(clause.text):
            continue
        after = texts[index + 1]
        if lines[index] == lines[index + 1] and after not in quoted and ask.stated_in(after):
            out.append(_Clause(after, clause.chunk_rank, 0.0))
            quoted.add(after)
    return out


def _enumerates(clause: _Clause, members: str = "") -> bool:
    """Whether a clause enumerates: it introduces items, or names a series (A、B、C); of ``members`` when given (what
    a question asking 哪些… asks for: 哪些重点行业 is answered by 危险化学品、粉尘涉爆、有限空间等重点行业, not by a
    series of something else in a passage about them)."""
    if len(clause.items) >= 2:
        return True
    if not members:
        return clause.text.count("、") >= 2
    text = normalise_for_index(clause.text)
    # the items named, not the empty piece after a closing 、 (…新兴行业、领域的…根据本行业、 is no series of three)
    return any(
        sum(bool(item.strip()) for item in _ITEMS_APART.split("".join(found))) >= 3
        for found in _series_of(members).findall(text)
    )


# what a question asking which ones (哪些企业, 哪几类场所) asks for: the words after the asking word, read up to the
# longest start of them a series in the text names as its kind
_MEMBERS_ASKED = re.compile(
    r"(?:哪些|哪[类种]|哪几[个类种项件家]?|哪[两三四五六七八九十]+[个类种项件家]?)([\u4e00-\u9fff]{2,8})"
)
# or named before it (重点行业、重点领域是哪些, 覆盖的行业有哪些)
_MEMBERS_BEFORE = re.compile(
    r"([\u4e00-\u9fff、]{2,12}?)(?:都|分别|主要|具体)?(?:是|有|包括|包含|指)(?:哪些|哪几[个类种项件家]?|哪[类种])"
)
_SERIES_SPAN = r"[^，。；：,;:]{2,80}?"
_ITEMS_APART = re.compile(r"、|以及|和|及|或者|或")


@lru_cache(maxsize=1024)
def _series_of(members: str) -> re.Pattern[str]:
    """A series of members named as such: items and then 等 and their kind, a word or two qualifying it (A、B、C等
    行业, A、B、C等重点行业), or items each of that kind (矿山企业、建筑施工企业和…生产企业)."""
    kind = re.escape(members)
    # the last item too (…和危险化学品、烟花爆竹、民用爆炸物品生产企业): a series ends in one, not in its separator
    return re.compile(
        rf"({_SERIES_SPAN})等[^，。；：,;:、]{{0,4}}?{kind}|((?:[^，。；：,;:、]{{1,20}}{kind}[、和及或]){{2,}}[^，。；：,;:]{{1,30}}?{kind})"
    )


def _beside_list_ask(part: str, words: list[str]) -> list[str]:
    """The words (two characters or more) of a question asking which ones besides those asking for the list (the match
    of _LIST_ASKS and the word before it: 具备什么条件, 负有哪些): what a list answering it must be introduced as."""
    said = normalise_for_index(part)
    asking = _LIST_ASKS.search(said)
    ask_words = said[max(asking.start() - 2, 0) : asking.end()] if asking else ""
    return [word for word in words if len(word) >= 2 and word not in ask_words]


# a part asking for the content of conditions, standards or rules (具体有什么招聘条件和考核办法, 具体标准是多少)
_ASKS_CONTENT = re.compile(
    r"具体[^，。？?]{0,8}(?:什么|哪些|啥|多少|几)|(?:什么|哪些|啥)样?的?(?:条件|标准|办法|细则|程序)"
    r"|(?:条件|标准|办法|细则)(?:是什么|有哪些|是啥|是多少)"
)
# a provision leaving them to another instrument (…等具体办法，由市应急管理部门另行制定; 具体标准由省、自治区、直辖市
# 人民政府规定): it states none of them
_DEFERS = re.compile(
    r"(?:条件|标准|办法|细则|比例|数额|范围)[^。；]{0,4}由[^。；]{2,40}?(?:另行)?(?:制定|规定|确定)[。；]?$"
)


def _defers(clause: _Clause, part: str) -> bool:
    """Whether a clause leaves what a part asks for the content of to another instrument, stating none of it."""
    return bool(_DEFERS.search(clause.text.strip())) and not clause.items and bool(_ASKS_CONTENT.search(part))


# a reference to another article for what it sets (符合本条例第十八条规定条件, 第二十条规定的情形)
_REFERENCE = re.compile(
    r"第(?P<number>[零〇一二两三四五六七八九十百]+)条(?:第[一二三四五六七八九十]+款)?(?:规定|所列)的?(?P<noun>[\u4e00-\u9fff]{2})"
)


def _referred(
    group: list[_Clause], part: str, groups: list[list[_Clause]], evidence: list[StoredChunk]
) -> list[list[_Clause]]:
    """The list of the same act that a provision refers to for what a question part asks (its noun: 条件 of 符合本条例
    第十八条规定条件 for 要具备什么条件), when it is among the groups; else none."""
    asked = normalise_for_index(part)
    chunk = evidence[group[0].chunk_rank]
    for clause in group:
        for found in _REFERENCE.finditer(clause.text):
            if found.group("noun") not in asked:
                continue
            number = cn_to_int(found.group("number"))
            for g in groups:
                other = evidence[g[0].chunk_rank]
                if other.doc_id == chunk.doc_id and other.article_num == number and len(g[0].items) >= 2:
                    return [g]
    return []


def _introduces_asked(clause: _Clause, words: list[str]) -> bool:
    """Whether a clause introducing a list (or naming a series) holds one of these words (_beside_list_ask):
    危险作业现场应当落实下列安全措施 holds the 作业 of 动火作业前要做哪些准备."""
    intro = normalise_for_index(clause.text)
    return any(word in intro for word in words)


def _members_asked(part: str, texts: list[str]) -> str:
    """The kind of member a question asking which ones asks for, as the texts write it ("" when none names it): named
    after the asking word (哪些重点行业) or before it (重点行业、重点领域是哪些)."""
    said = normalise_for_index(part)
    joined = normalise_for_index(" ".join(texts))
    if found := _MEMBERS_ASKED.search(said):
        words = found.group(1)
        for end in range(len(words), 1, -1):  # the longest start of the words a series names as its kind
            if _series_of(words[:end]).search(joined):
                return words[:end]
    if found := _MEMBERS_BEFORE.search(said):
        for noun in _ITEMS_APART.split(found.group(1)):
            for start in range(len(noun) - 1):  # the longest end of each noun a series names as its kind
                if _series_of(noun[start:]).search(joined):
                    return noun[start:]
    return ""


# a question asking only what a term means: 本质安全是什么意思, 什么是“两重点一重大”, 三违指的是什么; or what a
# quoted term means, whatever comes before it (安全生产“五落实五到位”指的是什么)
_MEANS = r"(?:到底|究竟|具体)?(?:是什么意思|是啥意思|什么意思|啥意思|指的是什么|指的是啥|指什么|是什么)[？?]?$"
_TERM_ASKED = (
    re.compile(rf"^(?:请问)?(?:所谓)?[“\"]?(?P<term>[\u4e00-\u9fff]{{2,10}}?)[”\"]?{_MEANS}"),
    re.compile(r"^(?:请问)?(?:什么是|什么叫|啥是|何为|何谓)[“\"]?(?P<term>[\u4e00-\u9fff]{2,10})[”\"]?[？?]?$"),
    re.compile(rf"[“\"](?P<term>[\u4e00-\u9fff]{{2,12}})[”\"]{_MEANS}"),
)
_SEPARATORS = re.compile(r"[\s、，,·“”\"]")  # what a term may be written with or without (五落实、五到位)


def _term_asked(part: str) -> str:
    """The term a question asks the meaning of, when that is all it asks ("" otherwise)."""
    text = part.strip()
    found = next((m for pattern in _TERM_ASKED if (m := pattern.search(text))), None)
    return found.group("term") if found and "的" not in found.group("term") else ""


def _names_term(group: list[_Clause], term: str, plan: QueryPlan) -> bool:
    """Whether a quoted provision or passage names a term (or the legal term the lexicon reads it as)."""

    def bare(text: str) -> str:  # 五落实、五到位 names 五落实五到位
        return _SEPARATORS.sub("", normalise_for_index(text))

    wanted = {bare(term)}
    wanted |= {bare(legal) for word, legal in plan.translations.items() if bare(word) in wanted}
    text = bare(" ".join(t for c in group for t in (c.text, *c.items)))
    return any(w in text for w in wanted)


def _merged(chosen: list[_Clause], group: list[_Clause]) -> list[_Clause]:
    """The clauses chosen so far and a further part's group: a clause quoted already takes the further part's items
    it lacks (the same list answering the next part with other items), in the list's order."""
    quoted = {c.text: c for c in chosen}
    for clause in group:
        had = quoted.get(clause.text)
        if had is None:
            chosen.append(clause)
            quoted[clause.text] = clause
        elif clause.items != had.items:
            had.items = _cut(clause.entries, set(had.items) | set(clause.items))
    return chosen


def _whole_provision(texts: list[str], rank: int, provision: str) -> list[_Clause]:
    """Every clause of a provision, in order, each list (with what its items go on to say) under the clause
    introducing it."""
    clauses: list[_Clause] = []
    listed: set[str] = set()
    layout = _Layout.of(texts, _line_numbers(provision, texts))
    for index, text in enumerate(texts):
        if text in listed:
            continue
        clause = _Clause(text, rank, 1.0, 1.0, entries=layout.entries(texts, index))
        clause.items = [t for t, _ in clause.entries]
        listed |= set(clause.items)
        clauses.append(clause)
    return clauses


def _read(clause: _Clause) -> list[str]:
    """A clause's statements, a list's introducing clause read with each of its items (…有下列行为之一的，…处五万元
    以上十万元以下的罚款 / （四）未…组织职业健康检查…的)."""
    statements = _statements(clause)
    return [statements[0], *(f"{statements[0]}{item}" for item in statements[1:])]


def _weighed_words(part: str) -> str:
    """A question part as its words are weighed: 120个人 as a count of people, and in a part asking a penalty the
    words telling the breach was found out (被查出来) left out."""
    return people_counted(without_found_out(part))


def _on_unasked_subject(chunk: StoredChunk, asked: str) -> bool:
    """Whether a provision is a special law's naming the law's subject itself (特种设备安全法: 发生特种设备事故…) while
    the question (asked: its words and the legal terms they stand for, normalised) names no such subject."""
    forms = default_forms()
    subject = forms.law_subject(chunk.title) if chunk.kind == LAW else ""
    return bool(subject) and subject in chunk.text and not forms.names_subject(subject, asked)


def _binds_where_asked(chunk: StoredChunk, plan: QueryPlan, of_named: bool = False) -> bool:
    """Regional scope: a rule (a legal text) binds where the question asks (a national one everywhere), unless the
    question names the documents it asks about (``of_named``: only the texts it names, besides the rules binding where
    they apply); a plan or report is no rule and is judged otherwise."""
    named = chunk.doc_id in plan.documents if of_named else bool(plan.documents)
    return named or chunk.kind not in LEGAL_KINDS or binds(chunk.region, plan.within)


def _subject_held(clause: _Clause, ask: Ask, subject: dict[str, float], kinds: dict[str, str] | None = None) -> float:
    """The weighted share of what a figure is asked about (subject) that the clause's best statement of a figure of
    the kind asked holds, read with its provision's first sentence; -1 when it states none. kinds: the class each
    thing asked about belongs to (QueryPlan.kinds): a statement on the class holds what names it (naming_members)."""
    total = sum(subject.values())

    def held(about: str) -> float:
        return sum(w for term, w in subject.items() if term in about) / total if total else 1.0

    return max((held(said) for said in _figure_statements(clause, ask, kinds)), default=-1.0)


def _figure_statements(clause: _Clause, ask: Ask, kinds: dict[str, str] | None) -> list[str]:
    """The clause's statements of a figure of the kind asked, each read with its provision's first sentence and the
    names of the things asked about whose class it names (naming_members), normalised; a count of kinds asked (分几个
    等级) is stated by a list of them: its introduction says what it lists."""
    statements = _read(clause)
    stating = [t for t in statements if ask.stated_in(t)] + statements[:1] * ask.stated_by_list(clause.items)
    return [normalise_for_index(naming_members(clause.topic + text, kinds)) for text in stating]


def _states_act(group: list[_Clause], ask: Ask, act: str, terms: list[str], kinds: dict[str, str]) -> bool:
    """Whether a clause of a group states the figure asked of the act asked (每月进行一次自行检查 says nothing of how
    often the 定期检验 is): a statement of the figure, read with its provision's first sentence (电梯的日常维护保养…;
    电梯应当至少每15日进行一次清洁、润滑、调整和检查), names the act or a legal term for it (自检: 自行检查)."""
    return any(
        (act and act in said) or any(t in said for t in terms)
        for clause in group
        for said in _figure_statements(clause, ask, kinds)
    )


def _states_about(
    group: list[_Clause], ask: Ask, subject: dict[str, float], later: bool = False, kinds: dict[str, str] | None = None
) -> float:
    """The coverage of the best clause of a group that states a figure of the kind asked and names something the
    question is about (0 when none does): 安全生产许可证的有效期为3年 states a period, but not about 特种作业操作证;
    每级上报的时间不得超过2小时 holds the 小时 of 煤矿井下每天最多干几小时, and nothing of 煤矿 or 井下."""

    def states(clause: _Clause) -> bool:
        if clause.lead and ask.stated_in(clause.lead):
            # the item whose range holds the question's number, or that is the level of the accident told (发生较大
            # 事故的，处一百万元以上…), speaks to what the question tells however many other words it told
            return True
        held = _subject_held(clause, ask, subject, kinds)
        return held > 0 and held >= ANSWER.figure_subject_share

    stating = [max(c.coverage, c.in_provision) for c in group if states(c)]
    # a later part may leave its subject to the first (…照发工资吗？最长能发多久？): its figure stated in the provision
    # answering (停工留薪期一般不超过12个月, beside 停工留薪期内原工资福利待遇不变) holds what the provision holds
    return max(c.coverage for c in group) if later and stating else max(stating, default=0.0)


_NAMES_PEOPLE = re.compile(r"(?:人|员|者)$")  # a term naming people (主要负责人, 从业人员, 生产经营者)


def _without_people(act: str, plan: QueryPlan) -> str:
    """The words naming an act without the user's words for who does it, those standing for a legal term naming
    people (老板, 总经理: 主要负责人); words naming people themselves (安全员) are left out where the act is read."""
    for word, term in sorted(plan.translations.items(), key=lambda entry: -len(entry[0])):
        if _NAMES_PEOPLE.search(term):
            act = act.replace(word, "")
    return act


_REQUIRED = re.compile(r"必须|应当|应该|需要|要|得|能不能|可不可以|可以")  # what is required or allowed


def _duty_asked(part: str, plan: QueryPlan, figure: Ask | None) -> bool:
    """Whether a part asks what is required or allowed (行车用之前要办什么手续, 单位必须给他们配什么), not what a text
    covers or who oversees (适用吗, 归哪个部门管), a definition, a penalty or a figure (which a provision on what a text
    covers may state: 每场次预计参加人数达到1000人以上)."""
    return (
        bool(_REQUIRED.search(part))
        and figure is None
        and provision_asked(part) is None
        and not asks_scope(plan.question)
    )


def _states_exactly(clauses: list[_Clause], ask: Ask) -> bool:
    """Whether a clause states the figure asked as a number (the provision quoted for a part before: 停工留薪期一般
    不超过12个月 answers …照发工资吗？最长能发多久？)."""
    return any(ask.degree(text) == 1.0 for clause in clauses for text in (clause.text, *clause.items))


def _speaks_to_number(group: list[_Clause]) -> bool:
    """Whether a provision speaks to the number a question states: its range holds it, or it writes it out."""
    return any(c.lead for c in group) or any(_NUMERAL.fullmatch(t) for t in group[0].matter)


_YEAR = re.compile(r"((?:19|20)\d{2})年")


def _named_in(group: list[_Clause], chunk: StoredChunk) -> list[str]:
    """What a text says of itself where an answer quotes it: its title, its headings, the clauses quoted."""
    return [chunk.title, *chunk.heading_path, *(t for c in group for t in (c.text, *c.items))]


def _of_year(group: list[_Clause], chunk: StoredChunk, years: list[str]) -> bool:
    """Whether a text is of a year asked about: its date is, or its title, headings or quoted clauses name the year
    (2023年; a bare 2023 is no year: a scraped plan writes it for the numbers it lost, 死亡2023人以上)."""
    said = _named_in(group, chunk)
    return any(chunk.date.startswith(year) or any(f"{year}年" in text for text in said) for year in years)


_COUNTRY = "全国"


def _of_country(group: list[_Clause], chunk: StoredChunk) -> bool:
    """Whether a text may state a figure of the whole country: a provision of law may, a plan or a report only where
    its title, headings or quoted clauses say 全国 (a district's report counts its district)."""
    return chunk.kind in LEGAL_KINDS or any(_COUNTRY in text for text in _named_in(group, chunk))


def _heading_named(chunk: StoredChunk, said: str) -> bool:
    """Whether a (normalised) question names the heading of a plan passage's section, its words less the numbering
    and two characters or more: 工作重点 of 二、工作重点."""
    if not chunk.heading_path:
        return False
    heading = normalise_for_index(heading_words(chunk.heading_path[-1])).rstrip("。；;：:，,")
    return len(heading) >= 2 and heading in said


def _statements(clause: _Clause) -> list[str]:
    """A quoted clause and each item of its list with what the item goes on to say (3.…控制目标。全区5人。)."""
    out = [clause.text]
    for text in clause.items:
        if _ITEM.match(text) or len(out) == 1 or text == ELLIPSIS or out[-1] == ELLIPSIS:
            out.append(text)
        else:
            out[-1] += text
    return out


def _carries_term(chunk: StoredChunk, plan: QueryPlan) -> bool:
    """Whether a chunk is an article the knowledge pack names as the basis of a term the question asks about
    (四不放过 -> 安全生产法第八十六条): that article, not a passage repeating the term, is the answer's basis."""
    title = to_simplified(chunk.title).removeprefix("中华人民共和国")
    article = chunk.article
    return any(to_simplified(c.doc) == title and c.article == article for entry in plan.glossary for c in entry.basis)


class OfflineComposer:
    def __init__(
        self,
        tokenizer: Tokenizer,
        idf: dict[str, float],
        figures: QuantityAsks,
        knowledge_dir: Path | None = None,
        min_similarity: float | None = None,
        first_share: float | None = None,
    ):
        """``min_similarity``: the calibrated cosine (ANSWER.min_similarity) of the embedder the chunks were retrieved
        with, below which no quoted provision speaks to the question; None when it is not calibrated.
        ``first_share``: how far the first part trusts that embedder's ranker (ANSWER.ranked_first_share; None:
        ANSWER.first_share)."""
        from ingest.settings import Settings

        self.tokenizer = tokenizer
        self.idf = idf
        self.asks = figures
        knowledge_dir = knowledge_dir or Settings().knowledge_dir
        self.guard = instruction_guard(knowledge_dir)
        self.min_similarity = min_similarity
        self.first_share = ANSWER.first_share if first_share is None else first_share
        self.levels = load_pack(knowledge_dir).accident_levels.names  # most serious first

    def _groups(self, part: str, plan: QueryPlan, chunks: list[StoredChunk], level: str = "") -> list[list[_Clause]]:
        """For each chunk (in retrieval order) its clauses that best answer the part, best first.

        Clauses are scored by the question's words weighted by rarity in the corpus and by how few of
        the candidate chunks hold them: the words every candidate shares name the topic, the others
        say which provision answers. ``level``: the level of the accident asked about (较大事故): a clause
        speaking of other levels only (对重大、特别重大生产安全事故负有责任的) says nothing of it."""
        weights = question_weights(
            self.tokenizer.query_tokens(f"{_weighed_words(part)} {' '.join(plan.legal_terms)}"),
            self.idf,
        )
        passages = [normalise_for_index(c.text) for c in chunks]
        terms_of_art = {normalise_for_index(entry.term) for entry in plan.glossary}  # 三级安全教育 is no everyday word
        for word, term in plan.translations.items():
            if any(
                word in p for p in passages
            ):  # the law's term answers better than a passage repeating the user's word
                if word in weights and word not in terms_of_art:
                    weights[word] *= ANSWER.translated_word_share
            elif term in weights:  # a word no candidate uses: its term stands in for it
                weights[term] *= ANSWER.legal_term_weight
        for entry in plan.glossary:  # a customary term the provisions never write (四不放过): its basis stands for it
            for name in entry.names:
                key = normalise_for_index(name)
                if key in weights and not any(key in p for p in passages):
                    del weights[key]
        # asked for a figure, the circumstances told before the clause asking it (商场新装了两部自动扶梯，…使用登记最晚
        # 什么时候要办好？), in words no candidate uses, say nothing of which provision answers: no text is short of
        # them; the words of what is asked (…要误工费和精神损害抚慰金，这两项…最多能要多少？) stay, a provision lacking
        # them answers none of it, nor do the legal terms of another part's words (…商场…？向哪一级公安机关申请，最晚
        # 提前多少天？: 公众聚集场所 is told in no clause of this part). (Asked whether something is allowed, 这样行吗,
        # the circumstances are the matter.)
        ask = self.asks.asked(part)
        if ask is not None:

            def with_terms(text: str) -> str:  # a text's words, and the legal terms they stand for
                return normalise_for_index(text) + "".join(plan.terms_in(text))

            told, asking = split_asking(part)
            asked, setting = with_terms(asking), with_terms(told)
            for t in [t for t in weights if t in setting and t not in asked and not any(t in p for p in passages)]:
                del weights[t]
            # nor do the words telling who asks (我是街道安全干事，…), nor the terms they stand for (街道办事处)
            rest = without_asker(part)
            if rest != part:
                who, said = with_terms(part[: len(part) - len(rest)]), with_terms(rest)
                for t in [t for t in weights if t in who and t not in said]:
                    del weights[t]
            # nor does a word the segmenter cut across a question word (多长时间: 长时间), which a clause holds in
            # other words (延长时间)
            for t in [t for t in weights if self.asks.across_asking(part, t)]:
                del weights[t]
        quoted = [normalise_for_index(q) for q in _QUOTED.findall(part)]
        rarest = max(weights.values(), default=0.0)
        for phrase in quoted:  # what the user quotes (突出“四抓”) is one name, however the segmenter splits it
            if any(phrase in p for p in passages):
                weights.setdefault(phrase, rarest)
        texts_of = [_clauses(chunk, self.guard) for chunk in chunks]
        whole = bool(_LIST_ASKS.search(part))
        numbers = thresholds.stated(part)
        asked_about = normalise_for_index(f"{part} {' '.join(plan.legal_terms)}")
        sharp = contrastive_weights(weights, passages)
        # the words naming a document (《青山市应急管理局关于机构设置…的通知》是怎么规定的) say which document is
        # asked about: another document holding them (消防法第四条: 应急管理部门) answers none of the question
        said = normalise_for_index(part)
        naming = {t for t in weights if t in said and t not in plan.unnamed} if plan.documents else set()
        reference = normalise_for_index(plan_named(part)) if plan.plans else ""
        total = sum(weights.values()) or 1.0
        # the numbers the question tells (120人), not those of its choices (A.50元以上200元以下 …)
        told = normalise_for_index(thresholds.without_choices(part))
        matter_weights = {t: w for t, w in weights.items() if not _NUMERAL.fullmatch(t) or t in told}
        numerals = {t: w for t, w in matter_weights.items() if _NUMERAL.fullmatch(t)}
        groups = []
        for rank, (chunk, texts) in enumerate(zip(chunks, texts_of, strict=True)):
            bonus = ANSWER.article_bonus if chunk.unit == "article" else 1.0
            # a plan passage's heading says what its lines are about (二、工作重点 → the lines below it)
            context = chunk.heading_path[-1] if chunk.unit == "section" and chunk.heading_path else ""
            # the words of its title (高新区, 第四季度) name the document, they do not tell its passages apart
            title = normalise_for_index(chunk.title or "")
            untitled = {t: w for t, w in sharp.items() if t not in title}
            # a question naming the document (那个特别规定) asks what it says: whether a clause answers enough of the
            # question counts those words as held (which clause answers is told by the others)
            named = plan.naming(chunk)
            held, sharp_held = (weights, sharp) if named else (_unheld(weights, naming), _unheld(sharp, naming))
            # a rule of a region the question names is that region's (在上海，…多久之内必须报: 上海's own deadline
            # holds 上海 as a national one does not)
            own = named + (f"{chunk.region}｜" if chunk.region != NATIONAL and chunk.region in plan.regions else "")
            # a passage of a plan, the question naming the plan it asks about (四团那份季度安全生产计划里，…): those
            # words say which text, not which of its passages answers (held by each, whatever it repeats of them)
            referred = f"{reference}｜" if reference and chunk.kind not in LEGAL_KINDS else ""
            own += referred
            # what its clauses are about: what names it where the question names it (its title, its region), and an
            # article's first sentence (an article may hold only an instruction)
            topic = own + (texts[0] if texts and chunk.unit == "article" else "")
            scored = []
            for text in texts:
                read = naming_members(text, plan.kinds)  # a clause on 特种设备 speaks of the 叉车 asked about
                clause = _Clause(
                    text,
                    rank,
                    bonus * coverage(own + read, held),
                    bonus * coverage(referred + read, sharp_held) * _quoted_bonus(text, quoted),
                    within=coverage(read, untitled) * _quoted_bonus(text, quoted),
                    topic=topic,
                    in_provision=bonus * coverage(topic + read, held),
                )
                if ask and ask.stated_in(text):
                    clause.score *= ANSWER.states_quantity_bonus
                    clause.within *= ANSWER.states_quantity_bonus
                    clause.states = True
                clause.bounds = thresholds.bounds(text, numbers, asked_about)
                if clause.bounds and thresholds.holds(text, numbers, chunk.text, asked_about):
                    # its range (超过一百人) holds the question's number (一百二十人): it speaks to that number as
                    # much as a clause writing it out does
                    clause.lead = text
                    written = normalise_for_index(named + text)
                    clause.coverage += bonus * sum(w for t, w in numerals.items() if t not in written) / total
                if level and (levels := covered(text, self.levels)) is not None and level not in levels:
                    clause.score = clause.coverage = clause.within = clause.in_provision = 0.0
                elif level and levels == {level} and _ITEM.match(text) and not defines(text):
                    # the item of a list by level that is the level of the accident asked about ((一)发生一般事故的，
                    # 处…) speaks to it as a range holding the question's number does (a sentence on one level, 发生
                    # 较大事故，由省…组织调查, is no pick among levels, nor is the item defining the level: what the
                    # level is, not what follows from it)
                    clause.lead = text
                scored.append(clause)
            best = max((c.score for c in scored), default=0.0)
            for clause in scored:  # within its provision, the clause whose range holds the question's number answers
                if clause.lead and clause.score > 0:
                    clause.score = max(clause.score * ANSWER.in_range_bonus, best)
            scored.sort(key=lambda c: (-c.score, not c.lead))
            if not scored or scored[0].score <= 0:
                continue
            kept = [c for c in scored[: ANSWER.clauses_per_source] if c.score >= ANSWER.clause_share * scored[0].score]
            lines = _line_numbers(chunk.text, texts)

            def apart(item: str, intro: str, held: dict[str, float] = sharp_held) -> float:
                said = normalise_for_index(intro)
                return coverage(naming_members(item, plan.kinds), {t: w for t, w in held.items() if t not in said})

            group = _with_context(_with_enumerations(kept, scored, texts, whole, lines, apart), texts, chunk.text)
            if ask:
                group += _qualifying(group, texts, lines, ask)
            group[0].score += ANSWER.heading_weight * bonus * coverage(context, sharp)
            group[0].within += ANSWER.heading_weight * coverage(context, untitled)
            # (a provision on a class holds the matter of the things of it asked about: 特种设备 that of 叉车)
            said = naming_members(" ".join(t for c in group for t in (c.text, *c.items)), plan.kinds)
            group[0].matter = held_terms(said, matter_weights)
            if any(c.lead for c in group):  # its range holds the question's number
                group[0].matter |= numerals
            groups.append(group)
        return groups

    def _decisive(
        self,
        groups: list[list[_Clause]],
        evidence: list[StoredChunk],
        plan: QueryPlan,
        part: str,
        share: float,
        overruled: list[tuple[StoredChunk, StoredChunk]],
        quoted: set[int],
        figure: Ask | None,
        duty: bool = False,
    ) -> list[list[_Clause]]:
        """The decisive chunks of a question part: the first-ranked chunk whose best clause scores ``share`` of the
        best. The ranker ordered the chunks for the whole question, so the first part trusts its order
        (``first_share``, low) and a further part takes a chunk answering that part about as well as the best
        (``keep_share``). A question asking which ones (哪些…) whose pick enumerates nothing takes the first-ranked
        chunk answering at least as well that lists items (the ranker weighs what clause scores do not: a shipping
        rule's 鸣放鞭炮 is not the fireworks regulation's list); a question about a place whose pick is national takes
        the first well-answering rule binding there too (never one departing from the law); when the question names
        several documents or regions, the first well-answering chunk of each is decisive too. A part asking the duty
        (``duty``: a later part asks how its breach is punished, or no part asks a penalty) whose pick is a penalty
        provision takes the provision imposing the duty that answers as well. ``figure``: the figure the part asks for
        (QuantityAsks.asked)."""
        best = max(g[0].score for g in groups)
        # a further part that a provision already quoted (the evidence ranks in quoted) answers (…预案要谁签字？签完报
        # 哪里备案？: 第七条 says both) is answered by it, not by a second provision sharing the part's few words;
        # unless the part names a document or place of its own (…和原来国务院特别规定相比？, 上海的条例里…)
        # (a penalty asked is a penalty provision's to answer: …适用哪几类企业？没证擅自生产怎么罚？)
        penalty = provision_asked(part) == PENALTY
        parties = parties_asked(part) if penalty else set()
        # (a figure asked is a provision's stating it in figures to answer, when one does: 每级上报的时间不得超过2小时
        # for …每一级最多能用多长时间？, not the 立即报告 of the provision quoted for where it is reported)

        def in_figures(group: list[_Clause]) -> bool:
            return figure is not None and any(figure.degree(t) == 1.0 for c in group for t in (c.text, *c.items))

        stated = bool(quoted) and figure is not None and any(in_figures(g) for g in groups)
        said = normalise_for_index(part)
        own_names = [n for n in plan.names if n in said]

        def of_name(group: list[_Clause], name: str) -> bool:  # a text the name names (its title or region holds it)
            chunk = evidence[group[0].chunk_rank]
            return name in normalise_for_index(f"{chunk.title}｜{chunk.region}")

        # (the names a part gives may be of the texts quoted already: …多久做一次安全评价？宁波和上海的规定分别是
        # 怎样的？)
        if all(any(g[0].chunk_rank in quoted and of_name(g, n) for g in groups) for n in own_names):
            again = [
                g
                for g in groups
                if g[0].chunk_rank in quoted
                and g[0].score >= self.first_share * best
                and (not penalty or provision_kind(evidence[g[0].chunk_rank]) == PENALTY)
                and (not stated or in_figures(g))
                # of the party the penalty is asked of (…会对厂子罚多少钱: not the 主要负责人's share of income)
                and (not penalty or not (fined := parties_fined(evidence[g[0].chunk_rank].text)) or parties <= fined)
            ]
            if again:
                return [g for g in again if any(of_name(g, n) for n in own_names)] or again[:1]
        # (the best of what binds where the question asks: another region's rule answering better is no answer
        # there, nor a bar the ones that are must clear)
        binding = [g for g in groups if _binds_where_asked(evidence[g[0].chunk_rank], plan)]
        bar = max((g[0].score for g in binding), default=best)
        good = [g for g in groups if g[0].score >= share * bar]
        # whether it is a crime, or its criminal liability (追刑责, 会构成犯罪吗), is the criminal law's to say (its
        # judicial interpretation), not an administrative penalty's (责令停业整顿, 罚款)
        criminal = [g for g in good if evidence[g[0].chunk_rank].kind == JUDICIAL] if asks_crime(part) else []
        if penalty:  # asked how a breach is punished: a penalty provision answering about as well says so
            good = [g for g in good if provision_kind(evidence[g[0].chunk_rank]) == PENALTY] or good
            # 处分 is for state staff: an officials' provision answers a question about officials only (没办许可证就
            # 生产怎么处罚 is the enterprise's fine, not the 颁发管理机关工作人员's 降级或者撤职 for letting it); and so
            # is an agency's penalty for its own work (使用未取得相应资格的人员从事检验、检测的): 叉车工没证…公司会被
            # 怎么罚 asks the user's fine, not a 检测机构's
            good = [g for g in good if punishes_whom_asked(evidence[g[0].chunk_rank].text, plan.question)] or good
            # of the party asked about (企业罚款标准: the unit's fine, not its 主要负责人's); a provision fining no one
            # (按照原处罚数额按日连续处罚, 吊销) says nothing of whom a fine falls on
            good = [
                g for g in good if not (fined := parties_fined(evidence[g[0].chunk_rank].text)) or parties <= fined
            ] or good
            # a breach punished once it has caused an accident (…职责，导致发生生产安全事故的) is not what a question
            # telling of no accident asks: the penalty for the breach itself is (安全生产法第九十四条, not 第九十五条)
            if not tells_of_harm(plan.question):
                good = [g for g in good if not for_accident(evidence[g[0].chunk_rank].text)] or good
        elif duty and provision_kind(evidence[good[0][0].chunk_rank]) == PENALTY:
            # the duty is the provision imposing it to state, as a penalty decision cites the article breached apart
            # from the one it punishes by: of those answering as well, the duty's (the penalty restates it as the
            # offence: 禁止携带烟花爆竹搭乘公共交通工具, not 对携带烟花爆竹搭乘公共交通工具的…处…罚款)
            good = _first_answering_as_well(good, evidence, lambda chunk: provision_kind(chunk) == DUTY)
        good = criminal + [g for g in good if g not in criminal]
        if _duty_asked(part, plan, figure) and states_scope(evidence[good[0][0].chunk_rank].text):
            # a provision saying what its text covers (…不适用本法; 房屋建筑工地用起重机械…由有关部门依照本法…实施)
            # answers whether and by whom the text applies, not what it requires: asked what is required (行车用之前
            # 要办什么手续), a provision laying a duty that answers about as well goes first
            good = _first_answering_as_well(good, evidence, lambda chunk: not states_scope(chunk.text))
        picked = good[:1]
        # a unit asking of its own duty (我们是一家小型建筑施工企业…必须单独建一支应急救援队伍吗？) is answered by a
        # provision binding units (…建筑施工单位应当建立应急救援队伍；…小型企业…可以不建立) answering about as well,
        # not by a government's duty on the same matter (县级以上人民政府应当加强对…应急救援队伍建设的统一规划)
        if asked_as_unit(plan.question) and duty_bearers(evidence[picked[0][0].chunk_rank]) == {GOVERNMENT}:
            picked = _first_answering_as_well(good, evidence, lambda chunk: UNIT in duty_bearers(chunk))[:1]
        # a provision whose range holds the number the question states (十几个伙计: 一百人以下的) answers it before one
        # sharing its other words only (one writing the number out, 一百二十人的企业不需要…, speaks to it too)
        # (among those answering about as well as the best, as a further part's are: a number told in passing, 北京一家
        # 二十来人的小公司…怎么向员工交代, does not pick a staffing rule barely touching what is asked)
        # (a criminal threshold, 增加死亡一人以上, speaks to the number only where the crime is asked about: 又有一个
        # 伤员没抢救过来，还要补报吗 asks the duty to report)
        if not _speaks_to_number(picked[0]):
            holding = [
                g
                for g in good
                if any(c.lead for c in g)
                and g[0].score >= ANSWER.keep_share * best
                and (evidence[g[0].chunk_rank].kind != JUDICIAL or asks_crime(part))
            ]
            picked = holding[:1] or picked
        # a number the pick's ranges do not reach (预计来800人左右 beside 1000人以上5000人以下的，由…公安机关实施安全
        # 许可): whether the law applies at all is the provision defining what it covers to say, when it bounds that
        # number too (本条例所称大型群众性活动，是指…预计参加人数达到1000人以上的…)
        if any(c.bounds for c in picked[0]) and not any(c.lead for c in picked[0]):
            scope = [
                g for g in good if any(c.bounds for c in g) and provision_kind(evidence[g[0].chunk_rank]) == DEFINITION
            ]
            picked = scope[:1] or picked
        if penalty and not plan.documents:
            # a special law's penalty for a breach within its subject, as its own text says (发生特种设备事故…对特种设备
            # 事故迟报、谎报或者瞒报的) punishes no breach elsewhere: asked how one about no such subject is punished
            # (企业瞒报一起死亡事故), a provision answering well that is no such penalty answers
            asked = normalise_for_index(f"{plan.question} {' '.join(plan.legal_terms)}")
            if _on_unasked_subject(evidence[picked[0][0].chunk_rank], asked):
                picked = [g for g in good if not _on_unasked_subject(evidence[g[0].chunk_rank], asked)][:1] or picked
        first = evidence[picked[0][0].chunk_rank]
        # a question naming a document asks what it says (根据《安全生产法》，…; 安全生产法自哪一天起施行): another
        # text answers only where it does not, or whether it is still in force (…同时废止 is said elsewhere)
        asks_named = bool(plan.documents) and not ASKS_STATUS.search(part)

        def of_named(group: list[_Clause]) -> bool:
            return evidence[group[0].chunk_rank].doc_id in plan.documents

        inside = [g for g in good if of_named(g)] if asks_named else []
        if inside and not of_named(picked[0]):
            picked = inside[:1]
            first = evidence[picked[0][0].chunk_rank]
        if not _binds_where_asked(first, plan):
            # regional scope: a local rule binds only in its region. Asked about no place, or about another place
            # than a rule's, a provision that binds there and answers the question (holding enough of its words) is
            # the basis, not a local rule that may restate the law or depart from it (a plan or report is no rule:
            # the rules below decide on it)
            binding = [
                g
                for g in groups
                if evidence[g[0].chunk_rank].kind in LEGAL_KINDS
                and binds(evidence[g[0].chunk_rank].region, plan.within)
                and g[0].coverage >= ANSWER.min_coverage
            ]
            if binding:
                picked = binding[:1]
                first = evidence[picked[0][0].chunk_rank]
            elif plan.places:
                # asked about a place it does not bind, another region's rule is no answer there: what it says is
                # listed as related, with where it applies
                return []
        if first.kind in LEGAL_KINDS and first.kind not in (LAW, JUDICIAL) and not plan.documents:
            higher = self._higher_law(picked, groups, evidence, part, figure, plan)
            # where the question asks about the rule's own place, the rule stands (its own fines, its own deadlines)
            # unless it waives what the law requires: then the law decides and the answer says so
            waives = higher is not picked and default_forms().waives(_said(picked[0]), _said(higher[0]))
            if waives and (first, evidence[higher[0][0].chunk_rank]) not in overruled:
                overruled.append((first, evidence[higher[0][0].chunk_rank]))
            if waives or first.region == NATIONAL or not binds(first.region, plan.within):
                picked = higher
            first = evidence[picked[0][0].chunk_rank]
        pool = good  # where a series of what is asked is looked for (哪些…): the provisions answering well
        if first.unit != "article":
            # a plan's passages are cut by length, not by meaning: the ranker chose the document, and of its
            # passages the one whose clauses answer best, on the words that do not name the document, is quoted;
            # a section whose heading the question names (…专项行动，工作重点是哪两块 → 二、工作重点) is what it asks
            # about, its other words say which plan
            same = [g for g in groups if evidence[g[0].chunk_rank].doc_id == first.doc_id]
            said = normalise_for_index(part)
            headed = [g for g in same if _heading_named(evidence[g[0].chunk_rank], said)]
            picked = [max(headed or same, key=lambda g: max(c.within for c in g))]
            pool = same  # or the plan's passages
        asks_list = bool(_LIST_ASKS.search(part))
        members = _members_asked(part, [c.text for g in pool for c in g]) if asks_list else ""
        # the part's words and the legal terms they stand for (放鞭炮: 燃放烟花爆竹), for a list's introduction
        words = (
            _beside_list_ask(part, self.tokenizer.query_tokens(f"{part} {' '.join(plan.legal_terms)}"))
            if asks_list
            else []
        )
        if asks_list and len(picked[0][0].items) >= 2:
            # the ranker chose the act; of its lists answering well, the one introduced as what is asked answers
            # which ones: the one whose introduction holds most of the question's words (大型群众性活动安全工作方案
            # 包括下列内容 for 方案里必须写哪些内容, not 举办大型群众性活动应当符合下列条件, one item of which names the
            # 方案)
            def introduced(group: list[_Clause]) -> float:
                intro = normalise_for_index(group[0].text)
                return sum(self.idf.get(word, 0.0) for word in set(words) if word in intro)

            lists = [
                g
                for g in good
                if len(g[0].items) >= 2
                and evidence[g[0].chunk_rank].doc_id == first.doc_id
                and (penalty or provision_kind(evidence[g[0].chunk_rank]) != PENALTY)
            ]
            best_introduced = max(lists, key=introduced, default=picked[0])
            if introduced(best_introduced) > introduced(picked[0]):
                picked = [best_introduced]
        elif asks_list and not _enumerates(picked[0][0], members):
            # a penalty provision lists offences: it answers which ones only when a penalty is asked about
            # a question naming a document asks for its list (《上海市安全生产条例》规定，主要负责人负有哪些职责)
            within_named = asks_named and of_named(picked[0])
            # (a list of what is asked about: its introduction names something the question asks about besides
            # the words asking for a list, 具备什么条件: 企业取得安全生产许可证，应当具备下列安全生产条件 lists no
            # conditions of the 特种作业人员 asked about, one item naming them)
            listing = [
                g
                for g in good
                if (not within_named or of_named(g))
                and g[0].score >= picked[0][0].score
                and len(g[0].items) >= 2
                and (penalty or provision_kind(evidence[g[0].chunk_rank]) != PENALTY)
                and _introduces_asked(g[0], words)
            ]
            # or the first in the pool that names a series of what is asked (…等重点行业)
            naming = [
                g
                for g in (pool if members else [])
                if (not within_named or of_named(g))
                # the kind as each passage writes it (哪些行业领域: …等重点行业、重点领域 names 行业)
                and any(
                    _enumerates(c, _members_asked(part, [c.text for c in g]) or members) and _introduces_asked(c, words)
                    for c in g
                )
                and (penalty or provision_kind(evidence[g[0].chunk_rank]) != PENALTY)
            ]
            # or the list of its act that the provision refers to for what is asked (…提供能够证明符合本条例第十八条
            # 规定条件的有关材料, for 要具备什么条件: 第十八条 …应当具备下列条件)
            picked = listing[:1] or naming[:1] or _referred(picked[0], part, groups, evidence) or picked
        lead = evidence[picked[0][0].chunk_rank]
        if plan.places and lead.region == NATIONAL and lead.kind in LEGAL_KINDS and not plan.documents:
            # a place asked about: a rule that binds there and answers about as well stands beside the national one
            # (浙江省's staffing numbers for an enterprise in 杭州, which the law leaves open), never one waiving
            # what the law requires (it gave way to the law above)
            local = [
                g
                for g in good
                if (chunk := evidence[g[0].chunk_rank]).kind in LEGAL_KINDS
                and chunk.region != NATIONAL
                and binds(chunk.region, plan.within)
                and g[0].coverage >= ANSWER.min_coverage
                and not default_forms().waives(_said(g), _said(picked[0]))
            ]
            # and of those, one whose range holds the number the question states, as the national one does (350个人
            # 最少配几个: its own staffing numbers, not its fine per person missing)
            if _speaks_to_number(picked[0]):
                local = [g for g in local if _speaks_to_number(g)] or local
            if local and local[0] not in picked:
                # (quoted first: compose puts the rules of the place asked about before the others) the national
                # provision stays beside it unless the rule writes the very figures it does and no others (the same
                # fines for the same offence, copied: no other answer)
                national = self.asks.figures(_said(picked[0]))
                copied = bool(national) and national == self.asks.figures(_said(local[0]))
                picked = [local[0]] if copied else [*picked, local[0]]
        named = [*plan.documents, *plan.regions]
        if len(named) >= 2:

            def answers_for(group: list[_Clause], name: str) -> bool:
                chunk = evidence[group[0].chunk_rank]
                return name in (chunk.doc_id, chunk.region)

            for name in named:
                # one already picked answers for it: a second provision of that text is no further answer (深圳,
                # named by 深圳市 and 深圳经济特区, is one place)
                if any(answers_for(group, name) for group in picked):
                    continue
                picked += [group for group in good if answers_for(group, name)][:1]
        return picked

    def _higher_law(
        self,
        picked: list[list[_Clause]],
        groups: list[list[_Clause]],
        evidence: list[StoredChunk],
        part: str,
        ask: Ask | None,
        plan: QueryPlan,
    ) -> list[list[_Clause]]:
        """上位法: a rule below the law (a 行政法规, a 规章, a local regulation or notice, even where it binds) stating
        what is asked (a figure, a range holding the question's number, or the penalty asked about) gives way to a law
        on the same matter stating it too (安全生产法第一百一十四条's fines over 事故条例第三十七条's older ones;
        第二十四条 over a city notice's 一百二十人的企业不需要设置). On the same matter: the law holds most of the
        question's words the rule answers on, is a provision of the same kind (a duty, a penalty), and is the
        field's general law or a special law on a subject the question names (特种设备安全法 only when 特种设备 is
        asked about); of those, the first the ranker put (as the first part of a question trusts its order). A
        detail the law does not state (1小时内) stays the rule's. Whatever is asked, a rule waiving what such a law
        requires gives way to it, and so does a national rule on one sector's safety (煤矿安全生产条例) when the
        question names no such sector (LegalForms.sector); when it names that sector, the rule is the specific one:
        only a special law on it decides over it, or a law whose requirement it waives. A 规章 or a notice gives way
        to a 行政法规 so as well (ABOVE); of several texts above, the highest decides."""
        pick, lower = picked[0][0], evidence[picked[0][0].chunk_rank]
        penalty = provision_asked(part) == PENALTY
        parties = parties_asked(part) if penalty else set()

        def states(group: list[_Clause]) -> bool:  # the figure or the penalty asked, in a clause or an item
            chunk = evidence[group[0].chunk_rank]
            if penalty and provision_kind(chunk) == PENALTY:
                # of each party asked about (对单位处多少罚款: the unit's fine, which 安全生产法第一百一十条 on the
                # 主要负责人 does not state), and of whom it may be asked (not a 检测机构's for a user's breach)
                if not punishes_whom_asked(chunk.text, plan.question):
                    return False
                return not (fined := parties_fined(chunk.text)) or parties <= fined
            texts = [t for c in group for t in (c.text, *c.items)]
            # stated as a figure: 立即 states a period only in words (QuantityAsks.degree); the question's own number
            # written out (一百二十人的企业…) or held by a range (超过一百人) speaks to it
            return _speaks_to_number(group) or (ask is not None and any(ask.degree(t) == 1.0 for t in texts))

        if not pick.matter:
            return picked
        # what is asked about: the part and the legal terms its words stand for (叉车司机 → 特种设备作业人员)
        forms, asked = default_forms(), normalise_for_index(f"{part} {' '.join(plan.legal_terms)}")

        matter = whole_terms(pick.matter, ANSWER.compound_chars)  # 事故调查报告 once, not again as 调查报告, 查报
        if provision_kind(lower) == PENALTY:  # a penalty's matter is the offence: every penalty writes its sanction
            # (未将应急救援预案报送备案…逾期未改正的，处…罚款 is not on the matter of 未按照规定制定应急救援预案的)
            matter = {t: w for t, w in matter.items() if not SANCTION.search(t)} or matter

        def governs(chunk: StoredChunk) -> str:  # "" for a general text (安全生产法, 生产安全事故报告和调查处理条例)
            return forms.law_subject(chunk.title) if chunk.kind == LAW else forms.subject(chunk.title, chunk.kind)

        # the words of the rule's title name what it covers (应急管理部关于工贸企业安全管理有关事项的通知: 工贸企业),
        # which a general text (安全生产法, 事故条例) covers too: its provisions are on the rule's matter without them
        scope = normalise_for_index(lower.title or "")

        duty_asked = _duty_asked(part, plan, ask)

        def laws_on(terms: dict[str, float]) -> list[list[_Clause]]:
            """The texts above the rule (ABOVE: a law, and a 行政法规 above a 规章 or a notice) holding most of these
            terms of the matter (same_matter), of the rule's kind of provision and on a subject the question names."""

            def on_matter(group: list[_Clause], chunk: StoredChunk) -> bool:
                own = {t: w for t, w in terms.items() if t not in scope} if not governs(chunk) else terms
                own = own or terms
                return sum(w for t, w in own.items() if t in group[0].matter) / sum(own.values()) >= ANSWER.same_matter

            return [
                g
                for g in groups
                if (chunk := evidence[g[0].chunk_rank]).kind in ABOVE.get(lower.kind, ())
                # a duty's deadline is no penalty's 五年内 (a notice's passage has no kind of its own)
                and provision_kind(lower) in (None, provision_kind(chunk))
                and on_matter(g, chunk)
                and forms.names_subject(governs(chunk), asked)  # "" (the general law) is in any
                # (nor, asked what is required, a law's provision on what it covers: …不适用本法)
                and not (duty_asked and states_scope(chunk.text))
            ]

        laws = laws_on(matter)
        sector = forms.subject(lower.title, lower.kind) if lower.region == NATIONAL else ""
        if states(picked[0]):
            higher = [g for g in laws if states(g)]
            if ask is not None and not (penalty and provision_kind(lower) == PENALTY):
                # a figure the law states of another thing (批复事故调查报告后一年内 is no deadline of the 事故调查组
                # for 提交事故调查报告) is no rule on what the rule's figure is about: the law decides when its figure
                # is of what is asked as much as the rule's is, in the question's own words (the legal terms they
                # stand for are one text's wording or another's: 事故调查处理 is the law's)
                subject = self._subject(part, plan, ask, with_terms=False)
                # (not in the words of what the rule covers, which a general law covers too: 工贸企业)
                subject = {t: w for t, w in subject.items() if t not in scope} or subject

                def about(group: list[_Clause]) -> float:
                    return max(_subject_held(c, ask, subject, plan.kinds) for c in group)

                own = about(picked[0])
                higher = [g for g in higher if about(g) >= own]
        elif (
            provision_kind(lower) == DUTY
            and sector
            # a figure the rule sets (电梯…每15日进行一次…) is a detail the law leaves to it
            and not any(self.asks.is_quantity(t) for t in self.tokenizer.query_tokens(_said(picked[0])))
        ):
            # a duty a special law on the rule's own sector states as well (特种设备…应当及时予以报废…办理
            # 注销: 特种设备安全法 over 特种设备安全监察条例): the law above and after it is the basis
            higher = [
                g
                for g in laws
                if provision_kind(evidence[g[0].chunk_rank]) == DUTY
                and forms.names_subject(sector, forms.law_subject(evidence[g[0].chunk_rank].title))
                and g[0].score >= pick.score
            ]
        else:
            higher = []
        # a national rule on one sector's safety (煤矿安全生产条例) asked about no such sector applies only within it:
        # the law on the same matter decides, whatever is asked
        if sector and not forms.names_subject(sector, asked):
            higher = higher or laws
        elif sector:  # asked about its sector, the sector's rule is the specific one (煤矿发生较大事故罚多少): a law on
            # that sector decides over it (特种设备安全法 over 特种设备安全监察条例), not the general law
            higher = [g for g in higher if forms.law_subject(evidence[g[0].chunk_rank].title)]
        # whatever is asked, a rule waiving what a law on its matter requires (暂不要求取得操作证 against 必须…取得
        # 相应资格) gives way to it; the matter of a waiver is also what it waives (五百人以下的工贸企业不需要设置
        # 安全生产管理机构: 设置安全生产管理机构, which 安全生产法第二十四条 requires, whoever is spared it)
        waived = normalise_for_index(" ".join(phrase for _, phrase in forms.waived(_said(picked[0]))))
        on_waived = {t: w for t, w in matter.items() if t in waived}
        waiving = [*laws, *(laws_on(on_waived) if on_waived else [])]
        higher = higher or [g for g in waiving if forms.waives(_said(picked[0]), _said(g))]
        # of the texts above, the highest decides (a law over a 行政法规), in the ranker's order within a kind
        return sorted(higher, key=lambda g: ABOVE[lower.kind].index(evidence[g[0].chunk_rank].kind))[:1] or picked

    def compose(
        self, question: str, plan: QueryPlan, chunks: list[StoredChunk], accident: Accident | None = None
    ) -> Answer:
        evidence = chunks[: ANSWER.evidence_chunks]
        overruled: list[tuple[StoredChunk, StoredChunk]] = []  # (a rule below the law, the law it departs from)
        if why := library_lacks(question, plan, chunks):
            return declined(question, chunks, why)
        # whether a document the knowledge base lacks is in force: the texts naming it answer
        naming_unknown = _naming_unknown(question, plan, evidence) or set()
        chosen: list[_Clause] = []
        answering: set[str] = set()  # the clause answering each part best (its decisive group's first)
        unanswered: list[tuple[str, str]] = []  # parts asking for a figure (or a form) no clause states, with its kind
        elsewhere: list[str] = []  # parts only another region's rules answer
        deferred: list[tuple[str, _Clause]] = []  # parts asking what a provision leaves to another instrument
        undefined: list[str] = []  # terms asked the meaning of that no retrieved text names
        figures_answered: set[int] = set()  # the parts whose figure a provision states
        asked_kinds: set[str] = set()  # the kinds of figure the parts so far ask for
        first_ask: Ask | None = None  # the figure asked by the first part that a provision answers with one
        defined = False  # a term of the pack asked about, answered by the articles it names
        parts = question_parts(question)
        # the level of the accident asked about: made by the deaths, injuries or loss told (a level named beside them
        # may be a claim to judge: 造成5人死亡，该事故属于重大事故), or named (一起较大事故)
        level_named = named_level(question, self.levels)
        level = (accident.stated.level if accident else "") or level_named
        asks_penalty = [provision_asked(part) == PENALTY for part in parts]
        # a penalty asked in a sentence too short to be a part of its own (…这个能管吗？罚多少？) is asked all the same
        no_penalty = not any(asks_penalty) and provision_asked(question) != PENALTY
        for index, part in enumerate(parts):
            ask = self.asks.asked(part)
            level_asked = asks_level(part)
            if level_asked:
                # 死了3个人，算几级事故 asks which level the counts make (起重机整体翻倒了，算几级事故: the event
                # does): the provision classing it names the level, no number is asked
                ask = None
            if ask is not None and ask.put and ask.kind in asked_kinds:
                continue  # a figure put after one of its kind asked (多久评估一次？是不是每三年一次？) restates the ask
            if ask is not None:
                asked_kinds.add(ask.kind)
            # what a term means or what the law requires of it (四不放过是什么, 一岗双责是怎么要求的); not a figure
            # asked for (…的罚款标准是什么 asks how much)
            if (
                plan.glossary
                and asks_of_term(part, plan.glossary[0].names)
                and ask is None
                and (carried := self._carrying_term(plan, evidence))
            ):
                chosen += [c for group in carried for c in group if c.text not in {x.text for x in chosen}]
                defined = True
                continue
            groups = self._groups(part, plan, evidence, level)
            if accident is not None and not level_asked:
                # the article defining the levels is the basis of the level told (its line is added where the answer
                # speaks in levels), not of what else is asked (…重伤的一个去世了，还要补报吗: 第十三条, not 第三条)
                groups = [g for g in groups if evidence[g[0].chunk_rank].id != accident.basis.id]
            if naming_unknown:
                groups = [g for g in groups if g[0].chunk_rank in naming_unknown]
            if plan.plans and not _LAW_ASKED.search(part):
                # a question on what a plan or report says asks of it throughout (…一共检查了多少家次？…罚款多少？: the
                # report's own figures, not a law's fine), unless a part asks what the law says
                told = {evidence[c.chunk_rank].doc_id for c in chosen if not _legal(evidence[c.chunk_rank])}
                if told:
                    groups = [g for g in groups if evidence[g[0].chunk_rank].doc_id in told]
            if not groups or max(g[0].coverage for g in groups) < ANSWER.min_coverage:
                # a figure asked about what no text even speaks of is stated nowhere either; a later part may
                # leave its subject to the first (…单位还要照发工资吗？最长能发多久？): its own words match little,
                # and its figure is stated nowhere unless in what answers a part before it
                if ask is not None and (index == 0 or not _states_exactly(chosen, ask)):
                    unanswered.append((part, ask.kind))
                continue
            # asked what a term means (本质安全是什么意思), a text that does not name it says nothing of it
            term = _term_asked(part) if ask is None and not plan.glossary else ""
            if term:
                groups = [g for g in groups if _names_term(g, term, plan)]
                if not groups:
                    undefined.append(term)
                    continue
            # a norm (最多可以、至少要、应当…) is stated by a legal text, not by a plan or a report, unless it is
            # what a plan says that is asked (区里那份计划里，…要和多少人以上的企业签责任书)
            stating = [
                g for g in groups if not _NORMATIVE.search(part) or plan.plans or _legal(evidence[g[0].chunk_rank])
            ]
            if ask is not None:  # an amount, a period or a count is answered by a provision stating one
                # the figure is stated about what was asked: the clause stating it holds enough of the question
                # a later part may lean on the first's subject (…照发工资吗？最长能发多久？), not when the first's
                # figure is stated nowhere (…多久要检查一次压力？用了几年必须报废？: there is nothing to lean on);
                # then what the figure is about is the part's own words and their legal terms, not the 公众聚集场所
                # of the 商场 told before
                leans = index > 0 and not (unanswered and unanswered[0][0] == parts[0])
                # (what it is about: not the words naming the plan asked about, which its passages may repeat; and,
                # asked what a plan says, in the question's own words, not the law's terms for them: a plan writes
                # its own, 单位…发生的各类安全事故…2小时内上报团安办, not 生产安全事故)
                asked_of = without_plan_named(without_asker(part)) if plan.plans else without_asker(part)
                subject = self._subject(asked_of, plan, ask, with_terms=not plan.plans, own=index > 0 and not leans)
                # how often an act is done (多久修订一次) is stated by a provision about that act: 每2年组织1次…演练
                # says nothing of how often a plan is revised (the provision on 电梯 upkeep names 保养 in one sentence
                # and its 每15日 in another)
                # (beside the figure, `_states_act`; or named in the law's words, whole: 自检 is 自行检查)
                # (not who does it, in the law's words or the user's: 老板可能判几年 asks the term of a sentence, of
                # 主要负责人 or not; 总经理每年要向职工大会汇报吗 asks how often the report is made)
                doing = _without_people(ask.act, plan)
                act_words = [
                    t for t in self.tokenizer.query_tokens(doing) if t in self.idf and not _NAMES_PEOPLE.search(t)
                ]
                act = self.asks.act_head(doing, act_words, leading=ask.leading)
                legal_act = [
                    normalise_for_index(legal) for legal in plan.terms_in(doing) if not _NAMES_PEOPLE.search(legal)
                ]
                # a figure of a year asked (2023年全国一共死了多少人) is what happened then: only a text of that year
                # (its clause, title or date names it) states it, not a provision's threshold nor another year's report
                years = _YEAR.findall(part)
                # and a figure of the whole country (全国一共发生多少起) is not what a unit's plan or report counts
                # (全区共发生安全事故311起), unless it writes 全国 itself
                country = _COUNTRY in part
                groups = [
                    g
                    for g in stating
                    if _states_about(g, ask, subject, later=leans, kinds=plan.kinds) >= ANSWER.figure_coverage
                    and (not (act or legal_act) or _states_act(g, ask, act, legal_act, plan.kinds))
                    and (not years or _of_year(g, evidence[g[0].chunk_rank], years))
                    and (not country or _of_country(g, evidence[g[0].chunk_rank]))
                    # (a figure asked of a document named is its own or a rule binding where it applies: 北京条例说…比例
                    # 具体是多少 is not answered by 浙江省's 百分之一)
                    and (not plan.documents or _binds_where_asked(evidence[g[0].chunk_rank], plan, of_named=True))
                ]
                best = max((g[0].coverage for g in stating), default=0.0)
                if not groups or max(g[0].coverage for g in groups) < max(
                    ANSWER.min_coverage, ANSWER.figure_share * best
                ):
                    # a later part's figure stated in the provision quoted for a part before it (…照发工资吗？最长能
                    # 发多久？: 停工留薪期一般不超过12个月) is answered there
                    if not _states_exactly(chosen, ask):
                        unanswered.append((part, ask.kind))
                    continue
                figures_answered.add(index)
                first_ask = first_ask or ask
            # a text that is no legal form (a plan, a report, a Q&A sheet or notice of no stated form) is never the
            # basis of a duty, a deadline or a penalty when a provision of law answers, nor of a term the pack knows
            # the articles of (四不放过)
            duty = _NORMATIVE.search(part) or provision_asked(part) == PENALTY or ask is not None
            carrying = [g for g in groups if _carries_term(evidence[g[0].chunk_rank], plan)]
            if (duty or carrying) and not plan.plans:
                legal = [g for g in groups if evidence[g[0].chunk_rank].kind in LEGAL_KINDS]
                if legal and max(g[0].coverage for g in legal) >= ANSWER.min_coverage:
                    groups = legal
            share = self.first_share if index == 0 else ANSWER.keep_share
            quoted = {c.chunk_rank for c in chosen}  # the evidence a part before this one is answered from
            # a part asking whether something may be done, before one asking how it is punished (能不能带烟花上车？
            # 要是被查出来会咋样？), asks the duty, and so does a question asking no penalty at all (是不是一定得装燃气
            # 报警器？: the provision imposing it, not the one fining its breach)
            duty = any(asks_penalty[index + 1 :]) or no_penalty
            decisive = self._decisive(groups, evidence, plan, part, share, overruled, quoted, ask, duty)
            if decisive and self._far_in_meaning([g[0] for g in decisive], evidence, plan):
                # the pick shares the question's words only: the first-ranked provision close in meaning that holds
                # enough of them answers (预警级别…分别用红色、橙色、黄色和蓝色标示 for 预警信号分哪几种颜色, not the
                # 应急响应级别 of another article)
                # (of the document the question names, when the pick is of it: 安全生产法自哪一天起施行 is not
                # answered by another law's 本条例自…起施行)
                # (and, as any pick, a rule binding where the question asks: 我们厂在杭州，当地要求每年演练几次 is not
                # answered by 宁波's rule)
                named_docs = {evidence[g[0].chunk_rank].doc_id for g in decisive} & set(plan.documents)
                close = [
                    g
                    for g in groups
                    if not self._far_in_meaning(g[:1], evidence, plan)
                    and g[0].coverage >= ANSWER.min_coverage
                    and (not named_docs or evidence[g[0].chunk_rank].doc_id in named_docs)
                ]
                binding = [g for g in close if _binds_where_asked(evidence[g[0].chunk_rank], plan)]
                # only another region's rule is close: the part is answered nowhere the question asks (said so)
                decisive = binding[:1] or ([] if close and plan.places else decisive)
            if not decisive:
                elsewhere.append(part)
            elif all(_defers(g[0], part) for g in decisive):
                # the content asked is left to another instrument the knowledge base does not hold (said so, with
                # the provision that leaves it)
                deferred.append((part, decisive[0][0]))
                continue
            for group in decisive:
                chosen = _merged(chosen, group)
                answering.add(group[0].text)
        named_articles = {(d, r.number, r.sub) for d, r in plan.articles}
        if named_articles:  # the user asked for specific articles: quote them whole, whatever the overlap
            named = [i for i, c in enumerate(evidence) if (c.doc_id, c.article_num, c.article_sub) in named_articles]
            if named:
                chosen = [c for i in named for c in _whole_provision(self._quotable(evidence[i]), i, evidence[i].text)]
        # the figure asked first is nowhere: what else matched is related only; a later part's figure that is nowhere
        # leaves a part answered well before it standing, with a note (…意外伤害保险费该谁掏？保险期限从哪天算到哪天？),
        # not one a clause holding little of it answered (…有没有财政补贴？每家能补多少钱？)
        unanswered, specified = _with_instanced(unanswered, parts)
        figures_answered -= specified
        first_unanswered = bool(unanswered) and unanswered[0][0] == parts[0]
        standing = max((c.coverage for c in chosen), default=0.0) >= ANSWER.standing_coverage
        if unanswered and not figures_answered and (first_unanswered or not standing):
            asked = "、".join(f"“{part.rstrip('？?')}”" for part, _ in unanswered)
            if all(kind == "form" for _, kind in unanswered):
                return declined(question, chunks, f"已入库的法规和方案中没有{asked}所问的表格、格式或样本")
            answer = declined(question, chunks, f"已入库的条文中没有{asked}的具体规定（数量、期限或比例）")
            answer.unstated = [part for part, _ in unanswered]
            return answer
        if not chosen and undefined:
            terms = "、".join(f"“{t}”" for t in undefined)
            return declined(question, chunks, f"已入库的法规和方案中没有说明{terms}含义的内容")
        if not chosen and deferred:
            left = "；".join(f"“{clause.text.strip().rstrip('。；')}”" for _, clause in deferred)
            return declined(question, chunks, f"已入库的条文只规定{left}，没有其具体内容")
        if not chosen and elsewhere:
            places = "、".join(plan.places)
            return declined(question, chunks, f"已入库的条文中没有在{places}适用的相应规定（检索到的是其他地区的规定）")
        if not chosen:
            return declined(question, chunks)
        if not named_articles and not defined and self._far_in_meaning(chosen, evidence, plan):
            return declined(question, chunks, "检索到的条文与所问的事项意思相差较远，都不能直接回答")
        if not named_articles:
            # in the ranker's order, the provision answering the first part first (its first sentence answers
            # what was asked first: 要不要设安全总监？不设会罚多少？ leads with 应当设置安全总监); asked about a place,
            # its own rules first: they are what binds there (the law they apply beside them)
            first = chosen[0].chunk_rank

            def elsewhere_than_asked(clause: _Clause) -> bool:
                region = evidence[clause.chunk_rank].region
                return not (plan.places and region != NATIONAL and binds(region, plan.within))

            chosen = sorted(chosen, key=lambda c: (elsewhere_than_asked(c), c.chunk_rank != first, c.chunk_rank))
            # at most max_bullets clauses, never losing the one answering a part: a long first provision (消防法
            # 第十五条, six sentences on the 消防安全检查) leaves room for the penalty a later part asks (第五十八条)
            room = ANSWER.max_bullets - sum(c.text in answering for c in chosen)
            others = [c for c in chosen if c.text not in answering][: max(0, room)]
            chosen = [c for c in chosen if c.text in answering or any(c is o for o in others)]
        sources: list[Source] = []
        number_of: dict[int, int] = {}
        for clause in chosen:
            if clause.chunk_rank not in number_of:
                number_of[clause.chunk_rank] = len(sources) + 1
                sources.append(Source(len(sources) + 1, evidence[clause.chunk_rank]))
        lines = self._lead(question, plan, chosen[0], sources[0], first_ask)
        for clause in chosen:
            mark = f"[{number_of[clause.chunk_rank]}]"
            if clause.items:
                lines.append(f"- {clause.text}")
                lines += [f"  {item}" for item in clause.items[:-1]]
                lines.append(f"  {clause.items[-1]}{mark}")
            else:
                lines.append(f"- {clause.text}{mark}")
        item = accident.item if accident else ""
        said = "\n".join(lines)
        if (
            accident
            and item
            and item not in said
            and accident.matters_to(said)
            and level_named != accident.stated.level
        ):
            # the level the stated deaths, injuries or loss make, which the cited consequences depend on (when they
            # are told by level: a rule on 一人以上死亡事故 needs none), unless the question names that level itself
            # (死了一个人的一般事故: what the user says needs no proof; a level it names that the counts do not make,
            # 死了三个人的一般事故, is corrected)
            if accident.basis.id not in {s.chunk.id for s in sources}:
                sources.append(Source(len(sources) + 1, accident.basis))
            number = next(s.number for s in sources if s.chunk.id == accident.basis.id)
            lines.append(f"- 事故等级（{accident.stated.described}）：{item}[{number}]")
        for term in undefined:
            lines.append(f"- 关于“{term}”的含义：{NO_BASIS}，已入库的法规和方案中没有说明它的内容。")
        for part, clause in deferred:
            said = clause.text.strip().rstrip("。；")
            lines.append(f"- 关于“{part.rstrip('？?')}”：{NO_BASIS}，已入库的条文只规定“{said}”，没有其具体内容。")
        for part, kind in unanswered:
            lacking = "表格、格式或样本" if kind == "form" else "数量或期限规定"
            lines.append(f"- 关于“{part.rstrip('？?')}”：{NO_BASIS}，已入库的条文中没有相应的{lacking}。")
        lines += scope_notes(sources, plan)
        for rule, law in overruled:  # a rule waiving what the law requires, not quoted
            note = (
                f"《{rule.cited_title}》的规定与{short_citation(law)}不一致，以法律为准（下位规定不得与上位法相抵触）"
            )
            lines.append(f"- 注意：{note}。")
        lines.append("")
        lines.append("依据：")
        lines += [f"[{s.number}] {s.citation}" for s in sources]
        return Answer(question, "\n".join(lines), False, sources)

    def _far_in_meaning(self, chosen: list[_Clause], evidence: list[StoredChunk], plan: QueryPlan) -> bool:
        """Whether every provision the answer would quote is far from the question in meaning: the cosine of its
        vector to the question's below the calibrated floor. Words a question shares with a provision (施工, 许可,
        考试) do not make it answer a matter it never names (校车司机的驾龄, 户外广告牌的设置许可); a provision
        without a vector (imported --no-vectors) is not judged."""
        if self.min_similarity is None:
            return False
        # a clause of the document the question names stating the figure asked is what it asks (安全生产法自哪一天
        # 起施行: 本法自2002年11月1日起施行, whose words name no 安全生产法)
        if any(c.states and evidence[c.chunk_rank].doc_id in plan.documents for c in chosen):
            return False
        close = [s for c in chosen if (s := evidence[c.chunk_rank].similarity) is not None]
        return bool(close) and max(close) < self.min_similarity

    def _subject(
        self, part: str, plan: QueryPlan, ask: Ask, with_terms: bool = True, own: bool = False
    ) -> dict[str, float]:
        """The weighted terms of a part asking for a figure, less the words asking for it, the figure's own name
        (有效期, 比例, 标准) and the figures it states (员工一年带薪年休假有几天 is about 年休假, not 一年): what it is
        about; with the legal terms the question's words stand for (``own``: the part's words only), or
        (``with_terms`` false) in its own words only."""
        asking = set(self.tokenizer.query_tokens(f"{ask.words} {' '.join(self.asks.figure_nouns)}"))
        legal = " ".join(plan.terms_in(part) if own else plan.legal_terms) if with_terms else ""
        terms = question_weights(self.tokenizer.query_tokens(f"{_weighed_words(part)} {legal}"), self.idf)
        return {
            normalise_for_index(t): w
            for t, w in terms.items()
            if t not in asking and t not in ask.words and not self.asks.is_quantity(t)
        }

    def _carrying_term(self, plan: QueryPlan, evidence: list[StoredChunk]) -> list[list[_Clause]]:
        """Asked what a term of the knowledge pack means (its definition leads the answer): the articles the pack
        names as its basis, each by the clauses that carry the definition, those of the regions asked about (or
        national ones) only, or of the document the question names (根据《深圳经济特区安全生产监督管理条例》，什么
        是高危生产经营单位: its own article). 四不放过 is written by no provision: a plan repeating the words is no
        basis."""
        carrying = [i for i, c in enumerate(evidence) if _carries_term(c, plan)]
        basis = {i for i in carrying if evidence[i].doc_id in plan.documents} or {
            i for i in carrying if evidence[i].region == NATIONAL or evidence[i].region in plan.regions
        }
        if not basis:
            return []
        entry = plan.glossary[0]
        return [g for g in self._groups(f"{entry.term} {entry.definition}", plan, evidence) if g[0].chunk_rank in basis]

    def _quotable(self, chunk: StoredChunk) -> list[str]:
        """A provision's clauses to quote whole (a short one is its text), never a sentence instructing the
        assistant."""
        clauses = _clauses(chunk, self.guard)
        return clauses or ([chunk.text] if not self.guard.instructions_in(chunk.text) else [])

    def _lead(self, question: str, plan: QueryPlan, top: _Clause, source: Source, ask: Ask | None = None) -> list[str]:
        """The first lines: the decisive clause and its citation, which answer what was asked; asked what a term of
        art means, its meaning instead. A term named in a question asking something else is explained after the
        answer (重大危险源…报哪些部门备案: the departments first, then what a 重大危险源 is). Asked a figure (``ask``,
        the first part's) that a list's introduction does not state, the first item stating it leads (主要负责人…履行
        下列职责 → （八）每月至少组织研究一次安全生产工作)."""
        lead = top.lead
        if not lead and ask is not None and not ask.stated_in(top.text):
            # (an item that is a case, …一百八十日内三次…受到行政处罚的, states a threshold of it, not the figure asked)
            stating = (i for i in top.items if _ITEM.match(i) and ask.stated_in(i) and not _is_case(i))
            lead = next(stating, "")
        clause = LEADING_LABEL.sub("", _ITEM.sub("", lead) if lead else top.text).rstrip("。；;：:，,")
        if lead and lead != top.text and _is_case(clause) and _INTRODUCES.search(top.text.rstrip()):
            # an item that is a condition (3个月内2次…仍然进行生产的) says nothing without what its list's head says
            # of it (煤矿企业存在下列情形之一的，应当提请…予以关闭：)
            clause = f"{LEADING_LABEL.sub('', top.text).rstrip().rstrip('：:')}：{clause}"
        answer = f"依据{short_citation(source.chunk)}，{clause}。"
        if not plan.glossary:
            return [answer]
        entry = plan.glossary[0]
        meaning = f"{entry.term}：{entry.definition}"
        return [meaning] if asks_of_term(question, entry.names, meaning_only=True) else [answer, meaning]


def _first_answering_as_well(
    good: list[list[_Clause]], evidence: list[StoredChunk], meets: Callable[[StoredChunk], bool]
) -> list[list[_Clause]]:
    """The groups with the first whose provision meets a test and answers about as well as the first one (keep_share
    of its score) put first; as they were when none does."""
    close = ANSWER.keep_share * good[0][0].score
    first = next((g for g in good if meets(evidence[g[0].chunk_rank]) and g[0].score >= close), None)
    return good if first is None else [first, *(g for g in good if g is not first)]


# a part giving an instance of what the part before it asks (…有没有具体的技术要求？比如漏电保护器要选多少毫安的？)
_INSTANCE = re.compile(r"\s*(?:比如|例如|譬如|比方说|比方|举个例子|举例来说)")


def _with_instanced(unanswered: list[tuple[str, str]], parts: list[str]) -> tuple[list[tuple[str, str]], set[int]]:
    """The parts unanswered, with each part an unanswered one gives an instance of (比如…), and the indexes of those:
    the instance asks that part's figure more precisely (保安配多少才算够？比如一万名观众，至少要配多少名专业保安？),
    so what answered the part without stating the instance's figure (参加人数在1000人以上) did not answer it."""
    specified: dict[int, str] = {}
    for part, kind in unanswered:
        index = parts.index(part)
        while index > 0 and _INSTANCE.match(parts[index]):
            index -= 1
            specified.setdefault(index, kind)
    named = {part for part, _ in unanswered}
    added = [(parts[i], kind) for i, kind in specified.items() if parts[i] not in named]
    return sorted(added + unanswered, key=lambda entry: parts.index(entry[0])), set(specified)


def _legal(chunk: StoredChunk) -> bool:
    """Whether a text may state a norm: an article of law, or a passage of any legal text (a 规范性文件 of sections),
    not of a plan or a report."""
    return chunk.unit == "article" or chunk.kind in LEGAL_KINDS


def _is_case(item: str) -> bool:
    """Whether a list item describes a case its list's head rules on (…受到本法规定的行政处罚的；)."""
    return item.rstrip().rstrip("。；;，,").endswith("的")


def declined(question: str, chunks: list[StoredChunk], why: str = "") -> Answer:
    """知识库中未找到依据, why, and the closest texts listed as related."""
    related = chunks[:3]
    lines = [f"{NO_BASIS}：{why or '已入库的法规和方案中没有能直接回答这个问题的条文'}。"]
    if related:
        lines.append("可能相关：")
        lines += [f"- {placed_citation(c)}" for c in related]
    return Answer(question, "\n".join(lines), True, [], related)


def stated_before_repeal(current: Answer, earlier: Answer, repeals: dict[str, str]) -> Answer:
    """The answer to a figure the texts in force do not state (``current``, declined for it) from a repealed text
    that stated it (``earlier``, composed from the repealed texts alone): said to be stated nowhere in force, then
    what the repealed text said, each text's repeal told (``repeals``: doc id -> 自…起由《…》第…条废止), then the
    texts in force that are related. What applied before the repeal (to what happened then) and what many still cite
    is told, never as the basis in force: every citation of it reads （已废止）."""
    asked = "、".join(f"“{part.rstrip('？?')}”" for part in current.unstated)
    body, _, _ = earlier.text.partition("\n\n依据：")
    body = body.removeprefix("依据")  # 《…》第二十三条（已废止），…: what it said, not the basis
    lines = [f"现行有效的条文中没有{asked}的具体规定（数量、期限或比例）。以下是已废止的规定，现已不再适用，仅供参考："]
    told = (f"- 《{s.chunk.title}》{repeals[s.chunk.doc_id]}。" for s in earlier.sources if s.chunk.doc_id in repeals)
    lines += list(dict.fromkeys(told))
    lines.append(body)
    if current.related:
        lines.append("现行条文中可能相关：")
        lines += [f"- {placed_citation(c)}" for c in current.related]
    lines += ["", "依据：", *(f"[{s.number}] {s.citation}" for s in earlier.sources)]
    return Answer(current.question, "\n".join(lines), False, earlier.sources, current.related)


def _naming_unknown(question: str, plan: QueryPlan, evidence: list[StoredChunk]) -> set[int] | None:
    """Of a question about a document the library lacks (QueryPlan.unknown_documents): the evidence naming it when
    the question asks whether it is in force (…同时废止 is said in another text); None when nothing in the library
    answers it; an empty set when the question is about no such document. A law the library lacks, cited by article
    without its title marks (刑法第一百三十四条规定的…), is what a retrieved text interpreting that article speaks of:
    the question is about the text (a 司法解释), not the law."""
    unknown = {n: normalise_for_index(n) for n in plan.unknown_documents}
    if not unknown or plan.documents:
        return set()
    said = [normalise_for_index(c.text) for c in evidence]
    cited = [n for n, key in unknown.items() if f"《{n}》" not in question and any(key in t for t in said)]
    if len(cited) == len(unknown):
        return set()
    naming = {i for i, t in enumerate(said) if any(key in t for key in unknown.values())}
    return naming if ASKS_STATUS.search(question) and naming else None


def library_lacks(question: str, plan: QueryPlan, chunks: list[StoredChunk]) -> str:
    """Why nothing in the library can answer, whoever composes the answer: a document it does not hold is asked about
    (知识库中没有《…》), or the rules of a place none of whose texts it holds (广东省规定…), or a matter another source
    sets that no text found names (安全色: GB 2893); "" otherwise."""
    evidence = chunks[: ANSWER.evidence_chunks]
    if _naming_unknown(question, plan, evidence) is None:
        names = "、".join(n if n.isascii() else f"《{n}》" for n in plan.unknown_documents)
        return f"知识库中没有{names}"
    if plan.unheld_places and not plan.documents:  # asked what a place's own rules say, of none held
        return f"知识库中没有{'、'.join(plan.unheld_places)}的地方性法规或规定"
    said = [normalise_for_index(c.text) for c in evidence]
    lacking = {
        source: matter
        for matter, source in plan.outside
        if not any(normalise_for_index(matter) in text for text in said)
    }
    if lacking and not plan.documents:  # the source is not imported: nothing found speaks of the matter
        told = "；".join(f"所问的“{matter}”由{source}规定" for source, matter in lacking.items())
        held = [source for source in lacking if source in plan.outside_held]
        if held:  # imported, but outside the field searched unless named (a national collection)
            return f"{told}；知识库已收录{'、'.join(held)}，请在问题中写明其名称再问"
        return f"{told}，知识库中没有收录"
    return ""
